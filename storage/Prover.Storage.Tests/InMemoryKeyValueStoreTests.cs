namespace Prover.Storage.Tests;

/// <summary>The storage contract against <see cref="InMemoryKeyValueStore"/>.</summary>
public sealed class InMemoryKeyValueStoreTests : KeyValueStoreContract
{
    protected override IKeyValueStore CreateStore(params string[] columns) => new InMemoryKeyValueStore(columns);
}
