using System.Text.Json;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Xunit;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Atx;

public class AtxV2VectorTests
{
    private static readonly JsonElement[] Vectors = Load("atx_v2.json");

    public static IEnumerable<object[]> Valid() =>
        Load("atx_v2.json")
            .Select((v, i) => (v, i))
            .Where(t => t.v.TryGetProperty("hex", out _) && t.v.TryGetProperty("id", out _))
            .Select(t => new object[] { t.i });

    [Fact]
    public void The_file_has_v2_atxs()
    {
        Assert.NotEmpty(Valid());
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Blobs_decode_re_encode_byte_identical_and_give_the_listed_merkle_id(int index)
    {
        var v = Vectors[index];
        var blob = Hex(v.Str("hex")!);
        var atx = ActivationTxV2.Decode(blob);
        var expected = AtxJson.V2(v.GetProperty("fields"));
        if (Canonical(v) is { } canonical)
        {
            Assert.Equal(canonical, Hex(atx.Encode()));
        }
        Assert.Equal(Hex(expected.Encode()), Hex(atx.Encode()));

        if (v.TryGetProperty("id_leaves", out var leaves))
        {
            var expectedLeaves = leaves.EnumerateArray().Select(l => l.GetString()).ToArray();
            Assert.Equal(expectedLeaves, atx.IdLeaves().Select(l => l is null ? string.Empty : Hex(l)).ToArray());
        }

        Assert.Equal(v.Str("id"), atx.ComputeId().ToString());
        Assert.Equal(v.Str("id"), expected.ComputeId().ToString());
        Assert.Equal(v.Str("id"), Hex(atx.SignedBytes()));
        if (v.Str("signing_message") is { } message)
        {
            Assert.Equal(message, Hex([.. Hex(v.Str("genesis_id")!), 0x00, .. atx.SignedBytes()]));
        }
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Sub_roots_and_the_nipost_challenge_hash_match(int index)
    {
        var v = Vectors[index];
        var atx = ActivationTxV2.Decode(Hex(v.Str("hex")!));
        if (v.TryGetProperty("sub_roots", out var roots))
        {
            if (roots.Str("initial") is { } initial)
            {
                Assert.Equal(initial, Hex(atx.Initial!.MerkleRoot()));
            }
            else
            {
                Assert.Null(atx.Initial);
            }

            var niposts = roots.GetProperty("niposts").EnumerateArray().Select(x => x.GetString()).ToArray();
            Assert.Equal(niposts, atx.NiPosts.Select(n => Hex(n.MerkleRoot(atx.PreviousAtxs))).ToArray());
            var subposts = roots.GetProperty("subposts").EnumerateArray()
                .Select(a => a.EnumerateArray().Select(x => x.GetString()).ToArray()).ToArray();
            Assert.Equal(subposts.Length, atx.NiPosts.Length);
            for (var i = 0; i < subposts.Length; i++)
            {
                var actual = atx.NiPosts[i].Posts.Select(p => p.MerkleRoot(atx.PreviousAtxs) is { } r ? Hex(r) : string.Empty);
                Assert.Equal(subposts[i], actual.ToArray());
            }
        }

        if (v.TryGetProperty("nipost_challenge", out var nc))
        {
            var challenge = AtxJson.ChallengeV2(nc.GetProperty("fields"));
            Assert.Equal(nc.Str("hex"), Hex(ScaleCodec.Encode(challenge)));
            Assert.Equal(nc.Str("hash"), challenge.Hash().ToString());
        }

        var reported = AtxSyntax.Check(atx).Select(e => e.Message).ToArray();
        if (v.TryGetProperty("syntax_errors", out var se) || v.TryGetProperty("errors", out se))
        {
            Assert.Equal(se.EnumerateArray().Select(e => e.GetString()).ToArray(), reported);
        }
        else if (v.Str("what") is { } what && (what.StartsWith("initial ATX V2", StringComparison.Ordinal)
            || what.StartsWith("non-initial solo", StringComparison.Ordinal)))
        {
            // The chain's own solo ATXs are well formed.
            Assert.Empty(reported);
        }
    }

    // The blob re-encodes to itself unless the vector says it is a non-canonical (accepted) form; then to the
    // canonical form when the vector gives it.
    private static string? Canonical(JsonElement v) =>
        v.Str("canonical_hex")
        ?? (v.Str("kind") is "atx_v1" or "atx_v2" && !(v.Str("what") ?? string.Empty).Contains("canonical", StringComparison.OrdinalIgnoreCase)
            ? v.Str("hex")
            : null);
}
