using Prover.Core.Primitives;
using Prover.Node.Consensus.Hare;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Vrf;
using HareOracleMath = Prover.Node.Consensus.Eligibility.HareEligibility;
using VrfMessages = Prover.Node.Consensus.Eligibility.VrfMessages;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// The hare eligibility oracle of one epoch (go-spacemesh <c>hare3/legacy_oracle.go</c>): an identity's weight is its
/// ATX's weight in the epoch's active set, the total is the active set's weight, the committee is
/// <see cref="ConsensusOptions.HareCommittee"/> (<see cref="ConsensusOptions.HareLeaders"/> in the propose round).
/// Identities outside the active set, and those the engine knows to be malicious, hold no seat.
/// </summary>
internal sealed class EpochHareOracle(EpochContext context, ConsensusOptions options, Func<NodeId, bool> isMalicious) : IHareOracle
{
    private readonly Beacon _beacon = new(context.Beacon.ToArray());

    public HareEligibility? Active(VrfSigner signer, LayerId layer, IterRound round)
    {
        if (context.AtxOf(signer.NodeId) is not { } atx || context.TotalWeight == 0 || isMalicious(signer.NodeId)) return null;
        uint absolute = round.Absolute;
        var proof = signer.Sign(VrfMessages.Hare(_beacon, absolute, layer));
        var count = HareOracleMath.CalcEligibility(proof, atx.Weight, context.TotalWeight, Committee(round));
        return count == 0 ? null : new HareEligibility(new VrfSignature(proof), count);
    }

    public HareGrade Validate(HareMessage message)
    {
        if (context.AtxOf(message.Sender) is not { } atx || context.TotalWeight == 0) return HareGrade.Grade0;
        var eligibility = message.Body.Eligibility;
        if (eligibility.Count == 0) return HareGrade.Grade0;
        return HareOracleMath.VerifyCount(message.Sender, eligibility.Proof.Span, _beacon, message.IterRound.Absolute,
            message.Layer, atx.Weight, context.TotalWeight, Committee(message.IterRound), eligibility.Count)
            ? HareGrade.Grade5
            : HareGrade.Grade0;
    }

    private int Committee(IterRound round) =>
        (int)(round.Round == HareRound.Propose ? options.HareLeaders : options.HareCommittee);
}

/// <summary>
/// The hare of one layer on this node: one hare3 instance per own identity in the epoch's active set (each signs its
/// own messages; they all see the same messages and reach the same result). Received messages are checked once
/// (signature, eligibility) and given to every instance. The output is taken from the first instance that decides;
/// the instances keep running until they complete, so that the other nodes can finish too. A node without an
/// identity in the active set runs an instance with no seat (it only listens) for each identity it has, and takes
/// no output when it has none (its tortoise then follows the votes of others).
/// </summary>
internal sealed class HareLayer
{
    private readonly List<HareInstance> _instances = [];
    private readonly EpochHareOracle _oracle;
    private readonly EdVerifier _verifier;
    private readonly Func<NodeId, bool> _isMalicious;

    public HareLayer(LayerId layer, EpochContext context, ConsensusOptions options, IReadOnlyList<(EdSigner Signer, VrfSigner Vrf)> identities,
        EdVerifier verifier, Func<NodeId, bool> isMalicious, IReadOnlyList<ProposalId> input)
    {
        Layer = layer;
        _verifier = verifier;
        _isMalicious = isMalicious;
        _oracle = new EpochHareOracle(context, options, isMalicious);
        var settings = new HareSettings((ushort)Math.Min(options.HareCommittee, ushort.MaxValue), options.HareIterations);
        foreach (var (signer, vrf) in identities) _instances.Add(new HareInstance(layer, settings, signer, vrf, _oracle, input));
    }

    public LayerId Layer { get; }

    /// <summary>The output, once decided (null before).</summary>
    public IReadOnlyList<ProposalId>? Output { get; private set; }

    /// <summary>Whether every instance has completed.</summary>
    public bool Completed => _instances.Count == 0 || _instances.All(i => i.Completed);

    /// <summary>The tick (0-based) at which an undisturbed hare decides: the hardlock of iteration 1, after the
    /// preround and the seven rounds of iteration 0.</summary>
    public const int OutputTick = 8;

    /// <summary>The most round ticks a layer needs: preround, then the iterations of seven rounds, then one more
    /// iteration to terminate.</summary>
    public static int RoundCount(ConsensusOptions options) => 1 + ((options.HareIterations + 1) * 7);

    /// <summary>Ticks every instance once; signed messages go to <paramref name="outbox"/>. Returns the output when it
    /// is decided at this tick (an empty list when the instances gave up without one).</summary>
    public IReadOnlyList<ProposalId>? Tick(List<(string Topic, byte[] Payload)> outbox)
    {
        if (_instances.Count == 0) return null;
        IReadOnlyList<ProposalId>? decided = null;
        foreach (var instance in _instances)
        {
            var step = instance.Next();
            foreach (var message in step.Messages) outbox.Add((Topics.Hare, message.ToBytes()));
            if (Output is null && decided is null)
            {
                if (step.Result is { } result) decided = result;
                else if (step.Failed) decided = [];
            }
        }

        if (decided is not null) Output = decided;
        return decided;
    }

    /// <summary>Checks a received message once and gives it to every instance; returns the gossip verdict and any
    /// equivocation proof.</summary>
    public (GossipVerdict Verdict, MalfeasanceProof? Proof) Receive(HareMessage message)
    {
        if (message.Layer != Layer) return (GossipVerdict.Ignore, null);
        if (!message.VerifySignature(_verifier)) return (GossipVerdict.Reject, null);
        var grade = _oracle.Validate(message);
        if (grade == HareGrade.Grade0) return (GossipVerdict.Reject, null);
        var verdict = new HareVerdict(grade, _isMalicious(message.Sender));
        GossipVerdict gossip = GossipVerdict.Ignore;
        MalfeasanceProof? proof = null;
        foreach (var instance in _instances)
        {
            var result = instance.OnInput(message, verdict);
            if (result.Gossip) gossip = GossipVerdict.Accept;
            proof ??= result.Proof;
            if (result.Status is HareInputStatus.Malformed) return (GossipVerdict.Reject, null);
        }

        if (_instances.Count == 0) gossip = GossipVerdict.Accept;
        return (gossip, proof);
    }
}
