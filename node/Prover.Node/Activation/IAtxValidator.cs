using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Storage;

namespace Prover.Node.Activation;

/// <summary>
/// Contextual validation of a received (or self-built) ATX wire blob against the node's database: decoding, signature,
/// syntactic rules, dependencies, PoST, PoET membership, weight and malfeasance (NODE.md §1.5). A valid ATX is stored.
/// </summary>
public interface IAtxValidator
{
    /// <summary>Validates <paramref name="blob"/>; a valid ATX is stored, an invalid one never is.</summary>
    ValueTask<AtxVerdict> ValidateAsync(ReadOnlyMemory<byte> blob, CancellationToken ct);
}

/// <summary>Why an ATX was rejected (<see cref="None"/> for an accepted one).</summary>
public enum AtxRejection
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>The blob does not decode as an ATX V1 (bad SCALE, a length over its limit, trailing bytes).</summary>
    Malformed,

    /// <summary>An ATX with this id is already stored.</summary>
    AlreadyKnown,

    /// <summary>The ed25519 signature (ATX domain over the signed bytes) does not verify.</summary>
    BadSignature,

    /// <summary>A syntactic rule failed (<see cref="AtxVerdict.SyntaxReason"/> says which).</summary>
    Syntax,

    /// <summary>NumUnits is outside the network's [min, max].</summary>
    NumUnitsOutOfBounds,

    /// <summary>LabelsPerUnit is below the network's.</summary>
    LabelsPerUnitTooSmall,

    /// <summary>The PoST challenge in the metadata is not 32 bytes.</summary>
    BadPostChallenge,

    /// <summary>The VRF nonce's label is not below the VRF difficulty.</summary>
    BadVrfNonce,

    /// <summary>The initial PoST (over the zero challenge) does not verify.</summary>
    InvalidInitialPost,

    /// <summary>The commitment ATX is neither golden nor stored (or the identity has no initial ATX).</summary>
    UnknownCommitmentAtx,

    /// <summary>An initial ATX's commitment ATX is not published before it.</summary>
    CommitmentAtxNotBefore,

    /// <summary>The previous ATX is not stored.</summary>
    UnknownPrevAtx,

    /// <summary>The previous ATX was signed by another identity.</summary>
    PrevAtxOfOtherSmesher,

    /// <summary>The previous ATX is not published before this one.</summary>
    PrevAtxNotBefore,

    /// <summary>Sequence is not the previous ATX's sequence + 1.</summary>
    WrongSequence,

    /// <summary>The positioning ATX is neither golden nor stored.</summary>
    UnknownPositioningAtx,

    /// <summary>The positioning ATX is not published before this one.</summary>
    PositioningAtxNotBefore,

    /// <summary>No PoET proof is stored under the PoST challenge.</summary>
    MissingPoetProof,

    /// <summary>The stored PoET proof does not decode, hash to its reference, or verify.</summary>
    InvalidPoetProof,

    /// <summary>The NIPoST challenge is not a member of the PoET round (leaf index or siblings wrong).</summary>
    PoetMembership,

    /// <summary>The NIPoST's PoST does not verify.</summary>
    InvalidPost,

    /// <summary>effective units × ticks overflows 64 bits.</summary>
    WeightOverflow,

    /// <summary>The identity already has an ATX for this publish epoch: a MultipleATXs malfeasance proof was stored.</summary>
    DoublePublish,

    /// <summary>The identity already has an ATX with this previous ATX: an InvalidPrevATX malfeasance proof was stored.</summary>
    PrevAtxReused,
}

/// <summary>
/// The outcome of <see cref="IAtxValidator.ValidateAsync"/>: accepted with the derived values, or rejected with a typed
/// reason and a message. The decoded ATX and its id are set whenever the blob decoded.
/// </summary>
public sealed record AtxVerdict
{
    /// <summary>True when the ATX passed every rule (and was stored).</summary>
    public bool IsValid => Reason == AtxRejection.None;

    /// <summary>Why it was rejected; <see cref="AtxRejection.None"/> when valid.</summary>
    public AtxRejection Reason { get; init; }

    /// <summary>The rule's words (null when valid).</summary>
    public string? Message { get; init; }

    /// <summary>The syntactic rule that failed, for <see cref="AtxRejection.Syntax"/>.</summary>
    public AtxSyntaxReason? SyntaxReason { get; init; }

    /// <summary>The decoded ATX (null when the blob did not decode).</summary>
    public ActivationTxV1? Atx { get; init; }

    /// <summary>The ATX id (null when the blob did not decode).</summary>
    public AtxId? Id { get; init; }

    /// <summary>effective units × ticks.</summary>
    public ulong Weight { get; init; }

    /// <summary>The positioning ATX's tick height (0 for golden).</summary>
    public ulong BaseTickHeight { get; init; }

    /// <summary>PoET leaf count / tick size.</summary>
    public ulong TickCount { get; init; }

    /// <summary><see cref="BaseTickHeight"/> + <see cref="TickCount"/>.</summary>
    public ulong TickHeight => BaseTickHeight + TickCount;

    /// <summary>min(NumUnits, previous ATX's NumUnits); NumUnits for an initial ATX.</summary>
    public uint EffectiveNumUnits { get; init; }

    /// <summary>Valid when every PoST index was checked, Unknown after a K3 subset check (go-spacemesh's rule).</summary>
    public AtxValidity Validity { get; init; }

    /// <summary>The malfeasance proof that arose (stored in the node's database), or null.</summary>
    public ReadOnlyMemory<byte>? MalfeasanceProof { get; init; }

    /// <summary>A rejection.</summary>
    public static AtxVerdict Rejected(AtxRejection reason, string message, ActivationTxV1? atx = null, AtxId? id = null) =>
        new() { Reason = reason, Message = message, Atx = atx, Id = id, Validity = AtxValidity.Invalid };
}
