using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// Between a ballot's wire votes (<see cref="Votes"/>: a base ballot plus Support/Against/Abstain) and the full opinion
/// the tortoise counts (<see cref="LayerVote"/> per layer). This node's ballots name no base ballot and vote on every
/// layer of the window before them: a layer whose block they support is in Support, a layer they abstain on in Abstain,
/// and a layer they hold empty is in neither (go-spacemesh's reading of a layer after the base that no vote names).
/// A received ballot with a base takes the base's opinion and applies its own votes on top.
/// </summary>
internal static class BallotVotes
{
    /// <summary>The votes of a ballot in <paramref name="layer"/> from the local opinion of each earlier layer.</summary>
    public static Votes Build(LayerId layer, LayerId first, uint window,
        Func<LayerId, BlockId?> opinion, Func<BlockId, ulong> heightOf)
    {
        var support = new List<BlockHeader>();
        var abstain = new List<LayerId>();
        foreach (var l in Window(layer, first, window))
        {
            switch (opinion(l))
            {
                case null:
                    abstain.Add(l);
                    break;
                case { IsEmpty: false } block:
                    support.Add(new BlockHeader(block, l, heightOf(block)));
                    break;
            }
        }

        return new Votes { Base = BallotId.Empty, Support = support, Abstain = abstain };
    }

    /// <summary>The full opinion of a ballot, over the window before its layer.</summary>
    public static List<LayerVote> Decode(Ballot ballot, LayerId first, uint window, Func<BallotId, IReadOnlyList<LayerVote>?> baseVotes)
    {
        var votes = new SortedDictionary<LayerId, LayerVote>();
        var from = ballot.Votes.Base == BallotId.Empty ? null : baseVotes(ballot.Votes.Base);
        if (from is not null)
        {
            foreach (var v in from) votes[v.Layer] = v;
        }

        var range = Window(ballot.Layer, first, window).ToList();
        var baseLast = from is { Count: > 0 } ? from.Max(v => v.Layer) : default;
        foreach (var l in range)
        {
            if (from is null || l > baseLast) votes[l] = LayerVote.For(l, BlockId.Empty);
        }

        foreach (var against in ballot.Votes.Against)
        {
            if (votes.TryGetValue(against.Layer, out var v) && v.Block == against.Id)
            {
                votes[against.Layer] = LayerVote.For(against.Layer, BlockId.Empty);
            }
        }

        foreach (var s in ballot.Votes.Support) votes[s.Layer] = LayerVote.For(s.Layer, s.Id);
        foreach (var a in ballot.Votes.Abstain) votes[a] = LayerVote.Abstaining(a);
        var lowest = range.Count > 0 ? range[0] : ballot.Layer;
        return [.. votes.Values.Where(v => v.Layer >= lowest && v.Layer < ballot.Layer)];
    }

    /// <summary>An opinion hash over the votes (blake3 of layer u32 LE ‖ kind ‖ block id per layer): carried in the
    /// inner ballot for peers; this node does not check it.</summary>
    public static Hash32 OpinionHash(IEnumerable<LayerVote> votes)
    {
        using var hasher = Core.Crypto.Blake3.CreateHasher();
        Span<byte> buffer = stackalloc byte[4];
        foreach (var v in votes)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer, v.Layer.Value);
            hasher.Update(buffer);
            hasher.Update([(byte)v.Kind]);
            hasher.Update(v.Block.Span);
        }

        Span<byte> hash = stackalloc byte[32];
        hasher.Finalize(hash);
        return new Hash32(hash);
    }

    private static IEnumerable<LayerId> Window(LayerId layer, LayerId first, uint window)
    {
        uint from = Math.Max(first.Value, layer.Value > window ? layer.Value - window : 0);
        for (uint l = from; l < layer.Value; l++) yield return new LayerId(l);
    }
}
