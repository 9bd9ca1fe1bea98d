namespace Prover.Storage;

/// <summary>
/// An in-memory <see cref="IKeyValueStore"/> for tests and tools: each column a sorted list keyed by bytes, one lock
/// for the whole store so that a write batch over several columns is atomic. Iterators read a snapshot taken when
/// they are created, as RocksDB's do.
/// </summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    /// <summary>The column every store has (RocksDB's name for it).</summary>
    public const string DefaultColumn = "default";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Column> _columns = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private bool _disposed;

    /// <summary>Creates a store with the <see cref="DefaultColumn"/> and the given extra column families.</summary>
    public InMemoryKeyValueStore(params IEnumerable<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        foreach (var name in columnNames.Prepend(DefaultColumn))
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(columnNames));
            if (_columns.ContainsKey(name)) continue;
            _columns.Add(name, new Column(this, name));
            _names.Add(name);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ColumnNames => _names.AsReadOnly();

    /// <inheritdoc/>
    public IColumnFamily GetColumn(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _columns.TryGetValue(name, out var column)
            ? column
            : throw new KeyNotFoundException($"column family '{name}' is not in this store");
    }

    /// <inheritdoc/>
    public IWriteBatch StartWriteBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Batch(this);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var column in _columns.Values) column.Entries.Clear();
        }
    }

    private Column Own(IColumnFamily column) =>
        column is Column own && ReferenceEquals(own.Store, this)
            ? own
            : throw new ArgumentException("the column family belongs to another store", nameof(column));

    private sealed class Column(InMemoryKeyValueStore store, string name) : IColumnFamily
    {
        public readonly SortedList<byte[], byte[]> Entries = new(ByteKeyComparer.Instance);
        public InMemoryKeyValueStore Store { get; } = store;
        public string Name { get; } = name;

        public byte[]? Get(ReadOnlySpan<byte> key)
        {
            var k = key.ToArray();
            lock (Store._gate)
            {
                ObjectDisposedException.ThrowIf(Store._disposed, Store);
                return Entries.TryGetValue(k, out var value) ? (byte[])value.Clone() : null;
            }
        }

        public bool ContainsKey(ReadOnlySpan<byte> key)
        {
            var k = key.ToArray();
            lock (Store._gate)
            {
                ObjectDisposedException.ThrowIf(Store._disposed, Store);
                return Entries.ContainsKey(k);
            }
        }

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            var (k, v) = (key.ToArray(), value.ToArray());
            lock (Store._gate)
            {
                ObjectDisposedException.ThrowIf(Store._disposed, Store);
                Entries[k] = v;
            }
        }

        public void Delete(ReadOnlySpan<byte> key)
        {
            var k = key.ToArray();
            lock (Store._gate)
            {
                ObjectDisposedException.ThrowIf(Store._disposed, Store);
                Entries.Remove(k);
            }
        }

        public IKeyValueIterator CreateIterator()
        {
            lock (Store._gate)
            {
                ObjectDisposedException.ThrowIf(Store._disposed, Store);
                // Stored arrays are never mutated (puts replace them), so sharing them in the snapshot is safe.
                return new SnapshotIterator([.. Entries.Keys], [.. Entries.Values]);
            }
        }
    }

    private sealed class SnapshotIterator(byte[][] keys, byte[][] values) : IKeyValueIterator
    {
        private int _position = keys.Length;

        public bool Valid => _position < keys.Length;
        public ReadOnlySpan<byte> Key => Valid ? keys[_position] : throw NotPositioned();
        public ReadOnlySpan<byte> Value => Valid ? values[_position] : throw NotPositioned();

        public void SeekToFirst() => _position = 0;

        public void Seek(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = keys.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (keys[mid].AsSpan().SequenceCompareTo(key) < 0) lo = mid + 1;
                else hi = mid;
            }
            _position = lo;
        }

        public void Next()
        {
            if (!Valid) throw NotPositioned();
            _position++;
        }

        public void Dispose() => _position = keys.Length;

        private static InvalidOperationException NotPositioned() => new("the iterator is not on an entry");
    }

    private sealed class Batch(InMemoryKeyValueStore store) : IWriteBatch
    {
        private readonly List<(Column Column, byte[] Key, byte[]? Value)> _operations = [];
        private bool _done;

        public void Put(IColumnFamily column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
            Add(column, key.ToArray(), value.ToArray());

        public void Delete(IColumnFamily column, ReadOnlySpan<byte> key) => Add(column, key.ToArray(), null);

        public void Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _done = true;
            lock (store._gate)
            {
                ObjectDisposedException.ThrowIf(store._disposed, store);
                foreach (var (column, key, value) in _operations)
                {
                    if (value is null) column.Entries.Remove(key);
                    else column.Entries[key] = value;
                }
            }
            _operations.Clear();
        }

        public void Dispose()
        {
            _done = true;
            _operations.Clear();
        }

        private void Add(IColumnFamily column, byte[] key, byte[]? value)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _operations.Add((store.Own(column), key, value));
        }
    }
}
