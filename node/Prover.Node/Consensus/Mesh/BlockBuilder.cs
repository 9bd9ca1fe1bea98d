using System.Numerics;
using Prover.Core.Primitives;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Mesh;

/// <summary>
/// One proposal of a layer's hare output, with what block building needs from its ballot and ATX (the facts go-spacemesh's
/// <c>blocks/utils.go</c> <c>rewardInfoAndHeight</c> reads from the proposal, the ATX header and the reference ballot).
/// </summary>
/// <param name="ProposalId">The proposal's 20-byte id.</param>
/// <param name="AtxId">The ATX the proposal's ballot is built on.</param>
/// <param name="AtxWeight">That ATX's weight (effective units × ticks).</param>
/// <param name="BaseTickHeight">That ATX's base tick height.</param>
/// <param name="TickHeight">That ATX's tick height (base + ticks); carried for callers, not used by the block.</param>
/// <param name="EligibilityCount">The eligibility count of the smesher's reference ballot for the epoch (&gt; 0).</param>
/// <param name="ProofCount">The number of eligibility proofs in the proposal's ballot (&gt; 0).</param>
public sealed record HareProposal(
    Hash20 ProposalId,
    AtxId AtxId,
    ulong AtxWeight,
    ulong BaseTickHeight,
    ulong TickHeight,
    uint EligibilityCount,
    uint ProofCount);

/// <summary>
/// Builds a layer's block from its hare output, deterministically, so that every node that agrees on the hare output
/// builds the same bytes and id (go-spacemesh <c>blocks/generator.go</c>, <c>utils.go</c>):
/// <list type="bullet">
/// <item>an empty hare output gives no block (the layer is empty);</item>
/// <item>each proposal weighs <c>AtxWeight × ProofCount / EligibilityCount</c> (exact, reduced as Go's <c>big.Rat</c>);</item>
/// <item>weights are summed per ATX (go-spacemesh refuses a layer with two proposals of one ATX; here they merge, which
/// gives the same block when there is one) and the rewards are sorted by ATX id bytes;</item>
/// <item><c>TickHeight</c> is the highest base tick height among the proposals' ATXs, as upstream;</item>
/// <item>no transactions: this node has no VM yet, so <c>TxIDs</c> is empty (upstream shuffles the proposals' txs with
/// an MT19937 seeded by the proposals hash).</item>
/// </list>
/// The input order does not matter, and a proposal listed twice counts once.
/// </summary>
public static class BlockBuilder
{
    /// <summary>The block for <paramref name="layer"/>, or <see langword="null"/> when the hare output is empty.</summary>
    /// <exception cref="ArgumentException">A proposal has a zero eligibility or proof count, or one proposal id comes
    /// with two different contents.</exception>
    /// <exception cref="OverflowException">A merged weight does not fit a <see cref="RatNum"/>.</exception>
    public static Block? Build(LayerId layer, IEnumerable<HareProposal> hareOutput)
    {
        ArgumentNullException.ThrowIfNull(hareOutput);
        var byId = new SortedDictionary<Hash20, HareProposal>();
        foreach (var p in hareOutput)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(hareOutput));
            if (p.EligibilityCount == 0) throw new ArgumentException($"proposal {p.ProposalId} has eligibility count 0", nameof(hareOutput));
            if (p.ProofCount == 0) throw new ArgumentException($"proposal {p.ProposalId} has no eligibility proof", nameof(hareOutput));
            if (byId.TryGetValue(p.ProposalId, out var seen))
            {
                if (seen != p) throw new ArgumentException($"proposal {p.ProposalId} is given twice with different contents", nameof(hareOutput));
                continue;
            }

            byId.Add(p.ProposalId, p);
        }

        if (byId.Count == 0) return null;

        var weights = new SortedDictionary<AtxId, Fraction>(Comparer<AtxId>.Create((a, b) => a.Span.SequenceCompareTo(b.Span)));
        ulong tickHeight = 0;
        foreach (var p in byId.Values)
        {
            tickHeight = Math.Max(tickHeight, p.BaseTickHeight);
            var w = new Fraction(new BigInteger(p.AtxWeight) * p.ProofCount, p.EligibilityCount);
            weights[p.AtxId] = weights.TryGetValue(p.AtxId, out var sum) ? sum + w : w;
        }

        return new Block(layer, tickHeight, weights.Select(kv => new AnyReward(kv.Key, kv.Value.ToRatNum())));
    }
}
