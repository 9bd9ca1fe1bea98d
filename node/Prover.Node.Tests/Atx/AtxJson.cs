using System.Text.Json;
using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Types;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Atx;

/// <summary>Builds ATX objects from the vectors' <c>fields</c> objects (Go field names).</summary>
internal static class AtxJson
{
    public static PostV1? Post(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : new PostV1
    {
        Nonce = e.GetProperty("Nonce").GetUInt32(),
        Indices = Hex(e.GetProperty("Indices").GetString()!),
        Pow = e.GetProperty("Pow").GetUInt64(),
    };

    public static AtxId? OptAtx(JsonElement e, string name) =>
        e.IsNull(name) ? null : AtxId.Parse(e.GetProperty(name).GetString()!);

    public static ActivationTxV1 V1(JsonElement f)
    {
        var atx = new ActivationTxV1
        {
            PublishEpoch = new EpochId(f.GetProperty("PublishEpoch").GetUInt32()),
            Sequence = f.GetProperty("Sequence").GetUInt64(),
            PrevAtxId = AtxId.Parse(f.Str("PrevATXID")!),
            PositioningAtxId = AtxId.Parse(f.Str("PositioningATXID")!),
            CommitmentAtxId = OptAtx(f, "CommitmentATXID"),
            InitialPost = f.TryGetProperty("InitialPost", out var ip) ? Post(ip) : null,
            Coinbase = Address.Parse(f.Str("Coinbase")!),
            NumUnits = f.GetProperty("NumUnits").GetUInt32(),
            NodeId = f.IsNull("NodeID") ? null : NodeId.Parse(f.Str("NodeID")!),
            VrfNonce = f.IsNull("VRFNonce") ? null : f.GetProperty("VRFNonce").GetUInt64(),
            SmesherId = NodeId.Parse(f.Str("SmesherID")!),
            Signature = EdSignature.Parse(f.Str("Signature")!),
        };
        if (!f.IsNull("NIPost"))
        {
            var n = f.GetProperty("NIPost");
            var m = n.GetProperty("Membership");
            atx.NIPost = new NIPostV1
            {
                Membership = new MerkleProofV1
                {
                    Nodes = [.. m.GetProperty("Nodes").EnumerateArray().Select(x => Hash32.Parse(x.GetString()!))],
                    LeafIndex = m.GetProperty("LeafIndex").GetUInt64(),
                },
                Post = Post(n.GetProperty("Post")),
                PostMetadata = n.IsNull("PostMetadata") ? null : new PostMetadataV1
                {
                    Challenge = Hex(n.GetProperty("PostMetadata").Str("Challenge")!),
                    LabelsPerUnit = n.GetProperty("PostMetadata").GetProperty("LabelsPerUnit").GetUInt64(),
                },
            };
        }

        return atx;
    }

    public static NIPostChallengeV1 ChallengeV1(JsonElement f) => new()
    {
        PublishEpoch = new EpochId(f.GetProperty("PublishEpoch").GetUInt32()),
        Sequence = f.GetProperty("Sequence").GetUInt64(),
        PrevAtxId = AtxId.Parse(f.Str("PrevATXID")!),
        PositioningAtxId = AtxId.Parse(f.Str("PositioningATXID")!),
        CommitmentAtxId = OptAtx(f, "CommitmentATXID"),
        InitialPost = Post(f.GetProperty("InitialPost")),
    };

    public static NIPostChallengeV2 ChallengeV2(JsonElement f) => new()
    {
        PublishEpoch = new EpochId(f.GetProperty("PublishEpoch").GetUInt32()),
        PrevAtxId = AtxId.Parse(f.Str("PrevATXID")!),
        PositioningAtxId = AtxId.Parse(f.Str("PositioningATXID")!),
        InitialPost = Post(f.GetProperty("InitialPost")),
    };

    public static ActivationTxV2 V2(JsonElement f) => new()
    {
        PublishEpoch = new EpochId(f.GetProperty("PublishEpoch").GetUInt32()),
        PositioningAtx = AtxId.Parse(f.Str("PositioningATX")!),
        Coinbase = Address.Parse(f.Str("Coinbase")!),
        Initial = f.IsNull("Initial") ? null : new InitialAtxPartsV2
        {
            CommitmentAtx = AtxId.Parse(f.GetProperty("Initial").Str("CommitmentATX")!),
            Post = Post(f.GetProperty("Initial").GetProperty("Post"))!,
        },
        PreviousAtxs = [.. f.GetProperty("PreviousATXs").EnumerateArray().Select(x => AtxId.Parse(x.GetString()!))],
        NiPosts =
        [
            .. f.GetProperty("NiPosts").EnumerateArray().Select(n => new NiPostsV2
            {
                Membership = new MerkleProofV2
                {
                    Nodes = [.. n.GetProperty("Membership").GetProperty("Nodes").EnumerateArray().Select(x => Hash32.Parse(x.GetString()!))],
                },
                Challenge = Challenge.Parse(n.Str("Challenge")!),
                Posts =
                [
                    .. n.GetProperty("Posts").EnumerateArray().Select(p => new SubPostV2
                    {
                        MarriageIndex = p.GetProperty("MarriageIndex").GetUInt32(),
                        PrevAtxIndex = p.GetProperty("PrevATXIndex").GetUInt32(),
                        MembershipLeafIndex = p.GetProperty("MembershipLeafIndex").GetUInt64(),
                        Post = Post(p.GetProperty("Post"))!,
                        NumUnits = p.GetProperty("NumUnits").GetUInt32(),
                    }),
                ],
            }),
        ],
        VrfNonce = f.GetProperty("VRFNonce").GetUInt64(),
        Marriages =
        [
            .. f.GetProperty("Marriages").EnumerateArray().Select(m => new MarriageCertificate
            {
                ReferenceAtx = AtxId.Parse(m.Str("ReferenceAtx")!),
                Signature = EdSignature.Parse(m.Str("Signature")!),
            }),
        ],
        MarriageAtx = OptAtx(f, "MarriageATX"),
        SmesherId = NodeId.Parse(f.Str("SmesherID")!),
        Signature = EdSignature.Parse(f.Str("Signature")!),
    };
}
