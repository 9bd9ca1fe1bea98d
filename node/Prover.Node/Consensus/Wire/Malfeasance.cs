using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Signing;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Wire;

/// <summary>
/// What an ATX V1 signs (go-spacemesh <c>types.ATXMetadata</c>): <c>{PublishEpoch compact32, MsgHash [32] = ATX id}</c>.
/// </summary>
/// <param name="PublishEpoch">The ATX's publish epoch.</param>
/// <param name="MsgHash">The ATX id.</param>
public readonly record struct AtxMetadata(EpochId PublishEpoch, Hash32 MsgHash) : IScaleEncodable, IScaleDecodable<AtxMetadata>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(PublishEpoch.Value);
        writer.WriteHash32(MsgHash);
    }

    /// <inheritdoc/>
    public static AtxMetadata Decode(ref ScaleReader reader) => new(new EpochId(reader.ReadCompact32()), reader.ReadHash32());

    /// <summary>The encoded bytes (what is signed after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);
}

/// <summary>
/// One signed message of a MultipleATXs, MultipleBallots or HareEquivocation proof (go-spacemesh <c>AtxProofMsg</c>,
/// <c>BallotProofMsg</c>, <c>HareProofMsg</c>): <c>{InnerMsg, SmesherID [32], Signature [64]}</c>, where the inner
/// message is <see cref="AtxMetadata"/>, <see cref="BallotMetadata"/> or <see cref="HareMetadata"/>.
/// </summary>
/// <typeparam name="TInner">What was signed.</typeparam>
/// <param name="InnerMsg">What was signed.</param>
/// <param name="SmesherId">The signer.</param>
/// <param name="Signature">The signature.</param>
public readonly record struct SignedProofMessage<TInner>(TInner InnerMsg, NodeId SmesherId, EdSignature Signature)
    : IScaleEncodable, IScaleDecodable<SignedProofMessage<TInner>>
    where TInner : struct, IScaleEncodable, IScaleDecodable<TInner>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        InnerMsg.Encode(ref writer);
        writer.WriteHash32(SmesherId.Value);
        writer.WriteFixed(Signature.Span);
    }

    /// <inheritdoc/>
    public static SignedProofMessage<TInner> Decode(ref ScaleReader reader) =>
        new(TInner.Decode(ref reader), reader.ReadNodeId(), reader.ReadEdSignature());
}

/// <summary>The payload of a V1 malfeasance proof; <see cref="Type"/> is its wire tag.</summary>
public abstract class MalfeasanceProofData : IScaleEncodable
{
    /// <summary>The proof type byte (<see cref="MalfeasanceProof.MultipleAtxs"/> …).</summary>
    public abstract byte Type { get; }

    /// <inheritdoc/>
    public abstract void Encode(ref ScaleWriter writer);
}

/// <summary>The shape of proof types 1–3: two signed messages of one identity, encoded in order.</summary>
/// <typeparam name="TInner">What each message signs.</typeparam>
public abstract class SignedPairProof<TInner>(SignedProofMessage<TInner> first, SignedProofMessage<TInner> second) : MalfeasanceProofData
    where TInner : struct, IScaleEncodable, IScaleDecodable<TInner>
{
    /// <summary>The first signed message.</summary>
    public SignedProofMessage<TInner> First { get; } = first;

    /// <summary>The second signed message.</summary>
    public SignedProofMessage<TInner> Second { get; } = second;

    /// <inheritdoc/>
    public override void Encode(ref ScaleWriter writer)
    {
        First.Encode(ref writer);
        Second.Encode(ref writer);
    }
}

/// <summary>Two ATXs of one identity for one publish epoch (type 1): <c>AtxProof{Messages [2]AtxProofMsg}</c>.</summary>
public sealed class AtxProof(SignedProofMessage<AtxMetadata> first, SignedProofMessage<AtxMetadata> second) : SignedPairProof<AtxMetadata>(first, second)
{
    /// <inheritdoc/>
    public override byte Type => MalfeasanceProof.MultipleAtxs;
}

/// <summary>Two ballots of one identity in one layer (type 2): <c>BallotProof{Messages [2]BallotProofMsg}</c>.</summary>
public sealed class BallotProof(SignedProofMessage<BallotMetadata> first, SignedProofMessage<BallotMetadata> second) : SignedPairProof<BallotMetadata>(first, second)
{
    /// <inheritdoc/>
    public override byte Type => MalfeasanceProof.MultipleBallots;
}

/// <summary>Two hare messages of one identity for one layer and round (type 3): <c>HareProof{Messages [2]HareProofMsg}</c>.</summary>
public sealed class HareProof(SignedProofMessage<HareMetadata> first, SignedProofMessage<HareMetadata> second) : SignedPairProof<HareMetadata>(first, second)
{
    /// <inheritdoc/>
    public override byte Type => MalfeasanceProof.HareEquivocation;

    /// <summary>go-spacemesh <c>ToMalfeasanceProof</c>: the proof dated at the first message's layer.</summary>
    public MalfeasanceProof ToMalfeasanceProof() => new(First.InnerMsg.Layer, this);
}

/// <summary>An ATX with an invalid PoST index (type 4): <c>{Atx ActivationTxV1, InvalidIdx compact32}</c>. Decoded and relayed; not verified here.</summary>
public sealed class InvalidPostIndexProof(ActivationTxV1 atx, uint invalidIndex) : MalfeasanceProofData
{
    /// <summary>The ATX.</summary>
    public ActivationTxV1 Atx { get; } = atx;

    /// <summary>The index of the invalid PoST label.</summary>
    public uint InvalidIndex { get; } = invalidIndex;

    /// <inheritdoc/>
    public override byte Type => MalfeasanceProof.InvalidPostIndex;

    /// <inheritdoc/>
    public override void Encode(ref ScaleWriter writer)
    {
        Atx.Encode(ref writer);
        writer.WriteCompact32(InvalidIndex);
    }
}

/// <summary>Two ATXs naming one previous ATX (type 5): <c>{Atx1, Atx2 ActivationTxV1}</c>. Decoded and relayed; not verified here.</summary>
public sealed class InvalidPrevAtxProof(ActivationTxV1 atx1, ActivationTxV1 atx2) : MalfeasanceProofData
{
    /// <summary>The first ATX.</summary>
    public ActivationTxV1 Atx1 { get; } = atx1;

    /// <summary>The second ATX.</summary>
    public ActivationTxV1 Atx2 { get; } = atx2;

    /// <inheritdoc/>
    public override byte Type => MalfeasanceProof.InvalidPrevAtx;

    /// <inheritdoc/>
    public override void Encode(ref ScaleWriter writer)
    {
        Atx1.Encode(ref writer);
        Atx2.Encode(ref writer);
    }
}

/// <summary>
/// A V1 malfeasance proof (go-spacemesh <c>malfeasance/wire.MalfeasanceProof</c>): <c>{Layer compact32, Proof{Type
/// u8 (not compact), Data}}</c>. An unknown type byte is refused on decode.
/// </summary>
public sealed class MalfeasanceProof(LayerId layer, MalfeasanceProofData data) : IScaleEncodable, IScaleDecodable<MalfeasanceProof>
{
    /// <summary>Two ATXs for one publish epoch.</summary>
    public const byte MultipleAtxs = 1;

    /// <summary>Two ballots in one layer.</summary>
    public const byte MultipleBallots = 2;

    /// <summary>Two hare messages for one layer and round.</summary>
    public const byte HareEquivocation = 3;

    /// <summary>An ATX with an invalid PoST index.</summary>
    public const byte InvalidPostIndex = 4;

    /// <summary>Two ATXs with one previous ATX.</summary>
    public const byte InvalidPrevAtx = 5;

    /// <summary>The layer the proof was made in (for network upgrades).</summary>
    public LayerId Layer { get; } = layer;

    /// <summary>The proof.</summary>
    public MalfeasanceProofData Data { get; } = data ?? throw new ArgumentNullException(nameof(data));

    /// <summary>The type byte.</summary>
    public byte Type => Data.Type;

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteByte(Data.Type);
        Data.Encode(ref writer);
    }

    /// <inheritdoc/>
    public static MalfeasanceProof Decode(ref ScaleReader reader)
    {
        var layer = reader.ReadLayer();
        var at = reader.Position;
        MalfeasanceProofData data = reader.ReadByte() switch
        {
            MultipleAtxs => new AtxProof(SignedProofMessage<AtxMetadata>.Decode(ref reader), SignedProofMessage<AtxMetadata>.Decode(ref reader)),
            MultipleBallots => new BallotProof(SignedProofMessage<BallotMetadata>.Decode(ref reader), SignedProofMessage<BallotMetadata>.Decode(ref reader)),
            HareEquivocation => new HareProof(SignedProofMessage<HareMetadata>.Decode(ref reader), SignedProofMessage<HareMetadata>.Decode(ref reader)),
            InvalidPostIndex => new InvalidPostIndexProof(ActivationTxV1.Decode(ref reader), reader.ReadCompact32()),
            InvalidPrevAtx => new InvalidPrevAtxProof(ActivationTxV1.Decode(ref reader), ActivationTxV1.Decode(ref reader)),
            _ => throw new ScaleDecodeException(ScaleError.OutOfRange, "unknown malfeasance proof type", at),
        };
        return new MalfeasanceProof(layer, data);
    }

    /// <summary>Decodes one proof with go-spacemesh's codec rules (every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes or an unknown type.</exception>
    public static MalfeasanceProof Decode(ReadOnlySpan<byte> data) => ScaleCodec.Decode<MalfeasanceProof>(data);

    /// <summary>The encoding.</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);
}

/// <summary>
/// The deprecated hare eligibility attached to a malfeasance gossip (go-spacemesh <c>types.HareEligibilityGossip</c>):
/// <c>{Layer compact32, Round compact32, NodeID [32], Eligibility}</c>. Decoded for compatibility; this node never sends one.
/// </summary>
public sealed class HareEligibilityGossip : IScaleEncodable, IScaleDecodable<HareEligibilityGossip>
{
    /// <summary>The layer.</summary>
    public LayerId Layer { get; init; }

    /// <summary>The absolute round.</summary>
    public uint Round { get; init; }

    /// <summary>The identity.</summary>
    public NodeId NodeId { get; init; }

    /// <summary>Its eligibility.</summary>
    public HareEligibility Eligibility { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteCompact32(Round);
        writer.WriteHash32(NodeId.Value);
        Eligibility.Encode(ref writer);
    }

    /// <inheritdoc/>
    public static HareEligibilityGossip Decode(ref ScaleReader reader) => new()
    {
        Layer = reader.ReadLayer(),
        Round = reader.ReadCompact32(),
        NodeId = reader.ReadNodeId(),
        Eligibility = HareEligibility.Decode(ref reader),
    };
}

/// <summary>
/// A malfeasance proof as gossiped on <c>mp1</c> (go-spacemesh <c>MalfeasanceGossip</c>): <c>{MalfeasanceProof,
/// Eligibility option}</c>.
/// </summary>
public sealed class MalfeasanceGossip : IScaleEncodable, IScaleDecodable<MalfeasanceGossip>
{
    /// <summary>The proof.</summary>
    public required MalfeasanceProof Proof { get; init; }

    /// <summary>Deprecated; absent in what this node sends.</summary>
    public HareEligibilityGossip? Eligibility { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Proof.Encode(ref writer);
        writer.WriteOption(Eligibility);
    }

    /// <inheritdoc/>
    public static MalfeasanceGossip Decode(ref ScaleReader reader) => new()
    {
        Proof = MalfeasanceProof.Decode(ref reader),
        Eligibility = reader.ReadOption<HareEligibilityGossip>(),
    };

    /// <summary>Decodes one gossip with go-spacemesh's codec rules (every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes or an unknown proof type.</exception>
    public static MalfeasanceGossip Decode(ReadOnlySpan<byte> data) => ScaleCodec.Decode<MalfeasanceGossip>(data);

    /// <summary>The encoding.</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);
}

/// <summary>Why a malfeasance proof was refused, or that it holds.</summary>
public enum MalfeasanceVerdict
{
    /// <summary>The proof holds: the identity signed two conflicting messages.</summary>
    Proven,

    /// <summary>A signature does not verify under the proof type's domain.</summary>
    InvalidSignature,

    /// <summary>The two messages are signed by different identities.</summary>
    DifferentSigners,

    /// <summary>The two messages are not for the same epoch, layer or round.</summary>
    NotSameSlot,

    /// <summary>The two messages are identical, so nothing conflicts.</summary>
    SameContent,

    /// <summary>A proof type this node cannot check (4 and 5 need PoST and ATX validation).</summary>
    Unsupported,
}

/// <summary>
/// Builds V1 malfeasance proofs from two conflicting signed messages and checks them as go-spacemesh's malfeasance
/// handler does: both signatures valid under the type's domain (ATX, BALLOT, HARE), one signer, the same publish epoch
/// / layer / layer and round, and different message hashes. A proof that holds names the guilty identity.
/// </summary>
public static class MalfeasanceProofs
{
    /// <summary>A MultipleATXs proof from two signed ATX V1 of one identity for one publish epoch.</summary>
    /// <param name="layer">The layer the proof is dated (go-spacemesh: the publish epoch's first layer).</param>
    /// <exception cref="ArgumentException">The ATXs do not conflict.</exception>
    public static MalfeasanceProof MultipleAtxs(LayerId layer, ActivationTxV1 first, ActivationTxV1 second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = new SignedProofMessage<AtxMetadata>(new AtxMetadata(first.PublishEpoch, first.ComputeId().Value), first.SmesherId, first.Signature);
        var b = new SignedProofMessage<AtxMetadata>(new AtxMetadata(second.PublishEpoch, second.ComputeId().Value), second.SmesherId, second.Signature);
        Require(a.SmesherId == b.SmesherId && a.InnerMsg.PublishEpoch == b.InnerMsg.PublishEpoch && a.InnerMsg.MsgHash != b.InnerMsg.MsgHash,
            "two different ATXs of one identity for one publish epoch");
        return new MalfeasanceProof(layer, new AtxProof(a, b));
    }

    /// <summary>A MultipleBallots proof from two signed ballots of one identity in one layer.</summary>
    /// <exception cref="ArgumentException">The ballots do not conflict.</exception>
    public static MalfeasanceProof MultipleBallots(Ballot first, Ballot second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = new SignedProofMessage<BallotMetadata>(first.Metadata(), first.SmesherId, first.Signature);
        var b = new SignedProofMessage<BallotMetadata>(second.Metadata(), second.SmesherId, second.Signature);
        Require(a.SmesherId == b.SmesherId && a.InnerMsg.Layer == b.InnerMsg.Layer && a.InnerMsg.MsgHash != b.InnerMsg.MsgHash,
            "two different ballots of one identity in one layer");
        return new MalfeasanceProof(first.Layer, new BallotProof(a, b));
    }

    /// <summary>A HareEquivocation proof from two signed hare messages of one identity for one layer and round.</summary>
    /// <exception cref="ArgumentException">The messages do not conflict.</exception>
    public static MalfeasanceProof HareEquivocation(HareMessage first, HareMessage second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = first.ToProofMessage();
        var b = second.ToProofMessage();
        Require(a.SmesherId == b.SmesherId && a.InnerMsg.IsEquivocation(b.InnerMsg),
            "two different hare messages of one identity for one layer and round");
        return new HareProof(a, b).ToMalfeasanceProof();
    }

    /// <summary>Checks <paramref name="proof"/>; on <see cref="MalfeasanceVerdict.Proven"/>, <paramref name="guilty"/> is the identity.</summary>
    public static MalfeasanceVerdict Verify(MalfeasanceProof proof, EdVerifier verifier, out NodeId guilty)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(verifier);
        guilty = default;
        MalfeasanceVerdict verdict;
        NodeId signer;
        switch (proof.Data)
        {
            case AtxProof p:
                signer = p.First.SmesherId;
                verdict = Check(verifier, SignatureDomain.Atx,
                    (p.First.SmesherId, p.First.InnerMsg.ToBytes(), p.First.Signature),
                    (p.Second.SmesherId, p.Second.InnerMsg.ToBytes(), p.Second.Signature),
                    p.First.InnerMsg.PublishEpoch == p.Second.InnerMsg.PublishEpoch,
                    p.First.InnerMsg.MsgHash != p.Second.InnerMsg.MsgHash);
                break;
            case BallotProof p:
                signer = p.First.SmesherId;
                verdict = Check(verifier, SignatureDomain.Ballot,
                    (p.First.SmesherId, p.First.InnerMsg.ToBytes(), p.First.Signature),
                    (p.Second.SmesherId, p.Second.InnerMsg.ToBytes(), p.Second.Signature),
                    p.First.InnerMsg.Layer == p.Second.InnerMsg.Layer,
                    p.First.InnerMsg.MsgHash != p.Second.InnerMsg.MsgHash);
                break;
            case HareProof p:
                signer = p.First.SmesherId;
                verdict = Check(verifier, SignatureDomain.Hare,
                    (p.First.SmesherId, p.First.InnerMsg.ToBytes(), p.First.Signature),
                    (p.Second.SmesherId, p.Second.InnerMsg.ToBytes(), p.Second.Signature),
                    p.First.InnerMsg.Layer == p.Second.InnerMsg.Layer && p.First.InnerMsg.Round == p.Second.InnerMsg.Round,
                    p.First.InnerMsg.MsgHash != p.Second.InnerMsg.MsgHash);
                break;
            default:
                return MalfeasanceVerdict.Unsupported;
        }

        if (verdict == MalfeasanceVerdict.Proven)
        {
            guilty = signer;
        }

        return verdict;
    }

    private static MalfeasanceVerdict Check(
        EdVerifier verifier,
        SignatureDomain domain,
        (NodeId Signer, byte[] Message, EdSignature Signature) first,
        (NodeId Signer, byte[] Message, EdSignature Signature) second,
        bool sameSlot,
        bool differentContent)
    {
        if (!verifier.Verify(domain, first.Signer, first.Message, first.Signature.Span)
            || !verifier.Verify(domain, second.Signer, second.Message, second.Signature.Span))
        {
            return MalfeasanceVerdict.InvalidSignature;
        }

        if (first.Signer != second.Signer)
        {
            return MalfeasanceVerdict.DifferentSigners;
        }

        if (!sameSlot)
        {
            return MalfeasanceVerdict.NotSameSlot;
        }

        return differentContent ? MalfeasanceVerdict.Proven : MalfeasanceVerdict.SameContent;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new ArgumentException($"a malfeasance proof needs {what}");
        }
    }
}
