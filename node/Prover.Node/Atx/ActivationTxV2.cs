using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Types;

namespace Prover.Node.Atx;

/// <summary>
/// An ATX version 2 (go-spacemesh <c>activation/wire/wire_v2.go</c>), field order = encoding order:
/// <c>PublishEpoch compact32 ‖ PositioningATX [32] ‖ Coinbase [24] ‖ Option&lt;InitialAtxPartsV2&gt; Initial ‖
/// PreviousATXs Vec&lt;[32]&gt;(max 256) ‖ NiPosts Vec&lt;NiPostsV2&gt;(max 4) ‖ VRFNonce compact64 ‖
/// Marriages Vec&lt;MarriageCertificate&gt;(max 256) ‖ Option&lt;[32]&gt; MarriageATX ‖ SmesherID [32] ‖ Signature [64]</c>.
/// The ID is a merkle root over the fields (<see cref="ComputeId"/>); the signature is over the ID itself.
/// </summary>
public sealed class ActivationTxV2 : IScaleEncodable, IScaleDecodable<ActivationTxV2>
{
    /// <summary>The <c>scale:"max=256"</c> limit on <see cref="PreviousAtxs"/>.</summary>
    public const uint MaxPreviousAtxs = 256;

    /// <summary>The <c>scale:"max=4"</c> limit on <see cref="NiPosts"/>.</summary>
    public const uint MaxNiPosts = 4;

    /// <summary>The <c>scale:"max=256"</c> limit on <see cref="Marriages"/>.</summary>
    public const uint MaxMarriages = 256;

    /// <summary>The publish epoch.</summary>
    public EpochId PublishEpoch { get; set; }

    /// <summary>The positioning ATX.</summary>
    public AtxId PositioningAtx { get; set; }

    /// <summary>The coinbase account.</summary>
    public Address Coinbase { get; set; }

    /// <summary>Present only in an initial ATX.</summary>
    public InitialAtxPartsV2? Initial { get; set; }

    /// <summary>Previous ATXs (empty for initial; one for a solo ATX).</summary>
    public AtxId[] PreviousAtxs { get; set; } = [];

    /// <summary>One NIPoST per PoET proof used.</summary>
    public NiPostsV2[] NiPosts { get; set; } = [];

    /// <summary>The VRF nonce (always present in V2).</summary>
    public ulong VrfNonce { get; set; }

    /// <summary>Marriage certificates (must include a self-certificate when non-empty).</summary>
    public MarriageCertificate[] Marriages { get; set; } = [];

    /// <summary>The marriage ATX, only for merged ATXs.</summary>
    public AtxId? MarriageAtx { get; set; }

    /// <summary>The signer.</summary>
    public NodeId SmesherId { get; set; }

    /// <summary>ed25519 over <c>GenesisID ‖ 0x00 ‖ ID</c>.</summary>
    public EdSignature Signature { get; set; }

    /// <summary>True when <see cref="Initial"/> is present.</summary>
    public bool IsInitial => Initial is not null;

    /// <summary>Decodes a blob with go-spacemesh's <c>codec.Decode</c> rules (nesting 6, every byte consumed).</summary>
    /// <exception cref="ScaleDecodeException">The blob is not a valid ATX V2 encoding.</exception>
    public static ActivationTxV2 Decode(ReadOnlySpan<byte> blob) => ScaleCodec.Decode<ActivationTxV2>(blob);

    /// <summary>Decodes without throwing; <paramref name="error"/> says why a blob was refused.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, out ActivationTxV2? atx, out ScaleDecodeException? error) =>
        ScaleCodec.TryDecode(blob, out atx, out error);

    /// <inheritdoc/>
    public static ActivationTxV2 Decode(ref ScaleReader reader)
    {
        var atx = new ActivationTxV2
        {
            PublishEpoch = new EpochId(reader.ReadCompact32()),
            PositioningAtx = new AtxId(reader.ReadHash32()),
            Coinbase = new Address(reader.ReadFixed(Address.Length)),
            Initial = reader.ReadOption<InitialAtxPartsV2>(),
        };
        var previous = reader.ReadHash32Vector(MaxPreviousAtxs);
        atx.PreviousAtxs = Array.ConvertAll(previous, h => new AtxId(h));
        atx.NiPosts = reader.ReadVector<NiPostsV2>(MaxNiPosts);
        atx.VrfNonce = reader.ReadCompact64();
        atx.Marriages = reader.ReadVector<MarriageCertificate>(MaxMarriages);
        atx.MarriageAtx = reader.ReadOptionalHash32() is { } m ? new AtxId(m) : null;
        atx.SmesherId = new NodeId(reader.ReadHash32());
        atx.Signature = new EdSignature(reader.ReadFixed(EdSignature.Length));
        return atx;
    }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(PublishEpoch.Value);
        writer.WriteHash32(PositioningAtx.Value);
        writer.WriteFixed(Coinbase.Span);
        writer.WriteOption(Initial);
        var previous = new Hash32[PreviousAtxs.Length];
        for (var i = 0; i < previous.Length; i++)
        {
            previous[i] = PreviousAtxs[i].Value;
        }

        writer.WriteHash32Vector(previous, MaxPreviousAtxs);
        writer.WriteVector(NiPosts, MaxNiPosts);
        writer.WriteCompact64(VrfNonce);
        writer.WriteVector(Marriages, MaxMarriages);
        writer.WriteOptionalHash32(MarriageAtx?.Value);
        writer.WriteHash32(SmesherId.Value);
        writer.WriteFixed(Signature.Span);
    }

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => ScaleCodec.Encode(this);

    /// <summary>
    /// The nine top-level leaves of the ID tree, in order (<c>wire_v2.go</c> <c>merkleTree</c>): publish epoch (u32 LE
    /// in 32 B), positioning ATX, coinbase (24 B), initial root or 32 zeros, previous-ATXs root (padded to 256),
    /// NIPoSTs root (padded to 4), VRF nonce (u64 LE in 32 B), marriages root (padded to 256), marriage ATX or zeros.
    /// </summary>
    public byte[]?[] IdLeaves()
    {
        var epoch = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(epoch, PublishEpoch.Value);

        var previous = new AtxMerkleTree();
        foreach (var id in PreviousAtxs)
        {
            previous.Add(id.ToArray());
        }

        previous.AddZeros((int)MaxPreviousAtxs - PreviousAtxs.Length);

        var niposts = new AtxMerkleTree();
        foreach (var nipost in NiPosts)
        {
            niposts.Add(nipost.MerkleRoot(PreviousAtxs));
        }

        niposts.AddZeros((int)MaxNiPosts - NiPosts.Length);

        var nonce = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce, VrfNonce);

        var marriages = new AtxMerkleTree();
        foreach (var marriage in Marriages)
        {
            marriages.Add(marriage.MerkleRoot());
        }

        marriages.AddZeros((int)MaxMarriages - Marriages.Length);

        return
        [
            epoch,
            PositioningAtx.ToArray(),
            Coinbase.ToArray(),
            Initial?.MerkleRoot() ?? new byte[32],
            previous.Root(),
            niposts.Root(),
            nonce,
            marriages.Root(),
            MarriageAtx?.ToArray() ?? new byte[32],
        ];
    }

    /// <summary>The ATX ID: the merkle root of <see cref="IdLeaves"/> with node hash <c>blake3(0x01 ‖ L ‖ R)</c>.</summary>
    public AtxId ComputeId() => new(AtxMerkleTree.RootOf(IdLeaves())!);

    /// <summary>Sets <see cref="SmesherId"/> and returns the message to sign in the ATX domain (the ID).</summary>
    public byte[] PrepareForSigning(NodeId signer)
    {
        SmesherId = signer;
        return SignedBytes();
    }

    /// <summary>The message the smesher signs, without the signer's prefix: the 32-byte ID (ATX domain).</summary>
    public byte[] SignedBytes() => ComputeId().ToArray();

    /// <summary>The sum of the sub-posts' NumUnits (wrapping like Go's uint32).</summary>
    public uint TotalNumUnits()
    {
        uint total = 0;
        foreach (var nipost in NiPosts)
        {
            foreach (var post in nipost.Posts)
            {
                total = unchecked(total + post.NumUnits);
            }
        }

        return total;
    }
}
