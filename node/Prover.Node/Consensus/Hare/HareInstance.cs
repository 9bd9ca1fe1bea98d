using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Hare;

/// <summary>Hare settings for one layer.</summary>
/// <param name="Committee">Committee size for the layer (mainnet 400, 50 from layer 105 720); threshold = committee/2 + 1.</param>
/// <param name="IterationsLimit">Iterations before the instance gives up (mainnet 4).</param>
public readonly record struct HareSettings(ushort Committee, byte IterationsLimit = 4)
{
    /// <summary><c>committee/2 + 1</c>, weighted by eligibility count.</summary>
    public ushort Threshold => (ushort)((Committee / 2) + 1);
}

/// <summary>What one round tick of a <see cref="HareInstance"/> produced.</summary>
public sealed class HareStep
{
    /// <summary>The round this tick executed.</summary>
    public required IterRound Round { get; init; }

    /// <summary>Signed messages to gossip on <c>/h/3.0</c> (empty when there is nothing to say or no seat).</summary>
    public IReadOnlyList<HareMessage> Messages { get; init; } = [];

    /// <summary>The weak coin (the lowest bit of the smallest preround VRF), once.</summary>
    public bool? Coin { get; init; }

    /// <summary>The agreed, sorted proposal set, at the tick that decided it (possibly empty).</summary>
    public IReadOnlyList<ProposalId>? Result { get; init; }

    /// <summary>The instance is finished: it terminated one iteration after its result, or gave up.</summary>
    public bool Completed { get; init; }

    /// <summary>The instance gave up without a result (iteration limit, or terminated without one).</summary>
    public bool Failed { get; init; }
}

/// <summary>Why a received message was dropped, or that it was taken.</summary>
public enum HareInputStatus
{
    /// <summary>New and counted; relay it.</summary>
    Accepted,

    /// <summary>A copy of a message already seen, or another message of a sender already caught equivocating.</summary>
    Duplicate,

    /// <summary>Conflicts with an earlier message of the same sender and round: counted as malicious; relay it with the proof.</summary>
    Equivocation,

    /// <summary>For another layer.</summary>
    WrongLayer,

    /// <summary>Commit/notify without a reference, preround/propose with one, or an unknown round.</summary>
    Malformed,

    /// <summary>The HARE signature does not verify.</summary>
    InvalidSignature,

    /// <summary>The eligibility does not verify (grade 0).</summary>
    NotEligible,
}

/// <summary>The outcome of a received message.</summary>
/// <param name="Status">What happened to it.</param>
/// <param name="Proof">For <see cref="HareInputStatus.Equivocation"/>: the HareEquivocation malfeasance proof naming the sender.</param>
public readonly record struct HareInputResult(HareInputStatus Status, MalfeasanceProof? Proof = null)
{
    /// <summary>The message is new (accepted or an equivocation) and should be relayed.</summary>
    public bool Gossip => Status is HareInputStatus.Accepted or HareInputStatus.Equivocation;
}

/// <summary>
/// One identity's hare3 instance for one layer: a deterministic state machine with no clock and no network inside.
/// The caller feeds received messages (<see cref="Receive"/>, or <see cref="OnInput"/> with a verdict it computed) and
/// ticks <see cref="Next"/> once per round (preround at layer start + preround delay, then every round duration); each
/// tick returns the signed messages to gossip and, at the end, the agreed proposal set. Eligibility comes from an
/// <see cref="IHareOracle"/>; equivocations produce HareEquivocation malfeasance proofs.
/// </summary>
public sealed class HareInstance
{
    private readonly HareProtocol _protocol;
    private readonly EdSigner _signer;
    private readonly VrfSigner _vrf;
    private readonly IHareOracle _oracle;
    private readonly HashSet<NodeId> _equivocators = [];
    private bool _hasResult;

    /// <summary>Creates the instance for <paramref name="layer"/> with this node's initial proposal set.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="settings">Committee and iteration limit.</param>
    /// <param name="signer">The identity that signs this node's messages.</param>
    /// <param name="vrf">The identity's VRF (for its eligibility proofs).</param>
    /// <param name="oracle">Eligibility.</param>
    /// <param name="initial">The valid proposals this node saw for the layer (any order; sorted here).</param>
    public HareInstance(LayerId layer, HareSettings settings, EdSigner signer, VrfSigner vrf, IHareOracle oracle, IEnumerable<ProposalId> initial)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(vrf);
        ArgumentNullException.ThrowIfNull(oracle);
        ArgumentNullException.ThrowIfNull(initial);
        Layer = layer;
        Settings = settings;
        _signer = signer;
        _vrf = vrf;
        _oracle = oracle;
        var sorted = initial.Distinct().ToList();
        sorted.Sort();
        _protocol = new HareProtocol(settings.Threshold) { Initial = sorted };
    }

    /// <summary>The layer.</summary>
    public LayerId Layer { get; }

    /// <summary>The settings.</summary>
    public HareSettings Settings { get; }

    /// <summary>The identity.</summary>
    public NodeId NodeId => _signer.NodeId;

    /// <summary>The round the next <see cref="Next"/> executes (and that received messages are stamped with).</summary>
    public IterRound Current => _protocol.Current;

    /// <summary>The agreed proposal set, once decided.</summary>
    public IReadOnlyList<ProposalId>? Output { get; private set; }

    /// <summary>The weak coin, once known.</summary>
    public bool? Coin { get; private set; }

    /// <summary>True once terminated or given up.</summary>
    public bool Completed { get; private set; }

    /// <summary>Identities caught equivocating in this instance.</summary>
    public IReadOnlyCollection<NodeId> Equivocators => _equivocators;

    /// <summary>
    /// Checks a received message as go-spacemesh's hare handler does (layer, well-formedness, HARE signature,
    /// eligibility through the oracle) and takes it.
    /// </summary>
    /// <param name="message">The decoded message.</param>
    /// <param name="verifier">The network's signature verifier.</param>
    /// <param name="senderMalicious">The sender is already known to be malicious.</param>
    public HareInputResult Receive(HareMessage message, EdVerifier verifier, bool senderMalicious = false)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(verifier);
        if (message.Layer != Layer)
        {
            return new(HareInputStatus.WrongLayer);
        }

        if (!IsWellFormed(message))
        {
            return new(HareInputStatus.Malformed);
        }

        if (!message.VerifySignature(verifier))
        {
            return new(HareInputStatus.InvalidSignature);
        }

        return OnInput(message, new HareVerdict(_oracle.Validate(message), senderMalicious));
    }

    /// <summary>
    /// Takes a message whose signature the caller has checked, with the caller's eligibility verdict. A grade-0 verdict
    /// drops it; a conflicting second message of the same sender and round yields a HareEquivocation proof.
    /// </summary>
    public HareInputResult OnInput(HareMessage message, HareVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Layer != Layer)
        {
            return new(HareInputStatus.WrongLayer);
        }

        if (!IsWellFormed(message))
        {
            return new(HareInputStatus.Malformed);
        }

        if (verdict.Grade == HareGrade.Grade0 || message.Body.Eligibility.Count == 0)
        {
            return new(HareInputStatus.NotEligible);
        }

        var malicious = verdict.Malicious || _equivocators.Contains(message.Sender);
        var (gossip, equivocation) = _protocol.OnInput(message, message.BodyHash(), verdict.Grade, malicious);
        if (equivocation is not null)
        {
            _equivocators.Add(message.Sender);
            return new(HareInputStatus.Equivocation, equivocation.ToMalfeasanceProof());
        }

        return new(gossip ? HareInputStatus.Accepted : HareInputStatus.Duplicate);
    }

    /// <summary>
    /// One round tick: executes <see cref="Current"/>, signs the resulting message when this identity holds a seat for
    /// the round, and reports the coin and the result when they appear. After <see cref="Completed"/> it does nothing.
    /// </summary>
    public HareStep Next()
    {
        var round = _protocol.Current;
        if (Completed)
        {
            return new HareStep { Round = round, Completed = true, Failed = !_hasResult };
        }

        var eligibility = IsMessageRound(round.Round) ? _oracle.Active(_vrf, Layer, round) : null;
        var output = _protocol.Next();
        var messages = new List<HareMessage>(1);
        if (output.Message is not null && eligibility is { Count: > 0 } seat)
        {
            var message = new HareMessage
            {
                Body = new HareBody { Layer = Layer, IterRound = round, Value = output.Message, Eligibility = seat },
            };
            message.Sign(_signer);
            messages.Add(message);
        }

        if (output.Coin is { } coin)
        {
            Coin = coin;
        }

        if (output.Result is not null)
        {
            Output = output.Result;
            _hasResult = true;
        }

        Completed = output.Terminated || round.Iter >= Settings.IterationsLimit;
        return new HareStep
        {
            Round = round,
            Messages = messages,
            Coin = output.Coin,
            Result = output.Result,
            Completed = Completed,
            Failed = Completed && !_hasResult,
        };
    }

    /// <summary>Rounds in which messages are sent: preround, propose, commit, notify.</summary>
    public static bool IsMessageRound(HareRound round) =>
        round is HareRound.Preround or HareRound.Propose or HareRound.Commit or HareRound.Notify;

    private static bool IsWellFormed(HareMessage message) =>
        message.IterRound.Round <= HareRound.Notify && message.IsWellFormed();
}
