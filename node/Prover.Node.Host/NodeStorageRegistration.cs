using Microsoft.Extensions.DependencyInjection;
using Prover.Node.Storage;
using Prover.Storage;
using Prover.Storage.Rocks;

namespace Prover.Node.Host;

/// <summary>Registers the node's database with the Generic Host's service container.</summary>
public static class NodeStorageRegistration
{
    /// <summary>
    /// Registers <see cref="IKeyValueStore"/> as a singleton RocksDB database in <paramref name="dataDirectory"/>,
    /// opened on first use with every column family in <see cref="NodeColumns.All"/> and closed when the host's
    /// container is disposed, and <see cref="NodeStore"/> over it (whose first resolution checks the schema version
    /// and throws <see cref="IncompatibleSchemaException"/> for a database of another version).
    /// </summary>
    public static IServiceCollection AddNodeStorage(this IServiceCollection services, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return services
            .AddSingleton<IKeyValueStore>(_ => RocksKeyValueStore.Open(dataDirectory, NodeColumns.All))
            .AddSingleton(sp => NodeStore.Open(sp.GetRequiredService<IKeyValueStore>()));
    }
}
