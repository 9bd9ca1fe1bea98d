namespace Prover.Storage;

/// <summary>
/// A key-value database split into named column families (the shape of Nethermind's <c>IColumnsDb</c> and of RocksDB
/// itself). Keys and values are byte strings; within a column, keys are ordered by their bytes (unsigned,
/// lexicographic, a shorter prefix first). All members are safe to call from several threads.
/// </summary>
public interface IKeyValueStore : IDisposable
{
    /// <summary>The names of the column families, in the order they were given when the store was opened.</summary>
    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The column family called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The store was not opened with that column family.</exception>
    IColumnFamily GetColumn(string name);

    /// <summary>Starts a batch of puts and deletes, over any of this store's columns, applied atomically by
    /// <see cref="IWriteBatch.Commit"/>.</summary>
    IWriteBatch StartWriteBatch();
}

/// <summary>One column family: an ordered map from byte keys to byte values.</summary>
public interface IColumnFamily
{
    /// <summary>The column family's name.</summary>
    string Name { get; }

    /// <summary>The value stored under <paramref name="key"/>, or <see langword="null"/> when there is none.</summary>
    byte[]? Get(ReadOnlySpan<byte> key);

    /// <summary>Whether a value is stored under <paramref name="key"/>.</summary>
    bool ContainsKey(ReadOnlySpan<byte> key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any earlier value.</summary>
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Removes the value under <paramref name="key"/>; does nothing when there is none.</summary>
    void Delete(ReadOnlySpan<byte> key);

    /// <summary>An iterator over a consistent snapshot of this column, ordered by key bytes. It starts unpositioned:
    /// call <see cref="IKeyValueIterator.SeekToFirst"/> or <see cref="IKeyValueIterator.Seek"/> first.</summary>
    IKeyValueIterator CreateIterator();
}

/// <summary>Puts and deletes collected in order and applied all together, or not at all.</summary>
public interface IWriteBatch : IDisposable
{
    /// <summary>Queues a put; a later operation on the same key in the same batch wins.</summary>
    void Put(IColumnFamily column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Queues a delete; a later operation on the same key in the same batch wins.</summary>
    void Delete(IColumnFamily column, ReadOnlySpan<byte> key);

    /// <summary>Applies every queued operation atomically: readers see all of them or none. A batch commits once.</summary>
    void Commit();
}

/// <summary>A forward cursor over a column's entries in key order (the RocksDB iterator model).</summary>
public interface IKeyValueIterator : IDisposable
{
    /// <summary>Whether the cursor is on an entry; <see cref="Key"/> and <see cref="Value"/> are valid only then.</summary>
    bool Valid { get; }

    /// <summary>The current entry's key; valid until the next move.</summary>
    ReadOnlySpan<byte> Key { get; }

    /// <summary>The current entry's value; valid until the next move.</summary>
    ReadOnlySpan<byte> Value { get; }

    /// <summary>Moves to the first entry.</summary>
    void SeekToFirst();

    /// <summary>Moves to the first entry whose key is greater than or equal to <paramref name="key"/>.</summary>
    void Seek(ReadOnlySpan<byte> key);

    /// <summary>Moves to the next entry; after the last one, <see cref="Valid"/> becomes false.</summary>
    void Next();
}
