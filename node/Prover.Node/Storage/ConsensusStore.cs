using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Types;
using Prover.Storage;
using static Prover.Node.Storage.StoreKeys;

namespace Prover.Node.Storage;

/// <summary>
/// The consensus records of the node, in the same <see cref="IKeyValueStore"/> as <see cref="NodeStore"/> (NODE.md
/// §5.2): ballots, proposals and blocks by id and by layer, hare outputs, applied layers, account balances and rewards.
/// Applying or reverting a layer is one write batch (<see cref="CommitLayer"/>, <see cref="RevertLastLayer"/>), so a
/// crash never leaves half a layer. Each layer record keeps the layer's delta (balances before and after, rewards
/// paid), so a revert restores exactly the state before the layer. The store is not owned: dispose it yourself.
/// </summary>
public sealed class ConsensusStore
{
    private const byte LayerFormat = 1;
    private const byte FlagValid = 1, FlagHasBlock = 2;

    private readonly IKeyValueStore _store;
    private readonly IColumnFamily _layers, _blocks, _blocksByLayer, _ballots, _ballotsByLayer, _proposals,
        _proposalsByLayer, _hare, _accounts, _rewards;
    private readonly Lock _gate = new();
    private LayerRecord? _last;

    private ConsensusStore(IKeyValueStore store)
    {
        _store = store;
        _layers = store.GetColumn(NodeColumns.Layers);
        _blocks = store.GetColumn(NodeColumns.Blocks);
        _blocksByLayer = store.GetColumn(NodeColumns.BlocksByLayer);
        _ballots = store.GetColumn(NodeColumns.Ballots);
        _ballotsByLayer = store.GetColumn(NodeColumns.BallotsByLayer);
        _proposals = store.GetColumn(NodeColumns.Proposals);
        _proposalsByLayer = store.GetColumn(NodeColumns.ProposalsByLayer);
        _hare = store.GetColumn(NodeColumns.HareOutputs);
        _accounts = store.GetColumn(NodeColumns.Accounts);
        _rewards = store.GetColumn(NodeColumns.Rewards);
        using var it = _layers.CreateIterator();
        for (it.SeekToFirst(); it.Valid; it.Next()) _last = DecodeLayer(it.Key, it.Value).Record;
    }

    /// <summary>
    /// Opens the consensus records of <paramref name="store"/>, after checking the database's schema version the way
    /// <see cref="NodeStore.Open"/> does (a new store gets the current version).
    /// </summary>
    /// <exception cref="IncompatibleSchemaException">The database was made by an incompatible version.</exception>
    /// <exception cref="KeyNotFoundException">The store lacks one of <see cref="NodeColumns.All"/>.</exception>
    public static ConsensusStore Open(IKeyValueStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        NodeStore.Open(store);
        return new ConsensusStore(store);
    }

    // ---- blocks, ballots, proposals, hare outputs ----

    /// <summary>Stores a block under its id with validity unknown; <see langword="false"/> when it is already stored.</summary>
    public bool AddBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var bytes = block.ToBytes();
        var id = Block.ComputeId(bytes);
        lock (_gate)
        {
            if (_blocks.ContainsKey(id.Span)) return false;
            using var batch = _store.StartWriteBatch();
            batch.Put(_blocks, id.Span, [0, .. bytes]);
            batch.Put(_blocksByLayer, LayerKey(block.Layer, id.Span), []);
            batch.Commit();
            return true;
        }
    }

    /// <summary>The block with this id, or <see langword="null"/>.</summary>
    public Block? GetBlock(BlockId id) => _blocks.Get(id.Span) is { Length: > 0 } v ? Block.FromBytes(v.AsSpan(1)) : null;

    /// <summary>Whether the block is part of a valid (tortoise-verified) applied layer.</summary>
    public bool IsBlockValid(BlockId id) => _blocks.Get(id.Span) is { Length: > 0 } v && v[0] == 1;

    /// <summary>The ids of the blocks stored for <paramref name="layer"/>, in id order.</summary>
    public IReadOnlyList<BlockId> BlockIdsInLayer(LayerId layer) =>
        [.. KeysWithPrefix(_blocksByLayer, U32(layer.Value)).Select(k => new BlockId(k.AsSpan(4)))];

    /// <summary>Stores a ballot's wire blob; <see langword="false"/> when the id is already stored.</summary>
    public bool AddBallot(Hash20 id, LayerId layer, ReadOnlySpan<byte> blob) => AddBlob(_ballots, _ballotsByLayer, id, layer, blob);

    /// <summary>The ballot's layer and blob, or <see langword="null"/>.</summary>
    public LayerBlob? GetBallot(Hash20 id) => GetBlob(_ballots, id);

    /// <summary>The ids of the ballots stored for <paramref name="layer"/>, in id order.</summary>
    public IReadOnlyList<Hash20> BallotIdsInLayer(LayerId layer) => IdsInLayer(_ballotsByLayer, layer);

    /// <summary>Stores a proposal's wire blob; <see langword="false"/> when the id is already stored.</summary>
    public bool AddProposal(Hash20 id, LayerId layer, ReadOnlySpan<byte> blob) => AddBlob(_proposals, _proposalsByLayer, id, layer, blob);

    /// <summary>The proposal's layer and blob, or <see langword="null"/>.</summary>
    public LayerBlob? GetProposal(Hash20 id) => GetBlob(_proposals, id);

    /// <summary>The ids of the proposals stored for <paramref name="layer"/>, in id order.</summary>
    public IReadOnlyList<Hash20> ProposalIdsInLayer(LayerId layer) => IdsInLayer(_proposalsByLayer, layer);

    /// <summary>Records the block built from the layer's hare output (<see cref="BlockId.Empty"/>: empty output),
    /// replacing an earlier record.</summary>
    public void PutHareOutput(LayerId layer, BlockId block)
    {
        using var batch = _store.StartWriteBatch();
        batch.Put(_hare, U32(layer.Value), block.Span);
        batch.Commit();
    }

    /// <summary>The recorded hare output of <paramref name="layer"/>, or <see langword="null"/> when none is recorded.</summary>
    public BlockId? GetHareOutput(LayerId layer) => _hare.Get(U32(layer.Value)) is { Length: Hash20.Length } v ? new BlockId(v) : null;

    // ---- layers and state ----

    /// <summary>The last applied layer, or <see langword="null"/> when none is.</summary>
    public LayerRecord? LastLayer
    {
        get
        {
            lock (_gate) return _last;
        }
    }

    /// <summary>The applied layer <paramref name="layer"/>, or <see langword="null"/>.</summary>
    public LayerRecord? GetLayer(LayerId layer) => GetApplied(layer)?.Record;

    /// <summary>The applied layer with its delta, or <see langword="null"/>.</summary>
    public AppliedLayer? GetApplied(LayerId layer) =>
        _layers.Get(U32(layer.Value)) is { } v ? DecodeLayer(U32(layer.Value), v) : null;

    /// <summary>The applied layers from <paramref name="from"/> to <paramref name="to"/> inclusive, in layer order.</summary>
    public IReadOnlyList<LayerRecord> Layers(LayerId from, LayerId to)
    {
        var list = new List<LayerRecord>();
        using var it = _layers.CreateIterator();
        for (it.Seek(U32(from.Value)); it.Valid; it.Next())
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(it.Key) > to.Value) break;
            list.Add(DecodeLayer(it.Key, it.Value).Record);
        }

        return list;
    }

    /// <summary>The balance of <paramref name="address"/> (0 for an unknown account).</summary>
    public ulong Balance(Address address) =>
        _accounts.Get(address.Span) is { Length: 8 } v ? BinaryPrimitives.ReadUInt64BigEndian(v) : 0;

    /// <summary>The rewards paid to <paramref name="address"/>, by layer then ATX id.</summary>
    public IReadOnlyList<RewardRecord> Rewards(Address address)
    {
        var list = new List<RewardRecord>();
        using var it = _rewards.CreateIterator();
        var prefix = address.Span;
        for (it.Seek(prefix); it.Valid && it.Key.StartsWith(prefix); it.Next())
        {
            var k = it.Key;
            list.Add(new RewardRecord(new LayerId(BinaryPrimitives.ReadUInt32BigEndian(k[24..])), new AtxId(k.Slice(28, 32)),
                address, BinaryPrimitives.ReadUInt64BigEndian(it.Value)));
        }

        return list;
    }

    /// <summary>
    /// Writes an applied layer in one batch: the layer record with its delta, every changed balance, every reward, and
    /// the block's validity. The layer must follow the last applied one (any layer when none is), and every change's
    /// <see cref="AccountChange.Before"/> must be the stored balance.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is out of order or the delta does not fit the stored state.</exception>
    public void CommitLayer(AppliedLayer applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        var record = applied.Record;
        lock (_gate)
        {
            if (_last is { } last && record.Layer.Value != last.Layer.Value + 1)
                throw new InvalidOperationException($"layer {record.Layer} does not follow the last applied layer {last.Layer}");
            foreach (var change in applied.Changes)
            {
                if (Balance(change.Address) != change.Before)
                    throw new InvalidOperationException($"account {change.Address} holds {Balance(change.Address)}, the delta expects {change.Before}");
            }

            using var batch = _store.StartWriteBatch();
            batch.Put(_layers, U32(record.Layer.Value), EncodeLayer(applied));
            foreach (var change in applied.Changes) PutBalance(batch, change.Address, change.After);
            foreach (var reward in applied.Rewards) batch.Put(_rewards, RewardKey(reward), U64(reward.Amount));
            SetBlockValidity(batch, record.Block, record.Valid ? (byte)1 : (byte)0);
            batch.Commit();
            _last = record;
        }
    }

    /// <summary>Sets the valid flag of an applied layer (and of its block) without touching state.</summary>
    /// <returns><see langword="false"/> when the layer is not applied.</returns>
    public bool MarkLayerValid(LayerId layer, bool valid)
    {
        lock (_gate)
        {
            if (GetApplied(layer) is not { } applied) return false;
            var changed = applied with { Record = applied.Record with { Valid = valid } };
            using var batch = _store.StartWriteBatch();
            batch.Put(_layers, U32(layer.Value), EncodeLayer(changed));
            SetBlockValidity(batch, applied.Record.Block, valid ? (byte)1 : (byte)0);
            batch.Commit();
            if (_last?.Layer == layer) _last = changed.Record;
            return true;
        }
    }

    /// <summary>
    /// Undoes the last applied layer in one batch: balances back to their values before it, its rewards removed, its
    /// record deleted, its block's validity back to unknown. Returns the reverted layer, or <see langword="null"/> when
    /// no layer is applied.
    /// </summary>
    public AppliedLayer? RevertLastLayer()
    {
        lock (_gate)
        {
            if (_last is not { } last) return null;
            var applied = GetApplied(last.Layer) ?? throw new InvalidOperationException($"layer {last.Layer} record vanished");
            using var batch = _store.StartWriteBatch();
            foreach (var change in applied.Changes) PutBalance(batch, change.Address, change.Before);
            foreach (var reward in applied.Rewards) batch.Delete(_rewards, RewardKey(reward));
            batch.Delete(_layers, U32(last.Layer.Value));
            SetBlockValidity(batch, last.Block, 0);
            batch.Commit();
            _last = last.Layer.Value == 0 ? null : GetLayer(new LayerId(last.Layer.Value - 1));
            return applied;
        }
    }

    // ---- helpers ----

    private void SetBlockValidity(IWriteBatch batch, BlockId block, byte validity)
    {
        if (block.IsEmpty || _blocks.Get(block.Span) is not { Length: > 0 } v || v[0] == validity) return;
        v[0] = validity;
        batch.Put(_blocks, block.Span, v);
    }

    private void PutBalance(IWriteBatch batch, Address address, ulong balance)
    {
        // Zero balances are absent, so a reverted account leaves the same bytes as one never touched.
        if (balance == 0) batch.Delete(_accounts, address.Span);
        else batch.Put(_accounts, address.Span, U64(balance));
    }

    private bool AddBlob(IColumnFamily byId, IColumnFamily byLayer, Hash20 id, LayerId layer, ReadOnlySpan<byte> blob)
    {
        lock (_gate)
        {
            if (byId.ContainsKey(id.Span)) return false;
            using var batch = _store.StartWriteBatch();
            batch.Put(byId, id.Span, [.. U32(layer.Value), .. blob]);
            batch.Put(byLayer, LayerKey(layer, id.Span), []);
            batch.Commit();
            return true;
        }
    }

    private static LayerBlob? GetBlob(IColumnFamily byId, Hash20 id) =>
        byId.Get(id.Span) is { Length: >= 4 } v
            ? new LayerBlob(new LayerId(BinaryPrimitives.ReadUInt32BigEndian(v)), v.AsMemory(4))
            : null;

    private static List<Hash20> IdsInLayer(IColumnFamily byLayer, LayerId layer) =>
        [.. KeysWithPrefix(byLayer, U32(layer.Value)).Select(k => new Hash20(k.AsSpan(4)))];

    private static byte[] EncodeLayer(AppliedLayer applied)
    {
        var r = applied.Record;
        int length = 2 + 20 + 32 + 4 + applied.Changes.Count * (24 + 16) + 4 + applied.Rewards.Count * (24 + 32 + 8);
        var bytes = new byte[length];
        var w = bytes.AsSpan();
        w[0] = LayerFormat;
        w[1] = (byte)((r.Valid ? FlagValid : 0) | (r.Block.IsEmpty ? 0 : FlagHasBlock));
        int at = 2;
        r.Block.Span.CopyTo(w[at..]); at += 20;
        r.StateHash.Span.CopyTo(w[at..]); at += 32;
        BinaryPrimitives.WriteInt32BigEndian(w[at..], applied.Changes.Count); at += 4;
        foreach (var c in applied.Changes)
        {
            c.Address.Span.CopyTo(w[at..]); at += 24;
            BinaryPrimitives.WriteUInt64BigEndian(w[at..], c.Before); at += 8;
            BinaryPrimitives.WriteUInt64BigEndian(w[at..], c.After); at += 8;
        }

        BinaryPrimitives.WriteInt32BigEndian(w[at..], applied.Rewards.Count); at += 4;
        foreach (var rw in applied.Rewards)
        {
            rw.Coinbase.Span.CopyTo(w[at..]); at += 24;
            rw.AtxId.Span.CopyTo(w[at..]); at += 32;
            BinaryPrimitives.WriteUInt64BigEndian(w[at..], rw.Amount); at += 8;
        }

        return bytes;
    }

    private static AppliedLayer DecodeLayer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> v)
    {
        if (key.Length != 4 || v.Length < 62 || v[0] != LayerFormat)
            throw new InvalidDataException($"not a layer record ({v.Length} bytes, format {(v.IsEmpty ? "none" : v[0].ToString(System.Globalization.CultureInfo.InvariantCulture))})");
        var layer = new LayerId(BinaryPrimitives.ReadUInt32BigEndian(key));
        byte flags = v[1];
        int at = 2;
        var block = new BlockId(v.Slice(at, 20)); at += 20;
        var hash = new Hash32(v.Slice(at, 32)); at += 32;
        int changes = BinaryPrimitives.ReadInt32BigEndian(v[at..]); at += 4;
        var list = new List<AccountChange>(changes);
        for (int i = 0; i < changes; i++)
        {
            var address = new Address(v.Slice(at, 24)); at += 24;
            ulong before = BinaryPrimitives.ReadUInt64BigEndian(v[at..]); at += 8;
            ulong after = BinaryPrimitives.ReadUInt64BigEndian(v[at..]); at += 8;
            list.Add(new AccountChange(address, before, after));
        }

        int rewards = BinaryPrimitives.ReadInt32BigEndian(v[at..]); at += 4;
        var paid = new List<RewardRecord>(rewards);
        for (int i = 0; i < rewards; i++)
        {
            var address = new Address(v.Slice(at, 24)); at += 24;
            var atx = new AtxId(v.Slice(at, 32)); at += 32;
            paid.Add(new RewardRecord(layer, atx, address, BinaryPrimitives.ReadUInt64BigEndian(v[at..]))); at += 8;
        }

        if (at != v.Length) throw new InvalidDataException($"layer record of {layer} has {v.Length - at} trailing bytes");
        var record = new LayerRecord(layer, (flags & FlagHasBlock) != 0 ? block : BlockId.Empty, (flags & FlagValid) != 0, hash);
        return new AppliedLayer(record, list, paid);
    }

    private static byte[] RewardKey(RewardRecord r) => [.. r.Coinbase.Span, .. U32(r.Layer.Value), .. r.AtxId.Span];

    private static byte[] LayerKey(LayerId layer, ReadOnlySpan<byte> id) => [.. U32(layer.Value), .. id];
}

/// <summary>One applied layer as the CLI shows it.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Block">The block applied (<see cref="BlockId.Empty"/>: an empty layer).</param>
/// <param name="Valid">Whether the tortoise verified the layer (irreversible); false while applied on hare output only.</param>
/// <param name="StateHash">The state hash after the layer (see <see cref="MeshState"/>).</param>
public sealed record LayerRecord(LayerId Layer, BlockId Block, bool Valid, Hash32 StateHash);

/// <summary>A balance change made by a layer.</summary>
/// <param name="Address">The account.</param>
/// <param name="Before">Its balance before the layer.</param>
/// <param name="After">Its balance after the layer.</param>
public sealed record AccountChange(Address Address, ulong Before, ulong After);

/// <summary>A reward paid by a layer.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="AtxId">The ATX the reward is for.</param>
/// <param name="Coinbase">The account credited (the ATX's coinbase).</param>
/// <param name="Amount">The amount credited.</param>
public sealed record RewardRecord(LayerId Layer, AtxId AtxId, Address Coinbase, ulong Amount);

/// <summary>A layer with the delta that undoes it.</summary>
/// <param name="Record">The layer record.</param>
/// <param name="Changes">The balances it changed, in address order.</param>
/// <param name="Rewards">The rewards it paid, in block order.</param>
public sealed record AppliedLayer(LayerRecord Record, IReadOnlyList<AccountChange> Changes, IReadOnlyList<RewardRecord> Rewards);

/// <summary>A stored ballot or proposal blob with its layer.</summary>
/// <param name="Layer">The layer it is for.</param>
/// <param name="Blob">Its wire bytes.</param>
public sealed record LayerBlob(LayerId Layer, ReadOnlyMemory<byte> Blob);
