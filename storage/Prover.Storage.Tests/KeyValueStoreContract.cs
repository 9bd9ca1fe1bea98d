using Xunit;

namespace Prover.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IKeyValueStore"/> owes its callers. Each implementation's test project derives from
/// this class (the file is linked into Prover.Storage.Rocks.Tests), so in-memory and RocksDB run the same tests.
/// </summary>
public abstract class KeyValueStoreContract : IDisposable
{
    protected const string Blocks = "blocks";
    protected const string Atxs = "atxs";

    private readonly List<IKeyValueStore> _opened = [];

    /// <summary>Opens a fresh, empty store with the default column and <paramref name="columns"/>.</summary>
    protected abstract IKeyValueStore CreateStore(params string[] columns);

    protected IKeyValueStore Open(params string[] columns)
    {
        var store = CreateStore(columns);
        _opened.Add(store);
        return store;
    }

    public virtual void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static byte[] B(params byte[] bytes) => bytes;

    protected static List<byte[]> Keys(IColumnFamily column)
    {
        using var it = column.CreateIterator();
        var keys = new List<byte[]>();
        for (it.SeekToFirst(); it.Valid; it.Next()) keys.Add(it.Key.ToArray());
        return keys;
    }

    [Fact]
    public void Columns_are_the_default_plus_those_asked_for_in_order()
    {
        var store = Open(Blocks, Atxs);
        Assert.Equal(["default", Blocks, Atxs], store.ColumnNames);
        Assert.Equal(Atxs, store.GetColumn(Atxs).Name);
        Assert.Throws<KeyNotFoundException>(() => store.GetColumn("missing"));
    }

    [Fact]
    public void Put_then_get_returns_the_value_and_put_again_replaces_it()
    {
        var column = Open(Blocks).GetColumn(Blocks);
        column.Put(B(1, 2), B(10));
        Assert.Equal(B(10), column.Get(B(1, 2)));
        column.Put(B(1, 2), B(11, 12));
        Assert.Equal(B(11, 12), column.Get(B(1, 2)));
        Assert.True(column.ContainsKey(B(1, 2)));
    }

    [Fact]
    public void Missing_keys_read_as_null_and_empty_values_are_not_missing()
    {
        var column = Open().GetColumn("default");
        Assert.Null(column.Get(B(9)));
        Assert.False(column.ContainsKey(B(9)));
        column.Put(B(9), []);
        Assert.Equal(B(), column.Get(B(9)));
        Assert.True(column.ContainsKey(B(9)));
        Assert.Null(column.Get(B(9, 0)));
    }

    [Fact]
    public void Delete_removes_the_key_and_deleting_a_missing_key_does_nothing()
    {
        var column = Open().GetColumn("default");
        column.Put(B(1), B(1));
        column.Delete(B(1));
        column.Delete(B(2));
        Assert.Null(column.Get(B(1)));
        Assert.Empty(Keys(column));
    }

    [Fact]
    public void Returned_values_are_copies_the_caller_may_change()
    {
        var column = Open().GetColumn("default");
        var value = B(1, 2, 3);
        column.Put(B(1), value);
        value[0] = 99;
        var read = column.Get(B(1))!;
        read[1] = 99;
        Assert.Equal(B(1, 2, 3), column.Get(B(1)));
    }

    [Fact]
    public void Column_families_are_isolated()
    {
        var store = Open(Blocks, Atxs);
        var (blocks, atxs) = (store.GetColumn(Blocks), store.GetColumn(Atxs));
        blocks.Put(B(1), B(10));
        atxs.Put(B(1), B(20));
        atxs.Put(B(2), B(21));
        blocks.Delete(B(2));
        Assert.Equal(B(10), blocks.Get(B(1)));
        Assert.Equal(B(20), atxs.Get(B(1)));
        Assert.Null(blocks.Get(B(2)));
        Assert.Null(store.GetColumn("default").Get(B(1)));
        Assert.Single(Keys(blocks));
        Assert.Equal(2, Keys(atxs).Count);
    }

    [Fact]
    public void Batch_is_invisible_until_commit_then_applies_in_order_across_columns()
    {
        var store = Open(Blocks, Atxs);
        var (blocks, atxs) = (store.GetColumn(Blocks), store.GetColumn(Atxs));
        blocks.Put(B(3), B(3));
        using (var batch = store.StartWriteBatch())
        {
            batch.Put(blocks, B(1), B(1));
            batch.Put(blocks, B(1), B(2));     // later put wins
            batch.Put(atxs, B(2), B(2));
            batch.Delete(atxs, B(2));          // later delete wins
            batch.Delete(blocks, B(3));
            batch.Put(atxs, B(4), B(4));
            Assert.Null(blocks.Get(B(1)));
            Assert.Equal(B(3), blocks.Get(B(3)));
            batch.Commit();
        }
        Assert.Equal(B(2), blocks.Get(B(1)));
        Assert.Null(blocks.Get(B(3)));
        Assert.Null(atxs.Get(B(2)));
        Assert.Equal(B(4), atxs.Get(B(4)));
    }

    [Fact]
    public void Batch_disposed_without_commit_writes_nothing_and_commits_only_once()
    {
        var store = Open();
        var column = store.GetColumn("default");
        using (var batch = store.StartWriteBatch()) batch.Put(column, B(1), B(1));
        Assert.Null(column.Get(B(1)));

        using var once = store.StartWriteBatch();
        once.Put(column, B(2), B(2));
        once.Commit();
        Assert.Throws<ObjectDisposedException>(once.Commit);
        Assert.Throws<ObjectDisposedException>(() => once.Put(column, B(3), B(3)));
        Assert.Equal(B(2), column.Get(B(2)));
    }

    [Fact]
    public void Batch_rejects_a_column_of_another_store()
    {
        var store = Open(Blocks);
        var other = Open(Blocks).GetColumn(Blocks);
        using var batch = store.StartWriteBatch();
        Assert.Throws<ArgumentException>(() => batch.Put(other, B(1), B(1)));
    }

    [Fact]
    public void Iterator_orders_keys_by_unsigned_bytes_with_prefixes_first()
    {
        var column = Open().GetColumn("default");
        byte[][] keys = [B(0xff), B(0x80), B(0x01, 0x00), B(0x01), B(0x00, 0xff), B(0x7f, 0xff, 0xff)];
        foreach (var key in keys) column.Put(key, key);
        Assert.Equal(
            [B(0x00, 0xff), B(0x01), B(0x01, 0x00), B(0x7f, 0xff, 0xff), B(0x80), B(0xff)],
            Keys(column));

        using var it = column.CreateIterator();
        for (it.SeekToFirst(); it.Valid; it.Next()) Assert.Equal(it.Key.ToArray(), it.Value.ToArray());
    }

    [Fact]
    public void Seek_lands_on_the_first_key_at_or_after_the_target()
    {
        var column = Open().GetColumn("default");
        foreach (var k in new byte[] { 10, 20, 30 }) column.Put(B(k), B(k));
        using var it = column.CreateIterator();
        Assert.False(it.Valid);

        it.Seek(B(20));
        Assert.Equal(B(20), it.Key.ToArray());
        it.Seek(B(20, 0));
        Assert.Equal(B(30), it.Key.ToArray());
        it.Seek(B(0));
        Assert.Equal(B(10), it.Key.ToArray());
        it.Next();
        Assert.Equal(B(20), it.Value.ToArray());
        it.Seek(B(31));
        Assert.False(it.Valid);
        Assert.Throws<InvalidOperationException>(() => it.Next());
    }

    [Fact]
    public void Iterator_reads_the_snapshot_it_was_created_on()
    {
        var column = Open().GetColumn("default");
        column.Put(B(1), B(1));
        column.Put(B(2), B(2));
        using var it = column.CreateIterator();
        column.Put(B(3), B(3));
        column.Delete(B(1));
        column.Put(B(2), B(22));
        it.SeekToFirst();
        Assert.Equal(B(1), it.Key.ToArray());
        it.Next();
        Assert.Equal(B(2), it.Value.ToArray());
        it.Next();
        Assert.False(it.Valid);
    }

    [Fact]
    public async Task Readers_on_many_threads_see_whole_batches_while_a_writer_commits()
    {
        const int keys = 64, rounds = 200, readers = 4;
        var store = Open(Blocks);
        var column = store.GetColumn(Blocks);
        for (byte k = 0; k < keys; k++) column.Put(B(k), BitConverter.GetBytes(0));

        using var stop = new CancellationTokenSource();
        var readerTasks = Enumerable.Range(0, readers).Select(_ => Task.Run(() =>
        {
            int snapshots = 0;
            while (!stop.IsCancellationRequested || snapshots == 0)
            {
                using var it = column.CreateIterator();
                it.SeekToFirst();
                int generation = BitConverter.ToInt32(it.Value), seen = 0;
                for (; it.Valid; it.Next(), seen++)
                    Assert.Equal(generation, BitConverter.ToInt32(it.Value)); // never half a batch
                Assert.Equal(keys, seen);
                Assert.NotNull(column.Get(B(keys - 1)));
                snapshots++;
            }
            return snapshots;
        })).ToArray();

        for (int round = 1; round <= rounds; round++)
        {
            using var batch = store.StartWriteBatch();
            for (byte k = 0; k < keys; k++) batch.Put(column, B(k), BitConverter.GetBytes(round));
            batch.Commit();
        }
        stop.Cancel();
        Assert.All(await Task.WhenAll(readerTasks), n => Assert.True(n > 0));
        Assert.Equal(rounds, BitConverter.ToInt32(column.Get(B(0))));
    }
}
