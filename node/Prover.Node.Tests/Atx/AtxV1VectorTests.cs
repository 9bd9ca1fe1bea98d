using System.Text.Json;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Xunit;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Atx;

public class AtxV1VectorTests
{
    private static readonly JsonElement[] Vectors = Load("atx_v1.json");

    public static IEnumerable<object[]> Valid() =>
        Load("atx_v1.json")
            .Select((v, i) => (v, i))
            .Where(t => t.v.TryGetProperty("hex", out _) && t.v.TryGetProperty("id", out _))
            .Select(t => new object[] { t.i });

    public static IEnumerable<object[]> Kind(string kind) => Indexed("atx_v1.json", kind);

    [Fact]
    public void The_file_has_decodable_atxs_decode_errors_and_syntax_errors()
    {
        Assert.NotEmpty(Valid());
        Assert.NotEmpty(Kind("atx_v1_decode_error"));
        Assert.NotEmpty(Kind("atx_v1_syntax"));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Blobs_decode_to_the_listed_fields_and_the_listed_id_and_signed_bytes(int index)
    {
        var v = Vectors[index];
        var blob = Hex(v.Str("hex")!);
        var atx = ActivationTxV1.Decode(blob);
        var expected = AtxJson.V1(v.GetProperty("fields"));

        // Field by field, through the canonical encoding of the object built from the JSON.
        Assert.Equal(Hex(expected.Encode()), Hex(atx.Encode()));
        // A non-canonical but accepted blob keeps its ID: the ID hashes the re-encoded struct.
        if (Canonical(v) is { } canonical)
        {
            Assert.Equal(canonical, Hex(atx.Encode()));
            if (v.Str("inner_hex") is { } inner)
            {
                Assert.Equal(inner, Hex(atx.EncodeInner()));
            }
        }

        Assert.Equal(v.Str("id"), atx.ComputeId().ToString());
        Assert.Equal(v.Str("id"), expected.ComputeId().ToString());
        Assert.Equal(v.Str("signed_bytes"), Hex(atx.SignedBytes()));
        if (v.Str("signing_message") is { } message)
        {
            var genesis = Hex(v.Str("genesis_id")!);
            Assert.Equal(message, Hex([.. genesis, 0x00, .. atx.SignedBytes()]));
        }
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void The_nipost_challenge_hash_and_post_challenge_match(int index)
    {
        var v = Vectors[index];
        var atx = ActivationTxV1.Decode(Hex(v.Str("hex")!));
        if (v.TryGetProperty("nipost_challenge", out var nc))
        {
            var challenge = AtxJson.ChallengeV1(nc.GetProperty("fields"));
            Assert.Equal(nc.Str("hex"), Hex(ScaleCodec.Encode(challenge)));
            Assert.Equal(nc.Str("hex"), Hex(ScaleCodec.Encode(atx.NIPostChallenge)));
            Assert.Equal(nc.Str("hash"), challenge.Hash().ToString());
            Assert.Equal(nc.Str("hash"), atx.PoetChallengeHash().ToString());
        }

        if (v.Str("post_challenge") is { } postChallenge)
        {
            Assert.Equal(postChallenge, atx.PostChallenge?.ToString());
        }

        if (v.TryGetProperty("syntax_errors", out var se))
        {
            var expected = se.EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.Equal(expected, AtxSyntax.Check(atx).Select(e => e.Message).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Kind), "atx_v1_decode_error")]
    public void Malformed_blobs_are_rejected_with_go_spacemeshs_message(int index)
    {
        var v = Vectors[index];
        var blob = Hex(v.Str("hex")!);
        var e = Assert.Throws<ScaleDecodeException>(() => ActivationTxV1.Decode(blob));
        Assert.Equal(v.Str("error"), e.Message);
        Assert.False(ActivationTxV1.TryDecode(blob, out var atx, out var error));
        Assert.Null(atx);
        Assert.Equal(e.Message, error!.Message);
    }

    [Theory]
    [MemberData(nameof(Kind), "atx_v1_syntax")]
    public void Syntactically_invalid_atxs_report_go_spacemeshs_reasons(int index)
    {
        var v = Vectors[index];
        var atx = AtxJson.V1(v.GetProperty("fields"));
        var expected = v.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToArray();
        var errors = AtxSyntax.Check(atx, CurrentEpoch(v));
        Assert.Equal(expected, errors.Select(e => e.Message).ToArray());

        // The same ATX survives the codec unchanged, so `post atx decode` reports the same reasons.
        var decoded = ActivationTxV1.Decode(atx.Encode());
        Assert.Equal(expected, AtxSyntax.Check(decoded, CurrentEpoch(v)).Select(e => e.Message).ToArray());
    }

    private static Prover.Node.Types.EpochId? CurrentEpoch(JsonElement v) =>
        v.TryGetProperty("current_epoch", out var e) && e.ValueKind == JsonValueKind.Number
            ? new Prover.Node.Types.EpochId(e.GetUInt32())
            : null;

    // The blob re-encodes to itself unless the vector says it is a non-canonical (accepted) form; then to the
    // canonical form when the vector gives it.
    private static string? Canonical(JsonElement v) =>
        v.Str("canonical_hex")
        ?? (v.Str("kind") is "atx_v1" or "atx_v2" && !(v.Str("what") ?? string.Empty).Contains("canonical", StringComparison.OrdinalIgnoreCase)
            ? v.Str("hex")
            : null);
}
