using System.Numerics;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Mesh;

/// <summary>What a ballot says about one earlier layer.</summary>
public enum VoteKind : byte
{
    /// <summary>No opinion yet (hare had not terminated for the voter); also what a missing vote means.</summary>
    Abstain = 0,

    /// <summary>The layer's block is <see cref="LayerVote.Block"/>.</summary>
    Support = 1,

    /// <summary>The layer has no block (votes against every block of it).</summary>
    Empty = 2,
}

/// <summary>A ballot's vote on one earlier layer.</summary>
/// <param name="Layer">The layer voted on.</param>
/// <param name="Kind">The vote.</param>
/// <param name="Block">The block supported (only for <see cref="VoteKind.Support"/>).</param>
public readonly record struct LayerVote(LayerId Layer, VoteKind Kind, BlockId Block)
{
    /// <summary>Supports <paramref name="block"/> in <paramref name="layer"/>; an empty id means an empty layer.</summary>
    public static LayerVote For(LayerId layer, BlockId block) =>
        block.IsEmpty ? new(layer, VoteKind.Empty, BlockId.Empty) : new(layer, VoteKind.Support, block);

    /// <summary>Abstains on <paramref name="layer"/>.</summary>
    public static LayerVote Abstaining(LayerId layer) => new(layer, VoteKind.Abstain, BlockId.Empty);

    /// <summary>The opinion as a block id (empty for an empty layer), or <see langword="null"/> for abstain.</summary>
    public BlockId? Opinion => Kind switch
    {
        VoteKind.Support => Block,
        VoteKind.Empty => BlockId.Empty,
        _ => null,
    };
}

/// <summary>A ballot as the tortoise counts it.</summary>
/// <param name="Id">The ballot id.</param>
/// <param name="Layer">The ballot's layer.</param>
/// <param name="AtxId">The ATX the ballot is built on (it names the smesher, for malfeasance).</param>
/// <param name="Weight">The ballot's weight (ATX weight × proofs / eligibility count).</param>
/// <param name="Votes">Its full opinion on earlier layers (decoded from base ballot + Support/Against/Abstain); a layer
/// not listed is an abstain.</param>
/// <param name="Malicious">Whether the ballot's smesher was already known malicious when it arrived (weight 0).</param>
public sealed record TortoiseBallot(Hash20 Id, LayerId Layer, AtxId AtxId, RatNum Weight, IReadOnlyList<LayerVote> Votes, bool Malicious = false);

/// <summary>A change in the tortoise's opinion of a layer.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Block">The layer's block (<see cref="BlockId.Empty"/>: empty layer).</param>
/// <param name="Verified">Whether the layer is verified (irreversible); otherwise it is the current local opinion.</param>
public readonly record struct LayerUpdate(LayerId Layer, BlockId Block, bool Verified);

/// <summary>The tortoise's parameters (go-spacemesh <c>tortoise.Config</c>; mainnet Hdist 10, WindowSize 4032).</summary>
/// <param name="LayersPerEpoch">Layers per epoch.</param>
/// <param name="FirstLayer">The first layer after genesis; earlier layers are taken as verified and empty.</param>
/// <param name="Hdist">How many layers back hare output is trusted as the local opinion.</param>
/// <param name="WindowSize">How many layers after a target count towards its expected weight.</param>
public sealed record TortoiseConfig(uint LayersPerEpoch, LayerId FirstLayer, uint Hdist = 10, uint WindowSize = 4032);

/// <summary>
/// The verifying tortoise (NODE.md §3.1, §3.3; go-spacemesh <c>tortoise/verifying.go</c>, <c>threshold.go</c>),
/// deterministic and exact (rational weights, no floating point).
/// <para><b>Local opinion</b> of an unverified layer L, with <c>last</c> the newest layer seen: within Hdist
/// (<c>last − L ≤ Hdist</c>) it is the hare output (abstain while there is none); beyond Hdist it is the block (or the
/// empty layer) that the explicit votes of all honest ballots after L support with more than the local threshold, else
/// the hare output, else the empty layer (never abstain: the layer's hare has ended). A verified layer's opinion is its
/// decision.</para>
/// <para><b>Good ballot</b>: not malicious, and its vote on every layer from <c>max(FirstLayer, layer − WindowSize)</c> to
/// its layer − 1 equals the local opinion (abstain matches abstain), as upstream compares a ballot's opinion hash with
/// the local one.</para>
/// <para><b>Verifying</b> L = verified + 1 (in order, never skipping): the layer needs a non-abstain local opinion;
/// <c>margin</c> = weight of good ballots in layers (L, last]; <c>expected</c> = expected weight of the layers
/// (L, min(last, L + WindowSize)] = Σ epochWeight/LayersPerEpoch; the uncounted weight <c>expected − margin</c> (if
/// positive) is taken off the margin; L is verified when the margin exceeds
/// <c>globalThreshold = expected/3 + localThreshold</c>, <c>localThreshold = epochWeight(epoch of last)/3/LayersPerEpoch</c>.
/// Epoch weight is the sum of the weights of the ATXs that target it.</para>
/// <para><b>Simplifications</b> (each a documented departure from go-spacemesh): no full mode and no self-healing (a
/// layer that never gathers good weight stays unverified; beyond Hdist the vote tally gives the local opinion, which is
/// the part of full mode that lets a node that missed hare follow the network); a verified layer is never revisited;
/// no reference-height or beacon goodness conditions; ballots are counted whole (no base-ballot
/// "can be good" state); malicious identities' ballots weigh 0 from <see cref="OnMalfeasance"/> on but their ATXs stay
/// in the epoch weight (the threshold does not drop); nothing is pruned (fine for a devnet). Weights are recounted on
/// every <see cref="Updates"/> call over the unverified layers, which is simple and exact but O(ballots × window).</para>
/// </summary>
public sealed class VerifyingTortoise
{
    private readonly TortoiseConfig _config;
    private readonly Dictionary<EpochId, Fraction> _epochWeight = [];
    private readonly HashSet<AtxId> _atxSeen = [];
    private readonly Dictionary<AtxId, NodeId> _atxOwner = [];
    private readonly HashSet<NodeId> _malicious = [];
    private readonly Dictionary<Hash20, TortoiseBallot> _ballots = [];
    private readonly SortedDictionary<LayerId, List<TortoiseBallot>> _ballotsByLayer = [];
    private readonly Dictionary<LayerId, BlockId> _hare = [];
    private readonly Dictionary<LayerId, BlockId> _decided = [];
    private readonly Dictionary<LayerId, (BlockId Block, bool Verified)> _reported = [];
    private readonly Lock _gate = new();
    private LayerId _last;
    private LayerId _verified;
    private LayerId _finalReported;

    /// <summary>Creates the tortoise; layers before <see cref="TortoiseConfig.FirstLayer"/> count as verified.</summary>
    public VerifyingTortoise(TortoiseConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.LayersPerEpoch == 0) throw new ArgumentOutOfRangeException(nameof(config), "LayersPerEpoch must be positive");
        if (config.FirstLayer.Value == 0) throw new ArgumentOutOfRangeException(nameof(config), "FirstLayer must follow at least one genesis layer");
        _config = config;
        _verified = new LayerId(config.FirstLayer.Value - 1);
        _last = _verified;
        _finalReported = _verified;
    }

    /// <summary>The newest verified layer (<see cref="TortoiseConfig.FirstLayer"/> − 1 before any).</summary>
    public LayerId Verified
    {
        get
        {
            lock (_gate) return _verified;
        }
    }

    /// <summary>The newest layer seen.</summary>
    public LayerId Last
    {
        get
        {
            lock (_gate) return _last;
        }
    }

    /// <summary>Adds an ATX's weight to the epoch it targets (once per ATX id).</summary>
    public void OnAtx(EpochId targetEpoch, AtxId atx, NodeId smesher, ulong weight)
    {
        lock (_gate)
        {
            if (!_atxSeen.Add(atx)) return;
            _atxOwner[atx] = smesher;
            _epochWeight[targetEpoch] = EpochWeight(targetEpoch) + new Fraction(weight, BigInteger.One);
        }
    }

    /// <summary>Records a ballot (once per id); its layer becomes <see cref="Last"/> if newer.</summary>
    public void OnBallot(TortoiseBallot ballot)
    {
        ArgumentNullException.ThrowIfNull(ballot);
        _ = Fraction.Of(ballot.Weight);
        lock (_gate)
        {
            if (!_ballots.TryAdd(ballot.Id, ballot)) return;
            if (!_ballotsByLayer.TryGetValue(ballot.Layer, out var list)) _ballotsByLayer[ballot.Layer] = list = [];
            list.Add(ballot);
            if (ballot.Layer > _last) _last = ballot.Layer;
        }
    }

    /// <summary>Records the layer's hare output: the block built from it, or <see cref="BlockId.Empty"/>.</summary>
    public void OnHareOutput(LayerId layer, BlockId block)
    {
        lock (_gate)
        {
            _hare[layer] = block;
            if (layer > _last) _last = layer;
        }
    }

    /// <summary>Marks an identity malicious: its ballots weigh 0 from now on.</summary>
    public void OnMalfeasance(NodeId identity)
    {
        lock (_gate) _malicious.Add(identity);
    }

    /// <summary>Moves the newest layer to <paramref name="current"/> (the clock's layer) if it is newer.</summary>
    public void OnLayer(LayerId current)
    {
        lock (_gate)
        {
            if (current > _last) _last = current;
        }
    }

    /// <summary>
    /// Verifies what can be verified and returns the layers whose block or verified state changed since the last call,
    /// in layer order (a layer with an abstain opinion is not reported).
    /// </summary>
    public IReadOnlyList<LayerUpdate> Updates()
    {
        lock (_gate)
        {
            while (_verified < _last && TryVerify(new LayerId(_verified.Value + 1))) { }

            // Layers reported as verified are final: start after them.
            var updates = new List<LayerUpdate>();
            for (uint l = _finalReported.Value + 1; l <= _last.Value; l++)
            {
                var layer = new LayerId(l);
                bool verified = layer <= _verified;
                var opinion = verified ? _decided[layer] : LocalOpinion(layer);
                if (opinion is not { } block) continue;
                if (_reported.TryGetValue(layer, out var seen) && seen == (block, verified)) continue;
                _reported[layer] = (block, verified);
                updates.Add(new LayerUpdate(layer, block, verified));
            }

            _finalReported = _verified;
            return updates;
        }
    }

    /// <summary>The current opinion of <paramref name="layer"/>: its block (empty id: empty layer) and whether it is
    /// verified; <see langword="null"/> block for abstain.</summary>
    public (BlockId? Block, bool Verified) Opinion(LayerId layer)
    {
        lock (_gate)
        {
            if (layer < _config.FirstLayer) return (BlockId.Empty, true);
            return layer <= _verified ? (_decided[layer], true) : (LocalOpinion(layer), false);
        }
    }

    private bool TryVerify(LayerId target)
    {
        if (LocalOpinion(target) is not { } opinion) return false;

        var margin = Fraction.Zero;
        foreach (var (layer, ballots) in _ballotsByLayer)
        {
            if (layer <= target) continue;
            foreach (var ballot in ballots)
            {
                if (IsGood(ballot)) margin += Fraction.Of(ballot.Weight);
            }
        }

        var windowEnd = _last.Value - target.Value > _config.WindowSize ? new LayerId(target.Value + _config.WindowSize) : _last;
        var expected = ExpectedWeight(target, windowEnd);
        var uncounted = expected.MinusOrZero(margin);
        margin = margin.MinusOrZero(uncounted);
        var global = expected.DividedBy(3) + LocalThreshold();
        if (margin.IsZero || margin <= global)
        {
            return _last.Value - target.Value > _config.Hdist && TryVerifyByTally(target, expected, global);
        }

        _decided[target] = opinion;
        _verified = target;
        return true;
    }

    /// <summary>
    /// The full-mode fallback once verifying has stalled beyond Hdist (upstream switches to full mode there): every
    /// honest ballot after <paramref name="target"/> counts with its explicit vote on it, good or not. The leading
    /// choice (a block, or the empty layer) wins when its weight, less the weight voting for anything else and the
    /// expected weight not yet seen, passes the same global threshold. Nodes whose hare outputs differed can verify
    /// again this way, since their ballots are not "good" for each other while the window holds the disagreement.
    /// </summary>
    private bool TryVerifyByTally(LayerId target, Fraction expected, Fraction global)
    {
        var tally = new Dictionary<BlockId, Fraction>();
        var counted = Fraction.Zero;
        foreach (var (layer, ballots) in _ballotsByLayer)
        {
            if (layer <= target) continue;
            foreach (var ballot in ballots)
            {
                if (IsMalicious(ballot) || ballot.Weight.Num == 0) continue;
                var w = Fraction.Of(ballot.Weight);
                counted += w;
                foreach (var vote in ballot.Votes)
                {
                    if (vote.Layer != target || vote.Opinion is not { } choice) continue;
                    tally[choice] = (tally.TryGetValue(choice, out var t) ? t : Fraction.Zero) + w;
                }
            }
        }

        if (tally.Count == 0) return false;
        var best = tally.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First();
        var others = Fraction.Zero;
        foreach (var (choice, weight) in tally)
        {
            if (choice != best.Key) others += weight;
        }

        var margin = best.Value.MinusOrZero(others).MinusOrZero(expected.MinusOrZero(counted));
        if (margin.IsZero || margin <= global) return false;

        _decided[target] = best.Key;
        _verified = target;
        return true;
    }

    private BlockId? LocalOpinion(LayerId layer)
    {
        if (layer < _config.FirstLayer) return BlockId.Empty;
        if (layer <= _verified) return _decided[layer];
        if (layer > _last) return null;
        if (_last.Value - layer.Value <= _config.Hdist) return _hare.TryGetValue(layer, out var hare) ? hare : null;

        // Beyond Hdist: the tally of the explicit votes of honest ballots after the layer.
        var tally = new Dictionary<BlockId, Fraction>();
        foreach (var (ballotLayer, ballots) in _ballotsByLayer)
        {
            if (ballotLayer <= layer) continue;
            foreach (var ballot in ballots)
            {
                if (IsMalicious(ballot)) continue;
                foreach (var vote in ballot.Votes)
                {
                    if (vote.Layer != layer || vote.Opinion is not { } choice) continue;
                    tally[choice] = (tally.TryGetValue(choice, out var w) ? w : Fraction.Zero) + Fraction.Of(ballot.Weight);
                }
            }
        }

        var threshold = LocalThreshold();
        var best = tally.Where(kv => kv.Value > threshold).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).ToList();
        if (best.Count > 0) return best[0].Key;

        // No decisive tally: the hare output if there is one, else the empty layer. Beyond Hdist the hare of the layer
        // has ended everywhere, so nobody abstains any more (go-spacemesh abstains only while hare may still end);
        // without this, layers whose hare no node ran (all nodes down, or started after them) would be abstained on by
        // every ballot for ever, and no later layer could be verified.
        return _hare.TryGetValue(layer, out var output) ? output : BlockId.Empty;
    }

    private bool IsMalicious(TortoiseBallot ballot) =>
        ballot.Malicious || (_atxOwner.TryGetValue(ballot.AtxId, out var owner) && _malicious.Contains(owner));

    private bool IsGood(TortoiseBallot ballot)
    {
        if (IsMalicious(ballot) || ballot.Weight.Num == 0) return false;
        uint from = Math.Max(_config.FirstLayer.Value, ballot.Layer.Value > _config.WindowSize ? ballot.Layer.Value - _config.WindowSize : 0);
        var votes = new Dictionary<LayerId, BlockId?>();
        foreach (var vote in ballot.Votes) votes[vote.Layer] = vote.Opinion;
        for (uint l = from; l < ballot.Layer.Value; l++)
        {
            var layer = new LayerId(l);
            var theirs = votes.TryGetValue(layer, out var v) ? v : null;
            if (theirs != LocalOpinion(layer)) return false;
        }

        return true;
    }

    private Fraction EpochWeight(EpochId epoch) => _epochWeight.TryGetValue(epoch, out var w) ? w : Fraction.Zero;

    private Fraction LocalThreshold() => EpochWeight(_last.GetEpoch(_config.LayersPerEpoch)).DividedBy(3 * (BigInteger)_config.LayersPerEpoch);

    /// <summary>Σ over layers (target, last] of epochWeight(layer's epoch)/LayersPerEpoch (upstream computeExpectedWeight).</summary>
    private Fraction ExpectedWeight(LayerId target, LayerId last)
    {
        var sum = Fraction.Zero;
        uint lpe = _config.LayersPerEpoch;
        for (uint l = target.Value + 1; l <= last.Value;)
        {
            var epoch = new LayerId(l).GetEpoch(lpe);
            uint epochEnd = checked((epoch.Value + 1) * lpe) - 1;
            uint end = Math.Min(epochEnd, last.Value);
            sum += EpochWeight(epoch).Times(end - l + 1).DividedBy(lpe);
            l = end + 1;
        }

        return sum;
    }
}
