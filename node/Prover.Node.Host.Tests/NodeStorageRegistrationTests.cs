using Microsoft.Extensions.DependencyInjection;
using Prover.Storage;
using Xunit;

namespace Prover.Node.Host.Tests;

public sealed class NodeStorageRegistrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "prover-node-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void AddNodeStorage_opens_one_database_with_every_node_column_and_the_container_closes_it()
    {
        using (var provider = new ServiceCollection().AddNodeStorage(_dir).BuildServiceProvider())
        {
            var store = provider.GetRequiredService<IKeyValueStore>();
            Assert.Same(store, provider.GetRequiredService<IKeyValueStore>());
            Assert.Equal(["default", .. NodeColumns.All], store.ColumnNames);
            store.GetColumn(NodeColumns.Atxs).Put([1], [2]);
        }

        // Opening the same directory again works only if disposing the container closed the first database.
        using (var provider = new ServiceCollection().AddNodeStorage(_dir).BuildServiceProvider())
        {
            Assert.Equal([2], provider.GetRequiredService<IKeyValueStore>().GetColumn(NodeColumns.Atxs).Get([1]));
        }
    }
}
