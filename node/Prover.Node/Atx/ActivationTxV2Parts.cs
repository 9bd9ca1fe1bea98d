using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Types;

namespace Prover.Node.Atx;

/// <summary>The initial parts of an ATX V2 (<c>wire.InitialAtxPartsV2</c>): <c>CommitmentATX [32] ‖ Post PostV1</c>.</summary>
public sealed class InitialAtxPartsV2 : IScaleEncodable, IScaleDecodable<InitialAtxPartsV2>
{
    /// <summary>The commitment ATX.</summary>
    public AtxId CommitmentAtx { get; set; }

    /// <summary>The initial PoST over the zero challenge.</summary>
    public PostV1 Post { get; set; } = new();

    /// <inheritdoc/>
    public static InitialAtxPartsV2 Decode(ref ScaleReader reader) => new()
    {
        CommitmentAtx = new AtxId(reader.ReadHash32()),
        Post = PostV1.Decode(ref reader),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteHash32(CommitmentAtx.Value);
        Post.Encode(ref writer);
    }

    /// <summary>tree(CommitmentATX, Post.Root).</summary>
    public byte[] MerkleRoot() => AtxMerkleTree.RootOf(CommitmentAtx.ToArray(), Post.MerkleRoot())!;
}

/// <summary>A PoET membership multi-proof of ATX V2 (<c>wire.MerkleProofV2</c>): <c>Nodes Vec&lt;[32]&gt;(max 32)</c>.</summary>
public sealed class MerkleProofV2 : IScaleEncodable, IScaleDecodable<MerkleProofV2>
{
    /// <summary>The <c>scale:"max=32"</c> limit on <see cref="Nodes"/>.</summary>
    public const uint MaxNodes = 32;

    /// <summary>The proof nodes in the order the validator consumes them.</summary>
    public Hash32[] Nodes { get; set; } = [];

    /// <inheritdoc/>
    public static MerkleProofV2 Decode(ref ScaleReader reader) => new() { Nodes = reader.ReadHash32Vector(MaxNodes) };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer) => writer.WriteHash32Vector(Nodes, MaxNodes);
}

/// <summary>
/// One identity's PoST inside a V2 NIPoST (<c>wire.SubPostV2</c>): <c>MarriageIndex compact32 ‖ PrevATXIndex compact32
/// ‖ MembershipLeafIndex compact64 ‖ Post PostV1 ‖ NumUnits compact32</c>.
/// </summary>
public sealed class SubPostV2 : IScaleEncodable, IScaleDecodable<SubPostV2>
{
    /// <summary>Index of this ID's certificate in the marriage ATX (merged ATXs only; 0 otherwise).</summary>
    public uint MarriageIndex { get; set; }

    /// <summary>Index into <see cref="ActivationTxV2.PreviousAtxs"/>.</summary>
    public uint PrevAtxIndex { get; set; }

    /// <summary>Index of this ID's challenge leaf in the PoET membership tree.</summary>
    public ulong MembershipLeafIndex { get; set; }

    /// <summary>The PoST proof.</summary>
    public PostV1 Post { get; set; } = new();

    /// <summary>Space units of this ID.</summary>
    public uint NumUnits { get; set; }

    /// <inheritdoc/>
    public static SubPostV2 Decode(ref ScaleReader reader) => new()
    {
        MarriageIndex = reader.ReadCompact32(),
        PrevAtxIndex = reader.ReadCompact32(),
        MembershipLeafIndex = reader.ReadCompact64(),
        Post = PostV1.Decode(ref reader),
        NumUnits = reader.ReadCompact32(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(MarriageIndex);
        writer.WriteCompact32(PrevAtxIndex);
        writer.WriteCompact64(MembershipLeafIndex);
        Post.Encode(ref writer);
        writer.WriteCompact32(NumUnits);
    }

    /// <summary>
    /// tree(u32 LE MarriageIndex (4 B), PreviousATXs[PrevATXIndex], u64 LE MembershipLeafIndex in 32 B, Post.Root,
    /// u32 LE NumUnits (4 B)); <b>null</b> (Go's nil) when PrevATXIndex is out of range, which is always the case
    /// for an initial ATX (no previous ATXs): the sub-post is then not covered by the ATX ID (NODE §1.3).
    /// </summary>
    public byte[]? MerkleRoot(IReadOnlyList<AtxId> previousAtxs)
    {
        ArgumentNullException.ThrowIfNull(previousAtxs);
        if (PrevAtxIndex >= (uint)previousAtxs.Count)
        {
            return null;
        }

        var marriage = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(marriage, MarriageIndex);
        var leafIndex = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(leafIndex, MembershipLeafIndex);
        var units = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(units, NumUnits);
        return AtxMerkleTree.RootOf(
            marriage, previousAtxs[(int)PrevAtxIndex].ToArray(), leafIndex, Post.MerkleRoot(), units);
    }
}

/// <summary>
/// A V2 NIPoST: one PoET proof and the PoSTs of every ID that used it (<c>wire.NIPostV2</c>):
/// <c>Membership MerkleProofV2 ‖ Challenge [32] ‖ Posts Vec&lt;SubPostV2&gt;(max 256)</c>.
/// </summary>
public sealed class NiPostsV2 : IScaleEncodable, IScaleDecodable<NiPostsV2>
{
    /// <summary>The <c>scale:"max=256"</c> limit on <see cref="Posts"/>.</summary>
    public const uint MaxPosts = 256;

    /// <summary>One multi-proof for all IDs in <see cref="Posts"/>.</summary>
    public MerkleProofV2 Membership { get; set; } = new();

    /// <summary>The PoST challenge: the PoET proof's <c>Ref</c>.</summary>
    public Challenge Challenge { get; set; }

    /// <summary>The PoSTs.</summary>
    public SubPostV2[] Posts { get; set; } = [];

    /// <inheritdoc/>
    public static NiPostsV2 Decode(ref ScaleReader reader) => new()
    {
        Membership = MerkleProofV2.Decode(ref reader),
        Challenge = new Challenge(reader.ReadHash32()),
        Posts = reader.ReadVector<SubPostV2>(MaxPosts),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Membership.Encode(ref writer);
        writer.WriteHash32(Challenge.Value);
        writer.WriteVector(Posts, MaxPosts);
    }

    /// <summary>tree(scale(Membership), Challenge, tree(SubPost roots + zeros up to 256)).</summary>
    public byte[] MerkleRoot(IReadOnlyList<AtxId> previousAtxs)
    {
        var posts = new AtxMerkleTree();
        foreach (var post in Posts)
        {
            posts.Add(post.MerkleRoot(previousAtxs));
        }

        posts.AddZeros((int)MaxPosts - Posts.Length);
        return AtxMerkleTree.RootOf(ScaleCodec.Encode(Membership), Challenge.ToArray(), posts.Root())!;
    }
}

/// <summary>
/// A marriage certificate (<c>wire.MarriageCertificate</c>): <c>ReferenceAtx [32] ‖ Signature [64]</c>; the signature
/// is by the marrying ID over <c>GenesisID ‖ 0x05 ‖ SmesherID of the carrying ATX</c>; a self-certificate has a zero
/// ReferenceAtx.
/// </summary>
public sealed class MarriageCertificate : IScaleEncodable, IScaleDecodable<MarriageCertificate>
{
    /// <summary>An ATX of the marrying ID (zero for the self-certificate).</summary>
    public AtxId ReferenceAtx { get; set; }

    /// <summary>The marrying ID's signature (MARRIAGE domain).</summary>
    public EdSignature Signature { get; set; }

    /// <inheritdoc/>
    public static MarriageCertificate Decode(ref ScaleReader reader) => new()
    {
        ReferenceAtx = new AtxId(reader.ReadHash32()),
        Signature = new EdSignature(reader.ReadFixed(EdSignature.Length)),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteHash32(ReferenceAtx.Value);
        writer.WriteFixed(Signature.Span);
    }

    /// <summary>tree(ReferenceAtx, Signature).</summary>
    public byte[] MerkleRoot() => AtxMerkleTree.RootOf(ReferenceAtx.ToArray(), Signature.ToArray())!;
}

/// <summary>
/// The V2 NIPoST challenge (<c>wire.NIPostChallengeV2</c>): <c>PublishEpoch compact32 ‖ PrevATXID [32] ‖
/// PositioningATXID [32] ‖ Option&lt;PostV1&gt; InitialPost</c> (no Sequence, no CommitmentATX).
/// </summary>
public sealed class NIPostChallengeV2 : IScaleEncodable, IScaleDecodable<NIPostChallengeV2>
{
    /// <summary>The publish epoch.</summary>
    public EpochId PublishEpoch { get; set; }

    /// <summary>The previous ATX of this ID (zero for an initial ATX).</summary>
    public AtxId PrevAtxId { get; set; }

    /// <summary>The positioning ATX.</summary>
    public AtxId PositioningAtxId { get; set; }

    /// <summary>The initial PoST (initial ATX only).</summary>
    public PostV1? InitialPost { get; set; }

    /// <inheritdoc/>
    public static NIPostChallengeV2 Decode(ref ScaleReader reader) => new()
    {
        PublishEpoch = new EpochId(reader.ReadCompact32()),
        PrevAtxId = new AtxId(reader.ReadHash32()),
        PositioningAtxId = new AtxId(reader.ReadHash32()),
        InitialPost = reader.ReadOption<PostV1>(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(PublishEpoch.Value);
        writer.WriteHash32(PrevAtxId.Value);
        writer.WriteHash32(PositioningAtxId.Value);
        writer.WriteOption(InitialPost);
    }

    /// <summary>The PoET challenge (membership leaf): <c>blake3(0x00 ‖ scale(NIPostChallengeV2))</c>.</summary>
    public Hash32 Hash() => PoetChallengeHash.Of(this);
}
