using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Atx;

public class AtxRoundTripTests
{
    [Fact]
    public void Generated_v1_atxs_round_trip_byte_identical_with_the_same_id()
    {
        var rng = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            var atx = RandomV1(rng);
            var blob = atx.Encode();
            var decoded = ActivationTxV1.Decode(blob);
            Assert.Equal(blob, decoded.Encode());
            Assert.Equal(atx.ComputeId(), decoded.ComputeId());
            Assert.Equal(atx.SignedBytes(), decoded.SignedBytes());
            Assert.Equal(atx.PoetChallengeHash(), decoded.PoetChallengeHash());
        }
    }

    [Fact]
    public void Generated_v2_atxs_round_trip_byte_identical_with_the_same_id()
    {
        var rng = new Random(12);
        for (var i = 0; i < 60; i++)
        {
            var atx = RandomV2(rng);
            var blob = atx.Encode();
            var decoded = ActivationTxV2.Decode(blob);
            Assert.Equal(blob, decoded.Encode());
            Assert.Equal(atx.ComputeId(), decoded.ComputeId());
        }
    }

    [Fact]
    public void Every_v1_field_changes_the_id_except_smesher_and_signature()
    {
        var rng = new Random(13);
        var atx = RandomV1(rng, initial: true);
        var id = atx.ComputeId();
        Assert.Equal(id, Mutate(atx, a => a.SmesherId = RandomNode(rng)).ComputeId());
        Assert.Equal(id, Mutate(atx, a => a.Signature = new EdSignature(Bytes(rng, 64))).ComputeId());
        Assert.NotEqual(id, Mutate(atx, a => a.NumUnits++).ComputeId());
        Assert.NotEqual(id, Mutate(atx, a => a.PublishEpoch = a.PublishEpoch.Next).ComputeId());
        Assert.NotEqual(id, Mutate(atx, a => a.VrfNonce = null).ComputeId());
        Assert.NotEqual(id, Mutate(atx, a => a.NIPost!.Membership.LeafIndex++).ComputeId());
        Assert.NotEqual(id, Mutate(atx, a => a.InitialPost!.Pow++).ComputeId());
    }

    [Fact]
    public void Preparing_an_initial_v1_atx_for_signing_sets_node_id_and_smesher_before_the_id_is_taken()
    {
        var v = Load("atx_v1.json").First(v => v.Str("kind") == "atx_v1" && !v.GetProperty("fields").IsNull("NodeID"));
        var atx = ActivationTxV1.Decode(Hex(v.Str("hex")!));
        var signer = atx.SmesherId;
        atx.NodeId = null;
        atx.SmesherId = NodeId.Zero;
        Assert.NotEqual(v.Str("id"), atx.ComputeId().ToString());
        Assert.Equal(v.Str("signed_bytes"), Hex(atx.PrepareForSigning(signer)));
        Assert.Equal(signer, atx.NodeId);
        Assert.Equal(signer, atx.SmesherId);

        var later = Load("atx_v1.json").First(v => v.Str("kind") == "atx_v1" && v.GetProperty("fields").IsNull("NodeID"));
        var next = ActivationTxV1.Decode(Hex(later.Str("hex")!));
        Assert.Equal(later.Str("signed_bytes"), Hex(next.PrepareForSigning(signer)));
        Assert.Null(next.NodeId);
    }

    [Fact]
    public void A_v1_option_tag_of_0x02_decodes_as_absent_and_keeps_the_id()
    {
        var v = Load("atx_v1.json").First(v => v.Str("kind") == "atx_v1" && v.IsNull("fields") is false
            && v.GetProperty("fields").IsNull("VRFNonce"));
        var blob = Hex(v.Str("hex")!);
        var tagAt = blob.Length - 32 - 64 - 1; // VRFNonce tag, right before SmesherID and Signature.
        Assert.Equal(0, blob[tagAt]);
        foreach (var tag in new byte[] { 0x02, 0x7f, 0xff })
        {
            blob[tagAt] = tag;
            var atx = ActivationTxV1.Decode(blob);
            Assert.Null(atx.VrfNonce);
            Assert.Equal(v.Str("id"), atx.ComputeId().ToString());
            Assert.Equal(v.Str("hex"), Hex(atx.Encode()));
        }
    }

    [Fact]
    public void A_v1_pow_with_leading_zero_bytes_is_accepted_and_keeps_the_id()
    {
        var v = Load("atx_v1.json").First(v => v.Str("kind") == "atx_v1");
        var atx = ActivationTxV1.Decode(Hex(v.Str("hex")!));
        var pow = atx.NIPost!.Post!.Pow;
        Assert.True(pow > uint.MaxValue >> 2);

        var canonical = Hex(ScaleVectorTestsBridge.Compact64(pow));
        var padded = new byte[9];
        padded[0] = (8 - 4) << 2 | 3;
        BitConverter.TryWriteBytes(padded.AsSpan(1), pow);
        var hex = v.Str("hex")!;
        var at = hex.IndexOf(canonical, StringComparison.Ordinal);
        Assert.True(at >= 0 && at % 2 == 0);
        Assert.Equal(at, hex.LastIndexOf(canonical, StringComparison.Ordinal));
        var mutated = Hex(hex[..at] + Hex(padded) + hex[(at + canonical.Length)..]);

        var decoded = ActivationTxV1.Decode(mutated);
        Assert.Equal(pow, decoded.NIPost!.Post!.Pow);
        Assert.Equal(v.Str("id"), decoded.ComputeId().ToString());
        Assert.Equal(hex, Hex(decoded.Encode()));
    }

    [Fact]
    public void An_initial_v2_sub_post_is_not_covered_by_the_id()
    {
        var v = Load("atx_v2.json").First(v => v.Str("kind") == "atx_v2" && !v.GetProperty("fields").IsNull("Initial"));
        var atx = ActivationTxV2.Decode(Hex(v.Str("hex")!));
        var post = atx.NiPosts[0].Posts[0];
        Assert.Null(post.MerkleRoot(atx.PreviousAtxs));
        post.NumUnits += 7;
        post.MembershipLeafIndex += 3;
        post.MarriageIndex = 5;
        post.Post.Pow ^= 1;
        Assert.Equal(v.Str("id"), atx.ComputeId().ToString());

        // The initial parts, in contrast, are covered.
        atx.Initial!.Post.Pow ^= 1;
        Assert.NotEqual(v.Str("id"), atx.ComputeId().ToString());
    }

    [Fact]
    public void An_out_of_range_prev_atx_index_drops_the_sub_post_leaf_but_keeps_its_position_as_a_right_sibling()
    {
        var v = Load("atx_v2.json").First(v => v.Str("kind") == "atx_v2" && v.GetProperty("fields").IsNull("Initial"));
        var atx = ActivationTxV2.Decode(Hex(v.Str("hex")!));
        var nipost = atx.NiPosts[0];
        var first = nipost.Posts[0];
        var second = new SubPostV2 { PrevAtxIndex = 9, Post = first.Post.Clone(), NumUnits = 4 };
        nipost.Posts = [first, second];
        Assert.Null(second.MerkleRoot(atx.PreviousAtxs));

        // Right sibling: hashed as blake3(0x01 || left || ""), so changing its other fields leaves the ID alone.
        var id = atx.ComputeId();
        second.NumUnits = 99;
        Assert.Equal(id, atx.ComputeId());
        Assert.Contains(AtxSyntax.Check(atx), e => e.Reason == AtxSyntaxReason.SoloAtxPostCount);

        // Yet the leaf is not simply dropped: the tree differs from the one with the first post alone.
        var alone = ActivationTxV2.Decode(atx.Encode());
        alone.NiPosts[0].Posts = [alone.NiPosts[0].Posts[0]];
        Assert.NotEqual(id, alone.ComputeId());
    }

    [Fact]
    public void Oversized_collections_are_refused_on_encode_and_on_decode()
    {
        var rng = new Random(14);
        var atx = RandomV1(rng, initial: true);
        atx.NIPost!.Post!.Indices = new byte[801];
        Assert.Throws<ScaleEncodeException>(() => atx.Encode());

        atx.NIPost.Post.Indices = new byte[800];
        atx.NIPost.Membership.Nodes = new Hash32[33];
        Assert.Throws<ScaleEncodeException>(() => atx.Encode());

        var v2 = RandomV2(rng);
        v2.NiPosts = [.. Enumerable.Range(0, 5).Select(_ => v2.NiPosts[0])];
        Assert.Throws<ScaleEncodeException>(() => v2.Encode());

        // Decoding refuses a length over the limit before reading the elements.
        var blob = RandomV2(rng).Encode();
        var withPrev = RandomV2(rng);
        withPrev.PreviousAtxs = [.. Enumerable.Range(0, 256).Select(i => RandomAtx(rng))];
        var ok = withPrev.Encode();
        Assert.Equal(256, ActivationTxV2.Decode(ok).PreviousAtxs.Length);
        var at = 1 + 32 + 24 + (withPrev.Initial is null ? 1 : 0);
        Assert.True(blob.Length > 0 && at > 0);
        // Rewrite the compact length 256 (0x0104) as 257 (0x0504).
        var prefix = ScaleCodec.Encode(new EpochBox(withPrev.PublishEpoch)).Length + 32 + 24;
        var initialLength = withPrev.Initial is null ? 1 : 1 + ScaleCodec.Encode(withPrev.Initial).Length;
        var lengthAt = prefix + initialLength;
        Assert.Equal(0x01, ok[lengthAt]);
        Assert.Equal(0x04, ok[lengthAt + 1]);
        ok[lengthAt] = 0x05;
        var e = Assert.Throws<ScaleDecodeException>(() => ActivationTxV2.Decode(ok));
        Assert.Equal("decode from buffer: too many elements to decode in collection with scale limit set: (257 > 256)", e.Message);
    }

    [Fact]
    public void V2_syntax_rules_report_go_spacemeshs_reasons()
    {
        var rng = new Random(15);
        var golden = RandomAtx(rng);
        var solo = RandomV2(rng);
        solo.Initial = null;
        solo.PreviousAtxs = [RandomAtx(rng)];
        solo.MarriageAtx = null;
        solo.Marriages = [];
        solo.NiPosts = [solo.NiPosts[0]];
        solo.NiPosts[0].Posts = [solo.NiPosts[0].Posts[0]];
        solo.NiPosts[0].Posts[0].PrevAtxIndex = 0;
        Assert.Empty(AtxSyntax.Check(solo, new EpochId(solo.PublishEpoch.Value), golden));

        Assert.Equal(
            [AtxSyntaxReason.PublishEpochTooFar],
            AtxSyntax.Check(solo, new EpochId(solo.PublishEpoch.Value - 2)).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.PreviousAtxGolden],
            AtxSyntax.Check(Mutate2(solo, a => a.PreviousAtxs = [golden]), null, golden).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.PreviousAtxEmpty],
            AtxSyntax.Check(Mutate2(solo, a => a.PreviousAtxs = [AtxId.Zero])).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.SignerMustMarryItself],
            AtxSyntax.Check(Mutate2(solo, a => a.Marriages = [new MarriageCertificate { ReferenceAtx = RandomAtx(rng) }]))
                .Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.SoloAtxPrevAtxIndex, AtxSyntaxReason.PrevAtxIndexOutOfRange],
            AtxSyntax.Check(Mutate2(solo, a => a.NiPosts[0].Posts[0].PrevAtxIndex = 1)).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.EmptyPositioningAtx],
            AtxSyntax.Check(Mutate2(solo, a => a.PositioningAtx = AtxId.Zero)).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.InitialAtxMissingCommitmentAtx, AtxSyntaxReason.InitialAtxWithPreviousAtxs],
            AtxSyntax.Check(Mutate2(solo, a => a.Initial = new InitialAtxPartsV2())).Select(e => e.Reason));

        var merged = Mutate2(solo, a =>
        {
            a.MarriageAtx = RandomAtx(rng);
            a.NiPosts[0].Posts = [a.NiPosts[0].Posts[0], a.NiPosts[0].Posts[0]];
            a.Marriages = [new MarriageCertificate()];
        });
        Assert.Equal(
            [AtxSyntaxReason.MergedAtxWithMarriages, AtxSyntaxReason.DuplicateMarriageIndex],
            AtxSyntax.Check(merged).Select(e => e.Reason));
        Assert.Equal(
            $"ID present twice (duplicated marriage index): {merged.NiPosts[0].Posts[0].MarriageIndex}",
            AtxSyntax.Check(merged)[1].Message);
    }

    [Fact]
    public void V1_syntax_rules_report_go_spacemeshs_reasons_in_gos_order()
    {
        var rng = new Random(16);
        var initial = RandomV1(rng, initial: true);
        Assert.Empty(AtxSyntax.Check(initial, initial.PublishEpoch));

        var later = RandomV1(rng, initial: false);
        Assert.Empty(AtxSyntax.Check(later));
        Assert.Equal(
            [AtxSyntaxReason.NodeIdIncluded, AtxSyntaxReason.InitialPostIncluded, AtxSyntaxReason.CommitmentAtxIncluded],
            AtxSyntax.Check(Mutate(later, a =>
            {
                a.NodeId = a.SmesherId;
                a.InitialPost = new PostV1();
                a.CommitmentAtxId = RandomAtx(rng);
            })).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.InitialPostMissing, AtxSyntaxReason.VrfNonceMissing, AtxSyntaxReason.EmptyCommitmentAtx],
            AtxSyntax.Check(Mutate(initial, a =>
            {
                a.InitialPost = null;
                a.VrfNonce = null;
                a.CommitmentAtxId = AtxId.Zero;
            })).Select(e => e.Reason));
        Assert.Equal(
            [AtxSyntaxReason.CommitmentAtxMissing],
            AtxSyntax.Check(Mutate(initial, a => a.CommitmentAtxId = null)).Select(e => e.Reason));
        var far = AtxSyntax.Check(initial, new EpochId(initial.PublishEpoch.Value - 2));
        Assert.Equal(
            $"atx publish epoch is too far in the future: {initial.PublishEpoch.Value} > {initial.PublishEpoch.Value - 1}",
            Assert.Single(far).Message);
        Assert.Equal(
            [AtxSyntaxReason.NipostMetadataMissing],
            AtxSyntax.Check(Mutate(later, a => a.NIPost!.PostMetadata = null)).Select(e => e.Reason));
    }

    private static ActivationTxV1 Mutate(ActivationTxV1 atx, Action<ActivationTxV1> change)
    {
        var copy = ActivationTxV1.Decode(atx.Encode());
        change(copy);
        return copy;
    }

    private static ActivationTxV2 Mutate2(ActivationTxV2 atx, Action<ActivationTxV2> change)
    {
        var copy = ActivationTxV2.Decode(atx.Encode());
        change(copy);
        return copy;
    }

    internal static ActivationTxV1 RandomV1(Random rng, bool? initial = null)
    {
        var isInitial = initial ?? rng.Next(2) == 0;
        var smesher = RandomNode(rng);
        return new ActivationTxV1
        {
            PublishEpoch = new EpochId((uint)rng.Next(2, 1 << 20)),
            Sequence = isInitial ? 0 : (ulong)rng.NextInt64() >> rng.Next(64),
            PrevAtxId = isInitial ? AtxId.Zero : RandomAtx(rng),
            PositioningAtxId = RandomAtx(rng),
            CommitmentAtxId = isInitial ? RandomAtx(rng) : null,
            InitialPost = isInitial ? RandomPost(rng) : null,
            Coinbase = new Address(Bytes(rng, 24)),
            NumUnits = (uint)rng.NextInt64(1, uint.MaxValue),
            NIPost = new NIPostV1
            {
                Membership = new MerkleProofV1
                {
                    Nodes = [.. Enumerable.Range(0, rng.Next(33)).Select(_ => new Hash32(Bytes(rng, 32)))],
                    LeafIndex = (ulong)rng.NextInt64() >> rng.Next(64),
                },
                Post = RandomPost(rng),
                PostMetadata = new PostMetadataV1 { Challenge = Bytes(rng, 32), LabelsPerUnit = (ulong)rng.NextInt64() },
            },
            NodeId = isInitial ? smesher : null,
            VrfNonce = isInitial || rng.Next(2) == 0 ? (ulong)rng.NextInt64() >> rng.Next(64) : null,
            SmesherId = smesher,
            Signature = new EdSignature(Bytes(rng, 64)),
        };
    }

    internal static ActivationTxV2 RandomV2(Random rng)
    {
        var initial = rng.Next(2) == 0;
        var previous = initial ? [] : Enumerable.Range(0, rng.Next(1, 4)).Select(_ => RandomAtx(rng)).ToArray();
        return new ActivationTxV2
        {
            PublishEpoch = new EpochId((uint)rng.Next(2, 1 << 20)),
            PositioningAtx = RandomAtx(rng),
            Coinbase = new Address(Bytes(rng, 24)),
            Initial = initial ? new InitialAtxPartsV2 { CommitmentAtx = RandomAtx(rng), Post = RandomPost(rng) } : null,
            PreviousAtxs = previous,
            NiPosts =
            [
                .. Enumerable.Range(0, rng.Next(1, 5)).Select(_ => new NiPostsV2
                {
                    Membership = new MerkleProofV2 { Nodes = [.. Enumerable.Range(0, rng.Next(6)).Select(_ => new Hash32(Bytes(rng, 32)))] },
                    Challenge = new Challenge(Bytes(rng, 32)),
                    Posts =
                    [
                        .. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => new SubPostV2
                        {
                            MarriageIndex = (uint)rng.Next(4),
                            PrevAtxIndex = (uint)rng.Next(4),
                            MembershipLeafIndex = (ulong)rng.Next(),
                            Post = RandomPost(rng),
                            NumUnits = (uint)rng.Next(1, 100),
                        }),
                    ],
                }),
            ],
            VrfNonce = (ulong)rng.NextInt64(),
            Marriages =
            [
                .. Enumerable.Range(0, rng.Next(3)).Select(_ => new MarriageCertificate
                {
                    ReferenceAtx = rng.Next(2) == 0 ? AtxId.Zero : RandomAtx(rng),
                    Signature = new EdSignature(Bytes(rng, 64)),
                }),
            ],
            MarriageAtx = rng.Next(3) == 0 ? RandomAtx(rng) : null,
            SmesherId = RandomNode(rng),
            Signature = new EdSignature(Bytes(rng, 64)),
        };
    }

    private static PostV1 RandomPost(Random rng) => new()
    {
        Nonce = (uint)rng.NextInt64(0, uint.MaxValue),
        Indices = Bytes(rng, rng.Next(0, 801)),
        Pow = (ulong)rng.NextInt64() >> rng.Next(64),
    };

    private static AtxId RandomAtx(Random rng) => new(Bytes(rng, 32));

    private static NodeId RandomNode(Random rng) => new(Bytes(rng, 32));

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private sealed class EpochBox(EpochId epoch) : IScaleEncodable
    {
        public void Encode(ref ScaleWriter writer) => writer.WriteCompact32(epoch.Value);
    }
}

internal static class ScaleVectorTestsBridge
{
    public static byte[] Compact64(ulong value) => Prover.Node.Tests.Codec.ScaleVectorTests.EncodeCompact(64, value);
}
