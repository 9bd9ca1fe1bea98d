using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Storage;
using static Prover.Node.Storage.StoreKeys;

namespace Prover.Node.Storage;

/// <summary>
/// The node's records over an <see cref="IKeyValueStore"/> opened with <see cref="NodeColumns.All"/> (NODE.md §5.2):
/// ATX blobs and headers with their indexes, PoET proofs, builder state, malfeasance proofs and beacons. Every logical
/// change is one write batch, so a crash leaves either all of it or none of it. <see cref="Open"/> checks the schema
/// version first and refuses a database made by another version. The store is not owned: dispose it yourself.
/// </summary>
public sealed class NodeStore
{
    /// <summary>The layout this build reads and writes. Bump it with any change to keys, values or column names.</summary>
    public const uint SchemaVersion = 1;

    /// <summary>The key of the schema version record in <see cref="NodeColumns.Meta"/>.</summary>
    public static ReadOnlySpan<byte> SchemaVersionKey => "schema-version"u8;

    private readonly IKeyValueStore _store;
    private readonly IColumnFamily _meta, _blobs, _atxs, _byEpoch, _bySmesher, _byPrevious, _poet, _nipost, _malicious, _beacons;
    private readonly Lock _atxGate = new();

    private NodeStore(IKeyValueStore store)
    {
        _store = store;
        _meta = store.GetColumn(NodeColumns.Meta);
        _blobs = store.GetColumn(NodeColumns.AtxBlobs);
        _atxs = store.GetColumn(NodeColumns.Atxs);
        _byEpoch = store.GetColumn(NodeColumns.AtxsByEpoch);
        _bySmesher = store.GetColumn(NodeColumns.AtxsBySmesher);
        _byPrevious = store.GetColumn(NodeColumns.AtxsByPrevious);
        _poet = store.GetColumn(NodeColumns.PoetProofs);
        _nipost = store.GetColumn(NodeColumns.NipostState);
        _malicious = store.GetColumn(NodeColumns.Malicious);
        _beacons = store.GetColumn(NodeColumns.Beacons);
    }

    /// <summary>The underlying key-value store.</summary>
    public IKeyValueStore KeyValueStore => _store;

    /// <summary>
    /// Opens the node's records in <paramref name="store"/>. A store with no schema record and no data gets
    /// <see cref="SchemaVersion"/>; one with another version, or with data but no version, is refused.
    /// </summary>
    /// <exception cref="IncompatibleSchemaException">The database was made by an incompatible version.</exception>
    /// <exception cref="KeyNotFoundException">The store lacks one of <see cref="NodeColumns.All"/>.</exception>
    public static NodeStore Open(IKeyValueStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var node = new NodeStore(store);
        var stored = node._meta.Get(SchemaVersionKey);
        if (stored is null)
        {
            var filled = NodeColumns.All.FirstOrDefault(name => !IsEmpty(store.GetColumn(name)));
            if (filled is not null)
            {
                throw new IncompatibleSchemaException(null, SchemaVersion,
                    $"the node database has records (column '{filled}') but no schema version; this build expects schema " +
                    $"version {SchemaVersion}. It is refused, not repaired: use the version that made it or a new data directory.");
            }

            using var batch = store.StartWriteBatch();
            batch.Put(node._meta, SchemaVersionKey, U32(SchemaVersion));
            batch.Commit();
            return node;
        }

        uint version = stored.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(stored) : 0;
        if (stored.Length != 4 || version != SchemaVersion)
        {
            string found = stored.Length == 4 ? version.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"unreadable ({stored.Length} bytes)";
            throw new IncompatibleSchemaException(stored.Length == 4 ? version : null, SchemaVersion,
                $"the node database has schema version {found}; this build expects schema version {SchemaVersion}. " +
                "It is refused, not repaired: use the version that made it or a new data directory.");
        }

        return node;
    }

    // ---- ATXs ----

    /// <summary>
    /// Stores an ATX: its blob, its header and its three index entries in one write batch. Returns
    /// <see langword="false"/> (and writes nothing) when an ATX with this id is already stored.
    /// </summary>
    /// <param name="header">The header; its <see cref="AtxHeader.Id"/> keys everything.</param>
    /// <param name="blobFormat">The blob's version byte (the ATX wire version; 0 for a golden/checkpoint ATX).</param>
    /// <param name="blob">The ATX's wire bytes.</param>
    public bool AddAtx(AtxHeader header, byte blobFormat, ReadOnlySpan<byte> blob)
    {
        ArgumentNullException.ThrowIfNull(header);
        var id = header.Id.Span;
        lock (_atxGate)
        {
            if (_atxs.ContainsKey(id)) return false;
            using var batch = _store.StartWriteBatch();
            batch.Put(_blobs, id, [blobFormat, .. blob]);
            batch.Put(_atxs, id, header.Encode());
            batch.Put(_byEpoch, EpochKey(header.PublishEpoch, header.Id), []);
            batch.Put(_bySmesher, SmesherKey(header.SmesherId, header.PublishEpoch, header.Id), []);
            if (header.PreviousAtxId is { } previous) batch.Put(_byPrevious, PreviousKey(header.SmesherId, previous, header.Id), []);
            batch.Commit();
            return true;
        }
    }

    /// <summary>Records a validation verdict in the ATX's header; returns <see langword="false"/> when there is no such ATX.</summary>
    public bool SetValidity(AtxId id, AtxValidity validity)
    {
        lock (_atxGate)
        {
            var header = GetAtx(id);
            if (header is null) return false;
            using var batch = _store.StartWriteBatch();
            batch.Put(_atxs, id.Span, (header with { Validity = validity }).Encode());
            batch.Commit();
            return true;
        }
    }

    /// <summary>Whether an ATX with this id is stored.</summary>
    public bool ContainsAtx(AtxId id) => _atxs.ContainsKey(id.Span);

    /// <summary>The ATX's header, or <see langword="null"/>.</summary>
    public AtxHeader? GetAtx(AtxId id) => _atxs.Get(id.Span) is { } bytes ? AtxHeader.Decode(bytes) : null;

    /// <summary>The ATX's wire blob and its format byte, or <see langword="null"/>.</summary>
    public StoredBlob? GetAtxBlob(AtxId id) =>
        _blobs.Get(id.Span) is { Length: > 0 } bytes ? new StoredBlob(bytes[0], bytes.AsMemory(1)) : null;

    /// <summary>The ids of the ATXs published in <paramref name="publishEpoch"/>, in id order.</summary>
    public IReadOnlyList<AtxId> AtxIdsInEpoch(uint publishEpoch)
    {
        var prefix = U32(publishEpoch);
        var ids = new List<AtxId>();
        foreach (var key in KeysWithPrefix(_byEpoch, prefix)) ids.Add(new AtxId(key.AsSpan(4)));
        return ids;
    }

    /// <summary>The headers of <paramref name="smesher"/>'s ATXs, ordered by publish epoch then id.</summary>
    public IReadOnlyList<AtxHeader> AtxsBySmesher(NodeId smesher)
    {
        var headers = new List<AtxHeader>();
        foreach (var key in KeysWithPrefix(_bySmesher, smesher.Span))
        {
            if (GetAtx(new AtxId(key.AsSpan(36))) is { } header) headers.Add(header);
        }

        return headers;
    }

    /// <summary>The ids of <paramref name="smesher"/>'s ATXs for <paramref name="publishEpoch"/> (more than one is a
    /// double publication).</summary>
    public IReadOnlyList<AtxId> AtxIdsBySmesherInEpoch(NodeId smesher, uint publishEpoch)
    {
        var prefix = new byte[36];
        smesher.Span.CopyTo(prefix);
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(32), publishEpoch);
        return [.. KeysWithPrefix(_bySmesher, prefix).Select(k => new AtxId(k.AsSpan(36)))];
    }

    /// <summary>The ids of <paramref name="smesher"/>'s ATXs that name <paramref name="previous"/> as their previous
    /// ATX (more than one is malfeasance).</summary>
    public IReadOnlyList<AtxId> AtxIdsWithPrevious(NodeId smesher, AtxId previous)
    {
        var prefix = new byte[64];
        smesher.Span.CopyTo(prefix);
        previous.Span.CopyTo(prefix.AsSpan(32));
        return [.. KeysWithPrefix(_byPrevious, prefix).Select(k => new AtxId(k.AsSpan(64)))];
    }

    /// <summary>The header of <paramref name="smesher"/>'s ATX with the highest publish epoch (then highest id), or
    /// <see langword="null"/>.</summary>
    public AtxHeader? LastAtx(NodeId smesher)
    {
        byte[]? last = null;
        foreach (var key in KeysWithPrefix(_bySmesher, smesher.Span)) last = key;
        return last is null ? null : GetAtx(new AtxId(last.AsSpan(36)));
    }

    // ---- PoET proofs, builder state, malfeasance, beacons ----

    /// <summary>Stores a PoET proof under its reference (replacing any earlier one).</summary>
    public void PutPoetProof(Hash32 reference, ReadOnlySpan<byte> proof) => PutOne(_poet, reference.Span, proof);

    /// <summary>The PoET proof stored under <paramref name="reference"/>, or <see langword="null"/>.</summary>
    public byte[]? GetPoetProof(Hash32 reference) => _poet.Get(reference.Span);

    /// <summary>Stores the NIPoST/ATX builder's state for <paramref name="identity"/>: opaque bytes with the format
    /// version of their writer, replacing the previous state in one write.</summary>
    public void PutBuilderState(NodeId identity, uint version, ReadOnlySpan<byte> state) =>
        PutOne(_nipost, identity.Span, [.. U32(version), .. state]);

    /// <summary>The builder state of <paramref name="identity"/>, or <see langword="null"/> when it has none.</summary>
    public BuilderState? GetBuilderState(NodeId identity) =>
        _nipost.Get(identity.Span) is { Length: >= 4 } bytes
            ? new BuilderState(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsMemory(4))
            : null;

    /// <summary>Removes the builder state of <paramref name="identity"/> (after it published).</summary>
    public void DeleteBuilderState(NodeId identity)
    {
        using var batch = _store.StartWriteBatch();
        batch.Delete(_nipost, identity.Span);
        batch.Commit();
    }

    /// <summary>Records a malfeasance proof against <paramref name="identity"/>; the first proof stays (returns
    /// <see langword="false"/> when one is already stored).</summary>
    public bool AddMalfeasanceProof(NodeId identity, byte domain, DateTimeOffset received, ReadOnlySpan<byte> proof)
    {
        lock (_atxGate)
        {
            if (_malicious.ContainsKey(identity.Span)) return false;
            var value = new byte[9 + proof.Length];
            value[0] = domain;
            BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(1), received.ToUnixTimeMilliseconds());
            proof.CopyTo(value.AsSpan(9));
            PutOne(_malicious, identity.Span, value);
            return true;
        }
    }

    /// <summary>Whether a malfeasance proof is stored against <paramref name="identity"/>.</summary>
    public bool IsMalicious(NodeId identity) => _malicious.ContainsKey(identity.Span);

    /// <summary>The malfeasance proof against <paramref name="identity"/>, or <see langword="null"/>.</summary>
    public MalfeasanceRecord? GetMalfeasanceProof(NodeId identity) =>
        _malicious.Get(identity.Span) is { Length: >= 9 } v
            ? new MalfeasanceRecord(v[0], DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(v.AsSpan(1))), v.AsMemory(9))
            : null;

    /// <summary>Stores the beacon of <paramref name="epoch"/> (4 bytes).</summary>
    public void PutBeacon(uint epoch, ReadOnlySpan<byte> beacon)
    {
        if (beacon.Length != 4) throw new ArgumentException($"a beacon is 4 bytes, got {beacon.Length}", nameof(beacon));
        PutOne(_beacons, U32(epoch), beacon);
    }

    /// <summary>The beacon of <paramref name="epoch"/>, or <see langword="null"/>.</summary>
    public byte[]? GetBeacon(uint epoch) => _beacons.Get(U32(epoch));

    // ---- consistency ----

    /// <summary>
    /// Checks the ATX records against each other: every header has its blob and its index entries, every blob and
    /// every index entry has its header, and index keys agree with the header they point to. Reads a snapshot per
    /// column; run it on a quiet store.
    /// </summary>
    public ConsistencyReport CheckConsistency()
    {
        var problems = new List<string>();
        var headers = new Dictionary<AtxId, AtxHeader>();
        using (var it = _atxs.CreateIterator())
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                var id = it.Key.Length == 32 ? new AtxId(it.Key) : default;
                if (it.Key.Length != 32)
                {
                    problems.Add($"header key of {it.Key.Length} bytes");
                    continue;
                }

                try
                {
                    var header = AtxHeader.Decode(it.Value);
                    if (header.Id != id) problems.Add($"header under {id} names ATX {header.Id}");
                    headers[id] = header;
                }
                catch (InvalidDataException e)
                {
                    problems.Add($"header of {id} unreadable: {e.Message}");
                }
            }
        }

        var blobIds = new HashSet<AtxId>();
        using (var it = _blobs.CreateIterator())
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                if (it.Key.Length != 32 || it.Value.IsEmpty) { problems.Add("malformed blob record"); continue; }
                var id = new AtxId(it.Key);
                blobIds.Add(id);
                if (!headers.ContainsKey(id)) problems.Add($"blob of {id} has no header");
            }
        }

        var epochEntries = new HashSet<AtxId>();
        foreach (var key in KeysWithPrefix(_byEpoch, []))
        {
            if (key.Length != 36) { problems.Add("malformed epoch index key"); continue; }
            var id = new AtxId(key.AsSpan(4));
            epochEntries.Add(id);
            if (!headers.TryGetValue(id, out var h)) problems.Add($"epoch index entry of {id} has no header");
            else if (h.PublishEpoch != BinaryPrimitives.ReadUInt32BigEndian(key)) problems.Add($"epoch index of {id} disagrees with its header");
        }

        var smesherEntries = new HashSet<AtxId>();
        foreach (var key in KeysWithPrefix(_bySmesher, []))
        {
            if (key.Length != 68) { problems.Add("malformed smesher index key"); continue; }
            var id = new AtxId(key.AsSpan(36));
            smesherEntries.Add(id);
            if (!headers.TryGetValue(id, out var h)) problems.Add($"smesher index entry of {id} has no header");
            else if (h.SmesherId != new NodeId(key.AsSpan(0, 32)) || h.PublishEpoch != BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(32)))
                problems.Add($"smesher index of {id} disagrees with its header");
        }

        var previousEntries = new HashSet<AtxId>();
        foreach (var key in KeysWithPrefix(_byPrevious, []))
        {
            if (key.Length != 96) { problems.Add("malformed previous-ATX index key"); continue; }
            var id = new AtxId(key.AsSpan(64));
            previousEntries.Add(id);
            if (!headers.TryGetValue(id, out var h)) problems.Add($"previous-ATX index entry of {id} has no header");
            else if (h.SmesherId != new NodeId(key.AsSpan(0, 32)) || h.PreviousAtxId != new AtxId(key.AsSpan(32, 32)))
                problems.Add($"previous-ATX index of {id} disagrees with its header");
        }

        foreach (var (id, header) in headers)
        {
            if (!blobIds.Contains(id)) problems.Add($"ATX {id} has a header but no blob");
            if (!epochEntries.Contains(id)) problems.Add($"ATX {id} is missing from the epoch index");
            if (!smesherEntries.Contains(id)) problems.Add($"ATX {id} is missing from the smesher index");
            if (header.PreviousAtxId is not null && !previousEntries.Contains(id)) problems.Add($"ATX {id} is missing from the previous-ATX index");
        }

        return new ConsistencyReport(headers.Count, problems);
    }

    // ---- helpers ----

    private void PutOne(IColumnFamily column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        using var batch = _store.StartWriteBatch();
        batch.Put(column, key, value);
        batch.Commit();
    }

    private static bool IsEmpty(IColumnFamily column)
    {
        using var it = column.CreateIterator();
        it.SeekToFirst();
        return !it.Valid;
    }

    private static byte[] EpochKey(uint epoch, AtxId id) => [.. U32(epoch), .. id.Span];

    private static byte[] SmesherKey(NodeId smesher, uint epoch, AtxId id) => [.. smesher.Span, .. U32(epoch), .. id.Span];

    private static byte[] PreviousKey(NodeId smesher, AtxId previous, AtxId id) => [.. smesher.Span, .. previous.Span, .. id.Span];
}

/// <summary>A stored ATX wire blob with its format byte.</summary>
/// <param name="Format">The ATX wire version the blob is in (0: golden/checkpoint, no wire bytes).</param>
/// <param name="Bytes">The wire bytes.</param>
public sealed record StoredBlob(byte Format, ReadOnlyMemory<byte> Bytes);

/// <summary>Opaque builder state with the format version of its writer.</summary>
/// <param name="Version">The writer's format version.</param>
/// <param name="State">The state bytes.</param>
public sealed record BuilderState(uint Version, ReadOnlyMemory<byte> State);

/// <summary>A malfeasance proof as stored.</summary>
/// <param name="Domain">The kind of offence (go-spacemesh's malfeasance domain byte).</param>
/// <param name="Received">When the proof was recorded, to the millisecond.</param>
/// <param name="Proof">The encoded proof.</param>
public sealed record MalfeasanceRecord(byte Domain, DateTimeOffset Received, ReadOnlyMemory<byte> Proof);

/// <summary>What <see cref="NodeStore.CheckConsistency"/> found.</summary>
/// <param name="AtxCount">The number of ATX headers.</param>
/// <param name="Problems">Each inconsistency, in words; empty when the ATX records agree.</param>
public sealed record ConsistencyReport(int AtxCount, IReadOnlyList<string> Problems)
{
    /// <summary>Whether no problem was found.</summary>
    public bool IsConsistent => Problems.Count == 0;
}

/// <summary>The database was made by a version of the node with another storage layout; it is refused, never repaired.</summary>
public sealed class IncompatibleSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IncompatibleSchemaException(uint? found, uint expected, string message) : base(message)
    {
        Found = found;
        Expected = expected;
    }

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public IncompatibleSchemaException() : this(null, NodeStore.SchemaVersion, "incompatible node database schema") { }

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public IncompatibleSchemaException(string message) : this(null, NodeStore.SchemaVersion, message) { }

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public IncompatibleSchemaException(string message, Exception inner) : base(message, inner) => Expected = NodeStore.SchemaVersion;

    /// <summary>The version found in the database; <see langword="null"/> when it has none or it is unreadable.</summary>
    public uint? Found { get; }

    /// <summary>The version this build expects.</summary>
    public uint Expected { get; }
}
