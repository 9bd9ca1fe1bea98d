using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Signing;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Wire;

/// <summary>
/// The signed part of a proposal (go-spacemesh <c>types.InnerProposal</c>): <c>{Ballot, TxIDs []TransactionID max
/// 100000, MeshHash [32]}</c>.
/// </summary>
public sealed class InnerProposal : IScaleEncodable, IScaleDecodable<InnerProposal>
{
    /// <summary>go-scale limit on <see cref="TxIds"/>.</summary>
    public const uint MaxTxIds = 100_000;

    /// <summary>The ballot (votes and eligibility) carried by the proposal.</summary>
    public Ballot Ballot { get; init; } = new();

    /// <summary>The proposed transactions (32-byte ids).</summary>
    public IReadOnlyList<Hash32> TxIds { get; init; } = [];

    /// <summary>Aggregated mesh hash up to the previous layer.</summary>
    public Hash32 MeshHash { get; init; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Ballot.Encode(ref writer);
        writer.WriteHash32Vector([.. TxIds], MaxTxIds);
        writer.WriteHash32(MeshHash);
    }

    /// <inheritdoc/>
    public static InnerProposal Decode(ref ScaleReader reader) => new()
    {
        Ballot = Ballot.Decode(ref reader),
        TxIds = reader.ReadHash32Vector(MaxTxIds),
        MeshHash = reader.ReadHash32(),
    };
}

/// <summary>
/// A proposal (go-spacemesh <c>types.Proposal</c>): <c>{InnerProposal, Signature [64]}</c>, gossiped on <c>pp1</c>.
/// The signature is the PROPOSAL domain over <c>scale(BallotMetadata{Layer, blake3(scale(InnerProposal))})</c>; the id
/// is the first 20 bytes of that hash. The smesher is the inner ballot's <see cref="Ballot.SmesherId"/>.
/// </summary>
public sealed class Proposal : IScaleEncodable, IScaleDecodable<Proposal>
{
    /// <summary>The signed part.</summary>
    public InnerProposal Inner { get; init; } = new();

    /// <summary>The smesher's PROPOSAL-domain signature.</summary>
    public EdSignature Signature { get; set; }

    /// <summary>The ballot inside.</summary>
    public Ballot Ballot => Inner.Ballot;

    /// <summary>The layer.</summary>
    public LayerId Layer => Inner.Ballot.Layer;

    /// <summary>The smesher (the ballot's).</summary>
    public NodeId SmesherId => Inner.Ballot.SmesherId;

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Inner.Encode(ref writer);
        writer.WriteFixed(Signature.Span);
    }

    /// <inheritdoc/>
    public static Proposal Decode(ref ScaleReader reader) => new()
    {
        Inner = InnerProposal.Decode(ref reader),
        Signature = reader.ReadEdSignature(),
    };

    /// <summary>Decodes one proposal with go-spacemesh's codec rules (every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes.</exception>
    public static Proposal Decode(ReadOnlySpan<byte> data) => ScaleCodec.Decode<Proposal>(data);

    /// <summary>The encoding.</summary>
    public byte[] ToBytes() => ScaleCodec.Encode(this);

    /// <summary><c>blake3(scale(InnerProposal))</c>.</summary>
    public Hash32 InnerHash() => WireCodec.HashOf(Inner);

    /// <summary>The proposal id: the first 20 bytes of <see cref="InnerHash"/>.</summary>
    public ProposalId Id() => new(Genesis.Hash20.Truncate(InnerHash().Span));

    /// <summary>The signed message: <c>BallotMetadata{Layer, InnerHash}</c>.</summary>
    public BallotMetadata Metadata() => new(Layer, InnerHash());

    /// <summary>The bytes the PROPOSAL signature covers (after <c>GenesisID ‖ domain</c>).</summary>
    public byte[] SignedBytes() => Metadata().ToBytes();

    /// <summary>Signs the inner ballot (BALLOT domain, setting its smesher) and then the proposal (PROPOSAL domain).</summary>
    public void Sign(EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Inner.Ballot.Sign(signer);
        Signature = new EdSignature(signer.Sign(SignatureDomain.Proposal, SignedBytes()));
    }

    /// <summary>True when both the proposal signature and the inner ballot's signature are the smesher's.</summary>
    public bool VerifySignature(EdVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return verifier.Verify(SignatureDomain.Proposal, SmesherId, SignedBytes(), Signature.Span)
            && Inner.Ballot.VerifySignature(verifier);
    }
}
