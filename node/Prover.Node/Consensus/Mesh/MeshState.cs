using System.Buffers.Binary;
using System.Numerics;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Mesh;

/// <summary>
/// The account state that blocks change, layer by layer, over a <see cref="ConsensusStore"/>. There is no VM yet: a
/// block's only effect is its rewards.
/// <list type="bullet">
/// <item><b>Rewards.</b> Each layer with a block pays <see cref="LayerReward"/> (a fixed per-layer subsidy of this node,
/// not mainnet's decaying issuance; there are no fees), split over the block's rewards in proportion to their weights
/// by <see cref="SplitReward"/>; each share goes to the coinbase of the reward's ATX. An empty layer pays nothing.</item>
/// <item><b>State hash.</b> <c>BLAKE3(previous ‖ layer u32 LE ‖ blockId[20] ‖ (address[24] ‖ balance u64 LE) for each
/// account the layer changed, in address byte order)</c>, with 32 zero bytes before the first layer and 20 zero bytes
/// for an empty layer. It depends only on the layers applied, so every node that applies the same blocks gets the same
/// hashes; the valid flag is not hashed, so verifying a layer applied on its hare output does not change it.</item>
/// <item><b>Revert.</b> Each layer is stored with its delta; <see cref="RevertTo"/> undoes layers newest first, and the
/// store then holds exactly what it held before them, so reapplying gives the state of a fresh apply.</item>
/// </list>
/// </summary>
public sealed class MeshState
{
    /// <summary>The subsidy every layer with a block pays, in the smallest unit (1 SMH = 10^9 smidge on mainnet; here a
    /// round 1 SMH per layer).</summary>
    public const ulong LayerReward = 1_000_000_000;

    private readonly ConsensusStore _store;
    private readonly Func<AtxId, Address?> _coinbaseOf;

    /// <summary>Creates the state over <paramref name="store"/>.</summary>
    /// <param name="store">Where layers, balances and rewards live.</param>
    /// <param name="coinbaseOf">The coinbase of an ATX, or <see langword="null"/> when the ATX is unknown.</param>
    /// <param name="firstLayer">The first layer that can be applied (the first layer after genesis).</param>
    public MeshState(ConsensusStore store, Func<AtxId, Address?> coinbaseOf, LayerId firstLayer)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(coinbaseOf);
        _store = store;
        _coinbaseOf = coinbaseOf;
        FirstLayer = firstLayer;
    }

    /// <summary>Creates the state with coinbases read from the ATX headers of <paramref name="atxs"/>.</summary>
    public MeshState(ConsensusStore store, NodeStore atxs, LayerId firstLayer)
        : this(store, id => atxs?.GetAtx(id) is { } h ? new Address(h.Coinbase.Span) : null, firstLayer)
    {
        ArgumentNullException.ThrowIfNull(atxs);
    }

    /// <summary>The first layer that can be applied.</summary>
    public LayerId FirstLayer { get; }

    /// <summary>The store.</summary>
    public ConsensusStore Store => _store;

    /// <summary>The layer <see cref="Apply"/> takes next.</summary>
    public LayerId NextLayer => _store.LastLayer is { } last ? new LayerId(last.Layer.Value + 1) : FirstLayer;

    /// <summary>
    /// Applies <paramref name="layer"/> with <paramref name="block"/> (<see langword="null"/>: an empty layer) in one
    /// write batch, and returns its record.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not <see cref="NextLayer"/>, or a reward's ATX is unknown.</exception>
    /// <exception cref="ArgumentException">The block is for another layer or has a reward with weight denominator 0.</exception>
    public LayerRecord Apply(LayerId layer, Block? block, bool valid)
    {
        if (layer != NextLayer) throw new InvalidOperationException($"layer {layer} cannot be applied: the next layer is {NextLayer}");
        if (block is not null && block.Layer != layer) throw new ArgumentException($"block is for layer {block.Layer}, not {layer}", nameof(block));

        var previous = _store.LastLayer?.StateHash ?? default;
        var blockId = block?.Id ?? BlockId.Empty;
        var balances = new SortedDictionary<Address, (ulong Before, ulong After)>(AddressComparer.Instance);
        var rewards = new List<RewardRecord>();
        if (block is { Rewards.Count: > 0 })
        {
            var shares = SplitReward(LayerReward, [.. block.Rewards.Select(r => r.Weight)]);
            for (int i = 0; i < shares.Count; i++)
            {
                var atx = block.Rewards[i].AtxId;
                var coinbase = _coinbaseOf(atx) ?? throw new InvalidOperationException($"the coinbase of ATX {atx} (reward of block {blockId}) is unknown");
                if (!balances.TryGetValue(coinbase, out var b)) b = (_store.Balance(coinbase), _store.Balance(coinbase));
                balances[coinbase] = (b.Before, checked(b.After + shares[i]));
                rewards.Add(new RewardRecord(layer, atx, coinbase, shares[i]));
            }
        }

        var changes = balances.Where(kv => kv.Value.Before != kv.Value.After)
            .Select(kv => new AccountChange(kv.Key, kv.Value.Before, kv.Value.After)).ToList();
        var record = new LayerRecord(layer, blockId, valid, ComputeStateHash(previous, layer, blockId, changes));
        _store.CommitLayer(new AppliedLayer(record, changes, rewards));
        return record;
    }

    /// <summary>Reverts applied layers newest first until the last applied layer is <paramref name="layer"/> (or none
    /// is, when <paramref name="layer"/> is before <see cref="FirstLayer"/>); returns the layers reverted.</summary>
    public IReadOnlyList<AppliedLayer> RevertTo(LayerId layer)
    {
        var reverted = new List<AppliedLayer>();
        while (_store.LastLayer is { } last && last.Layer > layer)
        {
            reverted.Add(_store.RevertLastLayer() ?? throw new InvalidOperationException("revert found no layer"));
        }

        return reverted;
    }

    /// <summary>The state hash rule (see the type's summary).</summary>
    public static Hash32 ComputeStateHash(Hash32 previous, LayerId layer, BlockId block, IEnumerable<AccountChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        using var hasher = Prover.Core.Crypto.Blake3.CreateHasher();
        hasher.Update(previous.Span);
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, layer.Value);
        hasher.Update(buffer[..4]);
        hasher.Update(block.Span);
        foreach (var change in changes.OrderBy(c => c.Address, AddressComparer.Instance))
        {
            hasher.Update(change.Address.Span);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, change.After);
            hasher.Update(buffer);
        }

        Span<byte> hash = stackalloc byte[32];
        hasher.Finalize(hash);
        return new Hash32(hash);
    }

    /// <summary>
    /// Splits <paramref name="subsidy"/> over <paramref name="weights"/> with integer arithmetic: the weights are put
    /// over their least common denominator, share i = ⌊subsidy · wᵢ / Σw⌋ exactly, and the remainder (fewer units than
    /// there are weights) goes one unit each to the first weights in block order (that is, by ATX id). The shares sum
    /// to <paramref name="subsidy"/> whenever Σw &gt; 0; all weights zero gives all shares zero.
    /// </summary>
    /// <exception cref="ArgumentException">A weight has denominator 0.</exception>
    public static IReadOnlyList<ulong> SplitReward(ulong subsidy, IReadOnlyList<RatNum> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) return [];
        BigInteger lcm = BigInteger.One;
        foreach (var w in weights)
        {
            if (w.Denom == 0) throw new ArgumentException("a reward weight has denominator 0", nameof(weights));
            lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, w.Denom) * w.Denom;
        }

        var scaled = weights.Select(w => w.Num * (lcm / w.Denom)).ToArray();
        var total = scaled.Aggregate(BigInteger.Zero, (a, b) => a + b);
        var shares = new ulong[weights.Count];
        if (total.IsZero) return shares;
        ulong paid = 0;
        for (int i = 0; i < shares.Length; i++)
        {
            shares[i] = (ulong)(subsidy * scaled[i] / total);
            paid += shares[i];
        }

        for (int i = 0; paid < subsidy; i++, paid++) shares[i]++;
        return shares;
    }

    private sealed class AddressComparer : IComparer<Address>
    {
        public static readonly AddressComparer Instance = new();

        public int Compare(Address x, Address y) => x.Span.SequenceCompareTo(y.Span);
    }
}
