using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Signing;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Wire;

/// <summary>
/// What a smesher fixes for a whole epoch in its first (reference) ballot (go-spacemesh <c>types.EpochData</c>):
/// <c>{ActiveSetHash [32], Beacon [4], EligibilityCount compact32}</c>.
/// </summary>
public sealed class EpochData : IScaleEncodable, IScaleDecodable<EpochData>
{
    /// <summary>Hash of the active set the smesher saw for the epoch.</summary>
    public Hash32 ActiveSetHash { get; init; }

    /// <summary>The beacon the smesher recorded for the epoch.</summary>
    public Beacon Beacon { get; init; }

    /// <summary>How many ballots the smesher is eligible for in the epoch.</summary>
    public uint EligibilityCount { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteHash32(ActiveSetHash);
        Span<byte> beacon = stackalloc byte[Beacon.Length];
        Beacon.CopyTo(beacon);
        writer.WriteFixed(beacon);
        writer.WriteCompact32(EligibilityCount);
    }

    /// <inheritdoc/>
    public static EpochData Decode(ref ScaleReader reader) => new()
    {
        ActiveSetHash = reader.ReadHash32(),
        Beacon = Beacon.FromBytes(reader.ReadFixed(Beacon.Length)),
        EligibilityCount = reader.ReadCompact32(),
    };
}

/// <summary>One ballot eligibility (go-spacemesh <c>types.VotingEligibility</c>): <c>{J compact32, Sig [80]}</c>.</summary>
/// <param name="J">The counter the VRF was computed over (strictly increasing within a ballot).</param>
/// <param name="Sig">The VRF proof π.</param>
public readonly record struct VotingEligibility(uint J, VrfSignature Sig) : IScaleEncodable, IScaleDecodable<VotingEligibility>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(J);
        writer.WriteFixed(Sig.Span);
    }

    /// <inheritdoc/>
    public static VotingEligibility Decode(ref ScaleReader reader) => new(reader.ReadCompact32(), reader.ReadVrfSignature());
}

/// <summary>A vote for a block (go-spacemesh <c>types.Vote</c> = <c>BlockHeader{ID [20], LayerID compact32, Height compact64}</c>).</summary>
/// <param name="Id">The block.</param>
/// <param name="Layer">Its layer.</param>
/// <param name="Height">Its tick height.</param>
public readonly record struct BlockHeader(BlockId Id, LayerId Layer, ulong Height) : IScaleEncodable, IScaleDecodable<BlockHeader>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteFixed(Id.Span);
        writer.WriteLayer(Layer);
        writer.WriteCompact64(Height);
    }

    /// <inheritdoc/>
    public static BlockHeader Decode(ref ScaleReader reader) =>
        new(new BlockId(reader.ReadHash20()), reader.ReadLayer(), reader.ReadCompact64());
}

/// <summary>
/// A ballot's tortoise votes relative to a base ballot (go-spacemesh <c>types.Votes</c>): <c>{Base [20], Support
/// []Vote max 10000, Against []Vote max 10000, Abstain []LayerID max 10000}</c>. Not covered by the ballot signature.
/// </summary>
public sealed class Votes : IScaleEncodable, IScaleDecodable<Votes>
{
    /// <summary>go-scale limit on each list.</summary>
    public const uint MaxVotes = 10_000;

    /// <summary>The base ballot.</summary>
    public BallotId Base { get; init; }

    /// <summary>Blocks supported beyond the base ballot's opinion.</summary>
    public IReadOnlyList<BlockHeader> Support { get; init; } = [];

    /// <summary>Blocks voted against that the base ballot supported.</summary>
    public IReadOnlyList<BlockHeader> Against { get; init; } = [];

    /// <summary>Layers abstained on.</summary>
    public IReadOnlyList<LayerId> Abstain { get; init; } = [];

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteFixed(Base.Span);
        writer.WriteVector(Support, MaxVotes);
        writer.WriteVector(Against, MaxVotes);
        writer.WriteLayerVector(Abstain, MaxVotes);
    }

    /// <inheritdoc/>
    public static Votes Decode(ref ScaleReader reader) => new()
    {
        Base = new BallotId(reader.ReadHash20()),
        Support = reader.ReadVector<BlockHeader>(MaxVotes),
        Against = reader.ReadVector<BlockHeader>(MaxVotes),
        Abstain = reader.ReadLayerVector(MaxVotes),
    };
}

/// <summary>
/// The signed part of a ballot (go-spacemesh <c>types.InnerBallot</c>): <c>{Layer compact32, AtxID [32], OpinionHash
/// [32], RefBallot [20], EpochData option}</c>. Its blake3 is the ballot id (first 20 bytes) and the signed message hash.
/// </summary>
public sealed class InnerBallot : IScaleEncodable, IScaleDecodable<InnerBallot>
{
    /// <summary>The layer the ballot is cast in.</summary>
    public LayerId Layer { get; init; }

    /// <summary>The smesher's ATX for the ballot's epoch.</summary>
    public AtxId AtxId { get; init; }

    /// <summary>The aggregated opinion on all previous layers.</summary>
    public Hash32 OpinionHash { get; init; }

    /// <summary>The smesher's first ballot of the epoch (zero in that first ballot itself).</summary>
    public BallotId RefBallot { get; init; }

    /// <summary>Present only in the reference ballot.</summary>
    public EpochData? EpochData { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteHash32(AtxId.Value);
        writer.WriteHash32(OpinionHash);
        writer.WriteFixed(RefBallot.Span);
        writer.WriteOption(EpochData);
    }

    /// <inheritdoc/>
    public static InnerBallot Decode(ref ScaleReader reader) => new()
    {
        Layer = reader.ReadLayer(),
        AtxId = reader.ReadAtxId(),
        OpinionHash = reader.ReadHash32(),
        RefBallot = new BallotId(reader.ReadHash20()),
        EpochData = reader.ReadOption<EpochData>(),
    };
}

/// <summary>
/// What ballots and proposals sign (go-spacemesh <c>types.BallotMetadata</c>): <c>{Layer compact32, MsgHash [32]}</c>.
/// Also the inner message of a MultipleBallots malfeasance proof.
/// </summary>
/// <param name="Layer">The layer.</param>
/// <param name="MsgHash">blake3 of the inner ballot (or inner proposal).</param>
public readonly record struct BallotMetadata(LayerId Layer, Hash32 MsgHash) : IScaleEncodable, IScaleDecodable<BallotMetadata>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteLayer(Layer);
        writer.WriteHash32(MsgHash);
    }

    /// <inheritdoc/>
    public static BallotMetadata Decode(ref ScaleReader reader) => new(reader.ReadLayer(), reader.ReadHash32());

    /// <summary>The encoded bytes (what is signed after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);
}

/// <summary>
/// A ballot (go-spacemesh <c>types.Ballot</c>): <c>{InnerBallot, Signature [64], SmesherID [32], Votes,
/// EligibilityProofs []VotingEligibility max 500, ActiveSet []ATXID max 100000}</c>. The signature is the BALLOT
/// domain over <see cref="SignedBytes"/>; the id is the first 20 bytes of <c>blake3(scale(InnerBallot))</c>.
/// </summary>
public sealed class Ballot : IScaleEncodable, IScaleDecodable<Ballot>
{
    /// <summary>go-scale limit on <see cref="EligibilityProofs"/>.</summary>
    public const uint MaxEligibilityProofs = 500;

    /// <summary>go-scale limit on <see cref="ActiveSet"/>.</summary>
    public const uint MaxActiveSet = 100_000;

    /// <summary>The signed part.</summary>
    public InnerBallot Inner { get; init; } = new();

    /// <summary>The smesher's BALLOT-domain signature over <see cref="SignedBytes"/>.</summary>
    public EdSignature Signature { get; set; }

    /// <summary>The smesher.</summary>
    public NodeId SmesherId { get; set; }

    /// <summary>Tortoise votes (not signed).</summary>
    public Votes Votes { get; init; } = new();

    /// <summary>VRF proofs of eligibility, ascending by J (not signed).</summary>
    public IReadOnlyList<VotingEligibility> EligibilityProofs { get; init; } = [];

    /// <summary>Legacy active set (empty in current ballots; its hash is in <see cref="EpochData.ActiveSetHash"/>).</summary>
    public IReadOnlyList<AtxId> ActiveSet { get; init; } = [];

    /// <summary>The layer (from the inner ballot).</summary>
    public LayerId Layer => Inner.Layer;

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Inner.Encode(ref writer);
        writer.WriteFixed(Signature.Span);
        writer.WriteHash32(SmesherId.Value);
        Votes.Encode(ref writer);
        writer.WriteVector(EligibilityProofs, MaxEligibilityProofs);
        var set = new Hash32[ActiveSet.Count];
        for (var i = 0; i < set.Length; i++)
        {
            set[i] = ActiveSet[i].Value;
        }

        writer.WriteHash32Vector(set, MaxActiveSet);
    }

    /// <inheritdoc/>
    public static Ballot Decode(ref ScaleReader reader) => new()
    {
        Inner = InnerBallot.Decode(ref reader),
        Signature = reader.ReadEdSignature(),
        SmesherId = reader.ReadNodeId(),
        Votes = Votes.Decode(ref reader),
        EligibilityProofs = reader.ReadVector<VotingEligibility>(MaxEligibilityProofs),
        ActiveSet = [.. reader.ReadHash32Vector(MaxActiveSet).Select(h => new AtxId(h))],
    };

    /// <summary>Decodes one ballot with go-spacemesh's codec rules (every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes.</exception>
    public static Ballot Decode(ReadOnlySpan<byte> data) => ScaleCodec.Decode<Ballot>(data);

    /// <summary>The encoding.</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);

    /// <summary><c>blake3(scale(InnerBallot))</c>.</summary>
    public Hash32 InnerHash() => WireCodec.HashOf(Inner);

    /// <summary>The ballot id: the first 20 bytes of <see cref="InnerHash"/>.</summary>
    public BallotId Id() => new(Genesis.Hash20.Truncate(InnerHash().Span));

    /// <summary>The signed message: <c>scale(BallotMetadata{Layer, InnerHash})</c>.</summary>
    public BallotMetadata Metadata() => new(Inner.Layer, InnerHash());

    /// <summary>The bytes the BALLOT signature covers (after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] SignedBytes() => Metadata().ToBytes();

    /// <summary>Sets <see cref="SmesherId"/> and signs with the BALLOT domain.</summary>
    public void Sign(EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        SmesherId = signer.NodeId;
        Signature = new EdSignature(signer.Sign(SignatureDomain.Ballot, SignedBytes()));
    }

    /// <summary>True when <see cref="Signature"/> is <see cref="SmesherId"/>'s BALLOT-domain signature.</summary>
    public bool VerifySignature(EdVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return verifier.Verify(SignatureDomain.Ballot, SmesherId, SignedBytes(), Signature.Span);
    }
}
