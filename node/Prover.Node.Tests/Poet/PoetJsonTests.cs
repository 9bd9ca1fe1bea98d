using System.Text;
using Prover.Core.Primitives;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Tests.Poet;

public class PoetJsonTests
{
    [Fact]
    public void Durations_and_timestamps_use_protojson_forms()
    {
        Assert.Equal("30s", PoetJson.FormatDuration(TimeSpan.FromSeconds(30)));
        Assert.Equal("1.500s", PoetJson.FormatDuration(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("0.000001s", PoetJson.FormatDuration(TimeSpan.FromTicks(10)));
        Assert.Equal("-2.250s", PoetJson.FormatDuration(TimeSpan.FromMilliseconds(-2250)));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), PoetJson.ParseDuration("1.5s"));
        Assert.Equal("2024-10-24T12:00:00Z", PoetJson.FormatTimestamp(new DateTimeOffset(2024, 10, 24, 14, 0, 0, TimeSpan.FromHours(2))));
        Assert.Equal("2024-10-24T12:00:00.250Z", PoetJson.FormatTimestamp(new DateTimeOffset(2024, 10, 24, 12, 0, 0, 250, TimeSpan.Zero)));
        Assert.Throws<FormatException>(() => PoetJson.ParseDuration("30"));
    }

    [Fact]
    public void A_submit_request_round_trips_and_snake_case_url_safe_input_is_read_too()
    {
        var request = new PoetSubmitRequest(
            42, new PoetPowParams(0, [1, 2, 3]), [9, 9], new byte[32], Enumerable.Repeat((byte)0xfb, 32).ToArray(), new byte[64],
            new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var json = PoetJson.WriteSubmitRequest(request);
        Assert.Contains("\"powParams\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Contains("\"nonce\":\"42\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var back = PoetJson.ReadSubmitRequest(json);
        Assert.Equal(request.Nonce, back.Nonce);
        Assert.Equal(request.Pubkey, back.Pubkey);
        Assert.Equal(request.Prefix, back.Prefix);
        Assert.Equal(request.Deadline, back.Deadline);
        Assert.Equal(request.PowParams!.Challenge, back.PowParams!.Challenge);

        var snake = PoetJson.ReadSubmitRequest(Encoding.UTF8.GetBytes(
            "{\"nonce\": 7, \"pow_params\": {\"challenge\": \"AQID\"}, \"pubkey\": \"-_-_\", \"unknown\": 1}"));
        Assert.Equal(7UL, snake.Nonce);
        Assert.Equal(new byte[] { 1, 2, 3 }, snake.PowParams!.Challenge);
        Assert.Equal(new byte[] { 0xfb, 0xff, 0xbf }, snake.Pubkey);
        Assert.Throws<FormatException>(() => PoetJson.ReadSubmitRequest("[1]"u8));
    }

    [Fact]
    public void A_proof_response_round_trips_with_leaves_as_a_string()
    {
        var proof = new PoetProof(new Hash32(new byte[32]), [Hash32.Parse(new string('a', 64))], [], 160);
        var served = new PoetRoundProof(proof, [Hash32.Parse(new string('b', 64))], [1, 2]);
        var json = PoetJson.WriteProofResponse(served);
        Assert.Contains("\"leaves\":\"160\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var back = PoetJson.ReadProofResponse(json);
        Assert.Equal(proof.Encode(), back.Proof.Encode());
        Assert.Equal(served.Members, back.Members);
        Assert.Equal(served.Pubkey, back.Pubkey);
    }

    [Fact]
    public void Responses_carry_default_fields_as_the_gateway_emits_them()
    {
        var info = PoetJson.WriteInfo(new PoetInfo([1], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)));
        Assert.Equal("{\"servicePubkey\":\"AQ==\",\"phaseShift\":\"30s\",\"cycleGap\":\"30s\",\"certifier\":null}", Encoding.UTF8.GetString(info));
        var pow = PoetJson.WritePowParams(new PoetPowParams(0, [1, 2]));
        Assert.Equal("{\"powParams\":{\"difficulty\":0,\"challenge\":\"AQI=\"}}", Encoding.UTF8.GetString(pow));
        Assert.Equal(new byte[] { 1, 2 }, PoetJson.ReadPowParams(pow).Challenge);
    }
}
