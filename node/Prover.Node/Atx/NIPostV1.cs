using Prover.Core.Primitives;
using Prover.Node.Codec;

namespace Prover.Node.Atx;

/// <summary>
/// A PoET membership proof in ATX V1 (<c>wire.MerkleProofV1</c>): <c>Nodes Vec&lt;[32]&gt;(max 32) ‖
/// LeafIndex compact64</c>. The nodes are the siblings of the leaf, bottom up.
/// </summary>
public sealed class MerkleProofV1 : IScaleEncodable, IScaleDecodable<MerkleProofV1>
{
    /// <summary>The <c>scale:"max=32"</c> limit on <see cref="Nodes"/>.</summary>
    public const uint MaxNodes = 32;

    /// <summary>Sibling nodes from the leaf up.</summary>
    public Hash32[] Nodes { get; set; } = [];

    /// <summary>The leaf's index in the PoET membership tree.</summary>
    public ulong LeafIndex { get; set; }

    /// <inheritdoc/>
    public static MerkleProofV1 Decode(ref ScaleReader reader) => new()
    {
        Nodes = reader.ReadHash32Vector(MaxNodes),
        LeafIndex = reader.ReadCompact64(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteHash32Vector(Nodes, MaxNodes);
        writer.WriteCompact64(LeafIndex);
    }
}

/// <summary>
/// The PoST metadata of a V1 NIPoST (<c>wire.PostMetadataV1</c>): <c>Challenge bytes(max 32) ‖ LabelsPerUnit
/// compact64</c>. The challenge is the PoET proof's <c>Ref</c>, i.e. the PoST challenge (NODE §1.4).
/// </summary>
public sealed class PostMetadataV1 : IScaleEncodable, IScaleDecodable<PostMetadataV1>
{
    /// <summary>The <c>scale:"max=32"</c> limit on <see cref="Challenge"/>.</summary>
    public const uint MaxChallengeBytes = 32;

    /// <summary>The PoST challenge (32 bytes in a valid ATX; the codec allows 0..32).</summary>
    public byte[] Challenge { get; set; } = [];

    /// <summary>Labels per space unit the proof was generated with.</summary>
    public ulong LabelsPerUnit { get; set; }

    /// <inheritdoc/>
    public static PostMetadataV1 Decode(ref ScaleReader reader) => new()
    {
        Challenge = reader.ReadByteArray(MaxChallengeBytes),
        LabelsPerUnit = reader.ReadCompact64(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteBytes(Challenge, MaxChallengeBytes);
        writer.WriteCompact64(LabelsPerUnit);
    }
}

/// <summary>
/// A V1 NIPoST (<c>wire.NIPostV1</c>): <c>Membership MerkleProofV1 ‖ Option&lt;PostV1&gt; Post ‖
/// Option&lt;PostMetadataV1&gt; PostMetadata</c>.
/// </summary>
public sealed class NIPostV1 : IScaleEncodable, IScaleDecodable<NIPostV1>
{
    /// <summary>The PoET membership proof of the NIPoST challenge.</summary>
    public MerkleProofV1 Membership { get; set; } = new();

    /// <summary>The PoST proof (required by validation; optional on the wire).</summary>
    public PostV1? Post { get; set; }

    /// <summary>The PoST metadata (required by validation; optional on the wire).</summary>
    public PostMetadataV1? PostMetadata { get; set; }

    /// <inheritdoc/>
    public static NIPostV1 Decode(ref ScaleReader reader) => new()
    {
        Membership = MerkleProofV1.Decode(ref reader),
        Post = reader.ReadOption<PostV1>(),
        PostMetadata = reader.ReadOption<PostMetadataV1>(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        Membership.Encode(ref writer);
        writer.WriteOption(Post);
        writer.WriteOption(PostMetadata);
    }
}
