using Prover.Storage.Tests;
using Xunit;

namespace Prover.Storage.Rocks.Tests;

/// <summary>The storage contract against <see cref="RocksKeyValueStore"/> in a temporary directory, plus what only a
/// persistent store owes: data and column families survive a close and reopen.</summary>
public sealed class RocksKeyValueStoreTests : KeyValueStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prover-rocks-" + Guid.NewGuid().ToString("N"));
    private int _next;

    protected override IKeyValueStore CreateStore(params string[] columns) =>
        RocksKeyValueStore.Open(Path.Combine(_root, (_next++).ToString()), columns);

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Reopen_keeps_data_in_every_column_and_dispose_releases_the_database()
    {
        var path = Path.Combine(_root, "reopen");
        using (var store = RocksKeyValueStore.Open(path, Blocks, Atxs))
        {
            store.GetColumn(Blocks).Put(B(1), B(10));
            using var batch = store.StartWriteBatch();
            batch.Put(store.GetColumn(Atxs), B(2), B(20));
            batch.Put(store.GetColumn("default"), B(3), B(30));
            batch.Commit();
        }

        // RocksDB locks its directory: this second open succeeds only because Dispose closed the first.
        using (var store = RocksKeyValueStore.Open(path, Blocks, Atxs))
        {
            Assert.Equal(B(10), store.GetColumn(Blocks).Get(B(1)));
            Assert.Equal(B(20), store.GetColumn(Atxs).Get(B(2)));
            Assert.Equal(B(30), store.GetColumn("default").Get(B(3)));
            Assert.Null(store.GetColumn(Blocks).Get(B(2)));
        }
    }

    [Fact]
    public void Dispose_makes_further_use_an_ObjectDisposedException()
    {
        var store = RocksKeyValueStore.Open(Path.Combine(_root, "closed"), Blocks);
        var column = store.GetColumn(Blocks);
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => column.Get(B(1)));
        Assert.Throws<ObjectDisposedException>(() => store.StartWriteBatch());
    }
}
