using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Signing;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Wire;

/// <summary>The rounds of one hare3 iteration, in wire order (go-spacemesh <c>hare3/types.go</c>; the order is part of the protocol).</summary>
public enum HareRound : byte
{
    /// <summary>Initial proposal sets (iteration 0 only).</summary>
    Preround = 0,

    /// <summary>Lock on a value committed with grade ≥ 4 in the previous iteration.</summary>
    Hardlock = 1,

    /// <summary>Lock on a value committed with grade ≥ 3 in the previous iteration.</summary>
    Softlock = 2,

    /// <summary>Leaders propose a set.</summary>
    Propose = 3,

    /// <summary>First network delay.</summary>
    Wait1 = 4,

    /// <summary>Second network delay.</summary>
    Wait2 = 5,

    /// <summary>Commit to the reference of a proposed set.</summary>
    Commit = 6,

    /// <summary>Notify the committed reference.</summary>
    Notify = 7,
}

/// <summary>
/// An iteration and round (go-spacemesh <c>hare3.IterRound</c>): <c>{Iter compact8, Round compact8}</c>.
/// <see cref="Absolute"/> = <c>Iter × 7 + Round</c> is what eligibility and the signed metadata use.
/// </summary>
/// <param name="Iter">The iteration, from 0.</param>
/// <param name="Round">The round.</param>
public readonly record struct IterRound(byte Iter, HareRound Round) : IComparable<IterRound>
{
    /// <summary><c>Iter × 7 + Round</c> (go-spacemesh <c>Absolute</c>; so (1, preround) equals (0, notify)).</summary>
    public uint Absolute => (uint)Iter * (uint)HareRound.Notify + (uint)Round;

    /// <summary>
    /// Network delays from <paramref name="since"/> to this round (go-spacemesh <c>Delay</c>): the difference of the
    /// absolute rounds, one less when counted from iteration 0's preround (hardlock is skipped there), and 0 when this
    /// round is not later.
    /// </summary>
    public uint Delay(IterRound since)
    {
        if (Absolute <= since.Absolute)
        {
            return 0;
        }

        var delay = Absolute - since.Absolute;
        if (since.Iter == 0 && since.Round == HareRound.Preround)
        {
            delay--;
        }

        return delay;
    }

    /// <summary>The order of <see cref="Absolute"/>, then iteration.</summary>
    public int CompareTo(IterRound other)
    {
        var c = Iter.CompareTo(other.Iter);
        return c != 0 ? c : Round.CompareTo(other.Round);
    }

    /// <summary>Round order.</summary>
    public static bool operator <(IterRound left, IterRound right) => left.CompareTo(right) < 0;

    /// <summary>Round order.</summary>
    public static bool operator >(IterRound left, IterRound right) => left.CompareTo(right) > 0;

    /// <summary>Round order.</summary>
    public static bool operator <=(IterRound left, IterRound right) => left.CompareTo(right) <= 0;

    /// <summary>Round order.</summary>
    public static bool operator >=(IterRound left, IterRound right) => left.CompareTo(right) >= 0;

    /// <summary>"iter/round".</summary>
    public override string ToString() => $"{Iter}/{Round}";
}

/// <summary>
/// A hare message's value (go-spacemesh <c>hare3.Value</c>): <c>{Proposals []ProposalID max 2350, Reference option
/// [32]}</c>. Preround and propose carry proposals; commit and notify carry a reference (the hash of a proposal set).
/// </summary>
public sealed class HareValue : IScaleEncodable, IScaleDecodable<HareValue>
{
    /// <summary>go-scale limit on <see cref="Proposals"/>.</summary>
    public const uint MaxProposals = 2350;

    /// <summary>The proposal ids (preround, propose), sorted.</summary>
    public IReadOnlyList<ProposalId> Proposals { get; init; } = [];

    /// <summary>The referenced set's hash (commit, notify).</summary>
    public Hash32? Reference { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        var ids = new Genesis.Hash20[Proposals.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Proposals[i].Value;
        }

        writer.WriteHash20Vector(ids, MaxProposals);
        writer.WriteOptionalHash32(Reference);
    }

    /// <inheritdoc/>
    public static HareValue Decode(ref ScaleReader reader) => new()
    {
        Proposals = [.. reader.ReadHash20Vector(MaxProposals).Select(h => new ProposalId(h))],
        Reference = reader.ReadOptionalHash32(),
    };
}

/// <summary>A hare eligibility (go-spacemesh <c>types.HareEligibility</c>): <c>{Proof [80], Count compact16}</c>.</summary>
/// <param name="Proof">The VRF proof over the hare eligibility message for (beacon, layer, absolute round).</param>
/// <param name="Count">How many committee seats the proof wins.</param>
public readonly record struct HareEligibility(VrfSignature Proof, ushort Count) : IScaleEncodable, IScaleDecodable<HareEligibility>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteFixed(Proof.Span);
        writer.WriteCompact16(Count);
    }

    /// <inheritdoc/>
    public static HareEligibility Decode(ref ScaleReader reader) => new(reader.ReadVrfSignature(), reader.ReadCompact16());
}

/// <summary>
/// The signed part of a hare message (go-spacemesh <c>hare3.Body</c>): <c>{Layer compact32, IterRound, Value,
/// Eligibility}</c>.
/// </summary>
public sealed class HareBody : IScaleEncodable, IScaleDecodable<HareBody>
{
    /// <summary>The layer the instance agrees on.</summary>
    public LayerId Layer { get; init; }

    /// <summary>The iteration and round.</summary>
    public IterRound IterRound { get; init; }

    /// <summary>The value.</summary>
    public HareValue Value { get; init; } = new();

    /// <summary>The sender's eligibility for (layer, round).</summary>
    public HareEligibility Eligibility { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteCompact8(IterRound.Iter);
        writer.WriteCompact8((byte)IterRound.Round);
        Value.Encode(ref writer);
        Eligibility.Encode(ref writer);
    }

    /// <inheritdoc/>
    public static HareBody Decode(ref ScaleReader reader) => new()
    {
        Layer = reader.ReadLayer(),
        IterRound = new IterRound(reader.ReadCompact8(), (HareRound)reader.ReadCompact8()),
        Value = HareValue.Decode(ref reader),
        Eligibility = HareEligibility.Decode(ref reader),
    };
}

/// <summary>
/// What a hare signature covers (go-spacemesh <c>malfeasance/wire.HareMetadata</c>): <c>{Layer compact32, Round
/// compact32 = absolute round, MsgHash [32] = blake3(scale(Body))}</c>. Also the inner message of a HareEquivocation
/// proof.
/// </summary>
/// <param name="Layer">The layer.</param>
/// <param name="Round">The absolute round (<see cref="IterRound.Absolute"/>).</param>
/// <param name="MsgHash">blake3 of the encoded body.</param>
public readonly record struct HareMetadata(LayerId Layer, uint Round, Hash32 MsgHash) : IScaleEncodable, IScaleDecodable<HareMetadata>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteCompact32(Round);
        writer.WriteHash32(MsgHash);
    }

    /// <inheritdoc/>
    public static HareMetadata Decode(ref ScaleReader reader) => new(reader.ReadLayer(), reader.ReadCompact32(), reader.ReadHash32());

    /// <summary>The encoded bytes (what is signed after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);

    /// <summary>go-spacemesh <c>Equivocation</c>: same layer and round, different message hash.</summary>
    public bool IsEquivocation(HareMetadata other) => Layer == other.Layer && Round == other.Round && MsgHash != other.MsgHash;
}

/// <summary>
/// A hare3 message (go-spacemesh <c>hare3.Message</c>, topic <c>/h/3.0</c>): <c>{Body, Sender [32], Signature [64]}</c>.
/// The signature is the HARE domain over <c>scale(HareMetadata{Layer, Absolute round, blake3(scale(Body))})</c>.
/// </summary>
public sealed class HareMessage : IScaleEncodable, IScaleDecodable<HareMessage>
{
    /// <summary>The signed part.</summary>
    public HareBody Body { get; init; } = new();

    /// <summary>The sender's identity.</summary>
    public NodeId Sender { get; set; }

    /// <summary>The sender's HARE-domain signature.</summary>
    public EdSignature Signature { get; set; }

    /// <summary>The layer.</summary>
    public LayerId Layer => Body.Layer;

    /// <summary>The iteration and round.</summary>
    public IterRound IterRound => Body.IterRound;

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Body.Encode(ref writer);
        writer.WriteHash32(Sender.Value);
        writer.WriteFixed(Signature.Span);
    }

    /// <inheritdoc/>
    public static HareMessage Decode(ref ScaleReader reader) => new()
    {
        Body = HareBody.Decode(ref reader),
        Sender = reader.ReadNodeId(),
        Signature = reader.ReadEdSignature(),
    };

    /// <summary>Decodes one message with go-spacemesh's codec rules (every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes.</exception>
    public static HareMessage Decode(ReadOnlySpan<byte> data) => ScaleCodec.Decode<HareMessage>(data);

    /// <summary>The encoding.</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);

    /// <summary><c>blake3(scale(Body))</c> (go-spacemesh <c>ToHash</c>).</summary>
    public Hash32 BodyHash() => WireCodec.HashOf(Body);

    /// <summary>The signed metadata.</summary>
    public HareMetadata Metadata() => new(Body.Layer, Body.IterRound.Absolute, BodyHash());

    /// <summary>The bytes the HARE signature covers (after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] SignedBytes() => Metadata().ToBytes();

    /// <summary>
    /// go-spacemesh <c>Validate</c>: commit and notify must carry a reference; preround and propose must not.
    /// </summary>
    public bool IsWellFormed() => Body.IterRound.Round switch
    {
        HareRound.Commit or HareRound.Notify => Body.Value.Reference is not null,
        HareRound.Preround or HareRound.Propose => Body.Value.Reference is null,
        _ => true,
    };

    /// <summary>Sets <see cref="Sender"/> and signs with the HARE domain.</summary>
    public void Sign(EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Sender = signer.NodeId;
        Signature = new EdSignature(signer.Sign(SignatureDomain.Hare, SignedBytes()));
    }

    /// <summary>True when <see cref="Signature"/> is <see cref="Sender"/>'s HARE-domain signature.</summary>
    public bool VerifySignature(EdVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return verifier.Verify(SignatureDomain.Hare, Sender, SignedBytes(), Signature.Span);
    }

    /// <summary>This message as one half of a HareEquivocation proof.</summary>
    public SignedProofMessage<HareMetadata> ToProofMessage() => new(Metadata(), Sender, Signature);
}
