using RocksDbSharp;

namespace Prover.Storage.Rocks;

/// <summary>
/// <see cref="IKeyValueStore"/> over RocksDB (the role of Nethermind's <c>DbOnTheRocks</c>). Opening creates the
/// directory, the database and any missing column family; write batches are RocksDB write batches, so they are atomic;
/// iterators are RocksDB iterators, which read an implicit snapshot. <see cref="Dispose"/> closes the database;
/// as RocksDB requires, dispose every iterator and batch first.
/// </summary>
public sealed class RocksKeyValueStore : IKeyValueStore
{
    /// <summary>RocksDB's default column family, which every database has.</summary>
    public const string DefaultColumn = "default";

    private readonly RocksDb _db;
    private readonly Dictionary<string, Column> _columns = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private int _disposed;

    private RocksKeyValueStore(RocksDb db, IReadOnlyList<string> names)
    {
        _db = db;
        foreach (var name in names)
        {
            _columns.Add(name, new Column(this, name, db.GetColumnFamily(name)));
            _names.Add(name);
        }
    }

    /// <summary>Opens (creating if needed) the database in <paramref name="path"/> with the
    /// <see cref="DefaultColumn"/> and the given column families.</summary>
    public static RocksKeyValueStore Open(string path, params IEnumerable<string> columnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columnNames);
        var names = new List<string>();
        foreach (var name in columnNames.Prepend(DefaultColumn))
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(columnNames));
            if (!names.Contains(name, StringComparer.Ordinal)) names.Add(name);
        }

        Directory.CreateDirectory(path);
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies();
        foreach (var name in names.Skip(1)) families.Add(name, new ColumnFamilyOptions());
        return new RocksKeyValueStore(RocksDb.Open(options, path, families), names);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ColumnNames => _names.AsReadOnly();

    /// <inheritdoc/>
    public IColumnFamily GetColumn(string name)
    {
        ThrowIfDisposed();
        return _columns.TryGetValue(name, out var column)
            ? column
            : throw new KeyNotFoundException($"column family '{name}' is not in this store");
    }

    /// <inheritdoc/>
    public IWriteBatch StartWriteBatch()
    {
        ThrowIfDisposed();
        return new Batch(this);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _db.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private Column Own(IColumnFamily column) =>
        column is Column own && ReferenceEquals(own.Store, this)
            ? own
            : throw new ArgumentException("the column family belongs to another store", nameof(column));

    private sealed class Column(RocksKeyValueStore store, string name, ColumnFamilyHandle handle) : IColumnFamily
    {
        public RocksKeyValueStore Store { get; } = store;
        public ColumnFamilyHandle Handle { get; } = handle;
        public string Name { get; } = name;

        public byte[]? Get(ReadOnlySpan<byte> key)
        {
            Store.ThrowIfDisposed();
            return Store._db.Get(key, Handle);
        }

        public bool ContainsKey(ReadOnlySpan<byte> key) => Get(key) is not null;

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            Store.ThrowIfDisposed();
            Store._db.Put(key, value, Handle);
        }

        public void Delete(ReadOnlySpan<byte> key)
        {
            Store.ThrowIfDisposed();
            Store._db.Remove(key, Handle);
        }

        public IKeyValueIterator CreateIterator()
        {
            Store.ThrowIfDisposed();
            return new RocksIterator(Store._db.NewIterator(Handle));
        }
    }

    private sealed class RocksIterator(Iterator iterator) : IKeyValueIterator
    {
        private bool _positioned;

        public bool Valid => _positioned && iterator.Valid();
        public ReadOnlySpan<byte> Key => Valid ? iterator.GetKeySpan() : throw NotPositioned();
        public ReadOnlySpan<byte> Value => Valid ? iterator.GetValueSpan() : throw NotPositioned();

        public void SeekToFirst()
        {
            iterator.SeekToFirst();
            _positioned = true;
        }

        public void Seek(ReadOnlySpan<byte> key)
        {
            iterator.Seek(key);
            _positioned = true;
        }

        public void Next()
        {
            if (!Valid) throw NotPositioned();
            iterator.Next();
        }

        public void Dispose() => iterator.Dispose();

        private static InvalidOperationException NotPositioned() => new("the iterator is not on an entry");
    }

    private sealed class Batch(RocksKeyValueStore store) : IWriteBatch
    {
        private readonly WriteBatch _batch = new();
        private bool _done;

        public void Put(IColumnFamily column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _batch.Put(key, value, store.Own(column).Handle);
        }

        public void Delete(IColumnFamily column, ReadOnlySpan<byte> key)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _batch.Delete(key, store.Own(column).Handle);
        }

        public void Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            store.ThrowIfDisposed();
            _done = true;
            store._db.Write(_batch);
        }

        public void Dispose()
        {
            _done = true;
            _batch.Dispose();
        }
    }
}
