using System.Net;
using System.Text;
using NSec.Cryptography;
using Prover.Core.Primitives;
using Prover.Node.Host.Poet;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Host.Tests.Poet;

public sealed class PoetRestEndToEndTests : IDisposable
{
    private static readonly byte[] Prefix = [.. Convert.FromHexString("9eebff023abb17ccb775c602daade8ed708f0a50"), 0x04];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "poet-rest-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static PoetSubmitRequest Request(PoetPowParams pow, Key key, byte[] challenge, DateTimeOffset? deadline = null) => new(
        0, pow, Prefix, challenge, key.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        SignatureAlgorithm.Ed25519.Sign(key, [.. Prefix, .. challenge]), deadline);

    [Fact]
    public async Task Three_nodes_register_over_http_and_each_verifies_the_proof_and_its_membership()
    {
        // Round 0 closes 10 s from now (room for Kestrel's cold start and three submits on a loaded machine) and works
        // for 2 s.
        var timing = new PoetRoundTiming(
            DateTimeOffset.UtcNow, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        await using var poet = new PoetService(new PoetServiceOptions { DataDirectory = _directory, Timing = timing });
        poet.Start();
        await using var server = await PoetRestServer.StartAsync(poet, new IPEndPoint(IPAddress.Loopback, 0));
        using var http = new HttpClient { BaseAddress = server.Address };
        var client = new PoetClient(http);

        var info = await client.InfoAsync();
        Assert.Equal(poet.PublicKey, info.ServicePubkey);
        Assert.Equal(TimeSpan.FromSeconds(10), info.PhaseShift);
        Assert.Equal(TimeSpan.FromSeconds(10), info.CycleGap);
        var pow = await client.PowParamsAsync();

        var keys = Enumerable.Range(0, 3).Select(_ => Key.Create(SignatureAlgorithm.Ed25519)).ToArray();
        var challenges = keys.Select((_, i) => System.Security.Cryptography.SHA256.HashData([(byte)i])).ToArray();
        var rounds = new List<string>();
        for (var i = 0; i < keys.Length; i++)
        {
            var result = await client.SubmitAsync(Request(pow, keys[i], challenges[i], timing.RoundEnd(0)));
            rounds.Add(result.RoundId);
            Assert.True(result.RoundEnd > TimeSpan.Zero);
        }

        Assert.Equal(["0", "0", "0"], rounds);
        Assert.Null(await client.TryGetProofAsync("0"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var served = await client.WaitForProofAsync("0", TimeSpan.FromMilliseconds(200), timeout.Token);
        Assert.Equal(poet.PublicKey, served.Pubkey);
        Assert.True(served.Proof.LeafCount >= 150);

        var statement = MembershipTree.Root(served.Members);
        Assert.Equal(PoswVerdict.Valid, PoswVerifier.Verify(served.Proof, statement));
        for (var i = 0; i < keys.Length; i++)
        {
            var index = served.Members.ToList().IndexOf(new Hash32(challenges[i]));
            Assert.True(index >= 0);
            Assert.True(MembershipTree.Verify(new Hash32(challenges[i]), (ulong)index, MembershipTree.Prove(served.Members, (ulong)index), statement));
            keys[i].Dispose();
        }
    }

    [Fact]
    public async Task Refusals_carry_grpc_gateway_status_codes_and_bodies()
    {
        var timing = new PoetRoundTiming(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1));
        await using var poet = new PoetService(new PoetServiceOptions { DataDirectory = _directory, Timing = timing });
        await using var server = await PoetRestServer.StartAsync(poet, new IPEndPoint(IPAddress.Loopback, 0));
        using var http = new HttpClient { BaseAddress = server.Address };
        var client = new PoetClient(http);
        var pow = await client.PowParamsAsync();
        using var key = Key.Create(SignatureAlgorithm.Ed25519);

        var bad = Request(pow, key, new byte[32]) with { Signature = new byte[64] };
        var invalid = await Assert.ThrowsAsync<PoetClientException>(() => client.SubmitAsync(bad));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid signature"), (invalid.Status, invalid.ServerMessage));

        var late = await Assert.ThrowsAsync<PoetClientException>(() => client.SubmitAsync(Request(pow, key, new byte[32], timing.RoundEnd(0).AddSeconds(-1))));
        Assert.Equal(HttpStatusCode.BadRequest, late.Status);

        await client.SubmitAsync(Request(pow, key, new byte[32]));
        var conflict = await Assert.ThrowsAsync<PoetClientException>(() => client.SubmitAsync(Request(pow, key, Enumerable.Repeat((byte)1, 32).ToArray())));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);

        using var response = await http.GetAsync(new Uri("v1/proofs/7", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("{\"code\":5,\"message\":\"proof not found\",\"details\":[]}", await response.Content.ReadAsStringAsync());

        using var garbage = await http.PostAsync(new Uri("v1/submit", UriKind.Relative), new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }
}
