using Prover.Core.Crypto;
using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Types;

namespace Prover.Node.Atx;

/// <summary>
/// An ATX version 1 (go-spacemesh <c>activation/wire/wire_v1.go</c>), field order = encoding order:
/// <c>InnerActivationTxV1 { NIPostChallengeV1; Coinbase [24]; NumUnits compact32; Option&lt;NIPostV1&gt; NIPost;
/// Option&lt;[32]&gt; NodeID; Ptr&lt;compact64&gt; VRFNonce } ‖ SmesherID [32] ‖ Signature [64]</c>.
/// <para>
/// The ID is <c>blake3(scale(InnerActivationTxV1))</c> over the <em>re-encoded</em> struct, so a blob the codec
/// accepts in a non-canonical form (option tag 0x02, a big-int with leading zeros) keeps its ID and signature;
/// keep such blobs verbatim and compute IDs with <see cref="ComputeId"/>.
/// </para>
/// </summary>
public sealed class ActivationTxV1 : IScaleEncodable, IScaleDecodable<ActivationTxV1>
{
    /// <summary>The embedded NIPoST challenge (the first fields on the wire).</summary>
    public NIPostChallengeV1 NIPostChallenge { get; set; } = new();

    /// <summary>The epoch the ATX is published in (part of <see cref="NIPostChallenge"/>).</summary>
    public EpochId PublishEpoch { get => NIPostChallenge.PublishEpoch; set => NIPostChallenge.PublishEpoch = value; }

    /// <summary>0 for an initial ATX, previous + 1 otherwise (part of <see cref="NIPostChallenge"/>).</summary>
    public ulong Sequence { get => NIPostChallenge.Sequence; set => NIPostChallenge.Sequence = value; }

    /// <summary>The previous ATX, zero for an initial ATX (part of <see cref="NIPostChallenge"/>).</summary>
    public AtxId PrevAtxId { get => NIPostChallenge.PrevAtxId; set => NIPostChallenge.PrevAtxId = value; }

    /// <summary>The positioning ATX (part of <see cref="NIPostChallenge"/>).</summary>
    public AtxId PositioningAtxId { get => NIPostChallenge.PositioningAtxId; set => NIPostChallenge.PositioningAtxId = value; }

    /// <summary>The commitment ATX, initial ATX only (part of <see cref="NIPostChallenge"/>).</summary>
    public AtxId? CommitmentAtxId { get => NIPostChallenge.CommitmentAtxId; set => NIPostChallenge.CommitmentAtxId = value; }

    /// <summary>The initial PoST, initial ATX only (part of <see cref="NIPostChallenge"/>).</summary>
    public PostV1? InitialPost { get => NIPostChallenge.InitialPost; set => NIPostChallenge.InitialPost = value; }

    /// <summary>The coinbase account rewards go to.</summary>
    public Address Coinbase { get; set; }

    /// <summary>Space units declared.</summary>
    public uint NumUnits { get; set; }

    /// <summary>The NIPoST (required by validation).</summary>
    public NIPostV1? NIPost { get; set; }

    /// <summary>The smesher's node id, initial ATX only (makes the first inner hash unique).</summary>
    public NodeId? NodeId { get; set; }

    /// <summary>The VRF nonce: initial ATX, or when it changed.</summary>
    public ulong? VrfNonce { get; set; }

    /// <summary>The signer.</summary>
    public NodeId SmesherId { get; set; }

    /// <summary>ed25519 over <c>GenesisID ‖ 0x00 ‖ <see cref="SignedBytes()"/></c>.</summary>
    public EdSignature Signature { get; set; }

    /// <summary>True when <see cref="PrevAtxId"/> is zero.</summary>
    public bool IsInitial => NIPostChallenge.IsInitial;

    /// <summary>
    /// Decodes a blob with go-spacemesh's <c>codec.Decode</c> rules (nesting 6, every byte consumed).
    /// Only reads from the span; the ATX owns copies of the variable-length fields.
    /// </summary>
    /// <exception cref="ScaleDecodeException">The blob is not a valid ATX V1 encoding.</exception>
    public static ActivationTxV1 Decode(ReadOnlySpan<byte> blob) => ScaleCodec.Decode<ActivationTxV1>(blob);

    /// <summary>Decodes without throwing; <paramref name="error"/> says why a blob was refused.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, out ActivationTxV1? atx, out ScaleDecodeException? error) =>
        ScaleCodec.TryDecode(blob, out atx, out error);

    /// <inheritdoc/>
    public static ActivationTxV1 Decode(ref ScaleReader reader)
    {
        var atx = new ActivationTxV1();
        atx.NIPostChallenge.DecodeFields(ref reader);
        atx.Coinbase = new Address(reader.ReadFixed(Address.Length));
        atx.NumUnits = reader.ReadCompact32();
        atx.NIPost = reader.ReadOption<NIPostV1>();
        atx.NodeId = reader.ReadOptionalHash32() is { } n ? new NodeId(n) : null;
        atx.VrfNonce = reader.ReadCompact64Option();
        atx.SmesherId = new NodeId(reader.ReadHash32());
        atx.Signature = new EdSignature(reader.ReadFixed(EdSignature.Length));
        return atx;
    }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        EncodeInner(ref writer);
        writer.WriteHash32(SmesherId.Value);
        writer.WriteFixed(Signature.Span);
    }

    /// <summary>Writes <c>InnerActivationTxV1</c> (everything but SmesherID and Signature): the bytes the ID hashes.</summary>
    public void EncodeInner(ref ScaleWriter writer)
    {
        NIPostChallenge.Encode(ref writer);
        writer.WriteFixed(Coinbase.Span);
        writer.WriteCompact32(NumUnits);
        writer.WriteOption(NIPost);
        writer.WriteOptionalHash32(NodeId?.Value);
        writer.WriteCompact64Option(VrfNonce);
    }

    /// <summary>The canonical encoding of the whole ATX.</summary>
    public byte[] Encode() => ScaleCodec.Encode(this);

    /// <summary>The canonical encoding of <c>InnerActivationTxV1</c>.</summary>
    public byte[] EncodeInner()
    {
        var writer = new ScaleWriter(stackalloc byte[1024]);
        try
        {
            EncodeInner(ref writer);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The ATX ID: <c>blake3(scale(InnerActivationTxV1))</c> (<c>wire_v1.go</c> <c>HashInnerBytes</c>).</summary>
    public AtxId ComputeId()
    {
        var writer = new ScaleWriter(stackalloc byte[1024]);
        try
        {
            EncodeInner(ref writer);
            Span<byte> hash = stackalloc byte[32];
            Blake3.Hash(writer.WrittenSpan, hash);
            return new AtxId(hash);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// Prepares the ATX for signing by <paramref name="signer"/> as go-spacemesh's <c>Sign</c> does: sets
    /// <see cref="SmesherId"/>, and <see cref="NodeId"/> too when the ATX is initial (before the ID is computed).
    /// Returns <see cref="SignedBytes()"/>, the message to sign in the ATX domain.
    /// </summary>
    public byte[] PrepareForSigning(NodeId signer)
    {
        if (IsInitial)
        {
            NodeId = signer;
        }

        SmesherId = signer;
        return SignedBytes();
    }

    /// <summary>
    /// The message the smesher signs, without the signer's prefix: <c>scale(ATXMetadataV1{PublishEpoch compact32,
    /// MsgHash [32] = ID})</c>. The signer prepends <c>GenesisID ‖ 0x00</c> (ATX domain).
    /// </summary>
    public byte[] SignedBytes() => SignedBytes(PublishEpoch, ComputeId());

    /// <summary>The signed message for a given publish epoch and ATX ID (<c>ATXMetadataV1</c>).</summary>
    public static byte[] SignedBytes(EpochId publishEpoch, AtxId id)
    {
        var writer = new ScaleWriter(stackalloc byte[48]);
        try
        {
            writer.WriteCompact32(publishEpoch.Value);
            writer.WriteHash32(id.Value);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The PoET challenge (membership leaf) this ATX's NIPoST must prove: <see cref="NIPostChallengeV1.Hash"/>.</summary>
    public Hash32 PoetChallengeHash() => NIPostChallenge.Hash();

    /// <summary>
    /// The PoST challenge (the PoET proof's <c>Ref</c>) from <c>NIPost.PostMetadata.Challenge</c>; null when the
    /// NIPoST or its metadata is missing or the challenge is not 32 bytes.
    /// </summary>
    public Challenge? PostChallenge =>
        NIPost?.PostMetadata?.Challenge is { Length: 32 } c ? new Challenge(c) : null;
}
