using System.Diagnostics;
using System.Net;
using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

[Collection(RandomXLightGroup.Name)]
public sealed class PowRemoteK2PowTests(RandomXLightFixture light)
{
    private const string UpstreamPath =
        "/job/bebebebebebebebebebebebebebebebebebebebebebebebebebebebebebebebe/0/aaaaaaaaaaaaaaaa/" +
        "3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    private static readonly RemoteK2PowOptions Fast = new() { Backoff = TimeSpan.FromMilliseconds(10) };
    private static readonly byte[] Miner = Enumerable.Repeat((byte)0xBE, 32).ToArray();
    private static readonly byte[] Challenge32 = Enumerable.Repeat((byte)0xAA, 32).ToArray();
    private static readonly byte[] Scaled = K2PowDifficulty.Scale(Enumerable.Repeat((byte)0xFF, 32).ToArray(), 4);

    private static byte[] Challenge8 => Challenge32[..8];

    [Fact]
    public void Job_path_is_the_upstream_one()
    {
        // post-rs service/tests/test_service.rs: miner 0xBE×32, challenge 0xAA×32, FF×32 difficulty over 4 units.
        Assert.Equal(UpstreamPath, RemoteK2Pow.JobPath(Miner, 0, Challenge8, Scaled));
        Assert.Equal("/job/" + new string('0', 64) + "/255/0102030405060708/" + "ab" + new string('c', 62),
            RemoteK2Pow.JobPath(new byte[32], 255, [1, 2, 3, 4, 5, 6, 7, 8],
                [0xAB, .. Enumerable.Repeat((byte)0xCC, 31)]));
    }

    [Fact]
    public void Job_url_joins_the_base_address_with_or_without_a_trailing_slash()
    {
        using var plain = new RemoteK2Pow(new Uri("http://worker:3000"));
        using var slash = new RemoteK2Pow(new Uri("http://worker:3000/k2pow/"));
        Assert.Equal("http://worker:3000" + UpstreamPath, plain.JobUri(Miner, 0, Challenge8, Scaled).ToString());
        Assert.Equal("http://worker:3000/k2pow" + UpstreamPath, slash.JobUri(Miner, 0, Challenge8, Scaled).ToString());
        Assert.Throws<ArgumentException>(() => new RemoteK2Pow(new Uri("ftp://worker")));
    }

    [Fact]
    public void Upstream_job_gets_201_then_200_with_the_pow()
    {
        var service = new K2PowServiceSemantics((_, _, _, _) => 1234);
        using var server = new PowTestHttpServer(service.Handle);
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);

        Assert.Equal(1234UL, client.Prove(0, Challenge8, Scaled, Miner));
        Assert.All(server.Paths, p => Assert.Equal(UpstreamPath, p));
        Assert.Equal(201, server.Statuses.First());
        Assert.Equal(200, server.Statuses.Last());
    }

    [Fact]
    public void Busy_worker_429_is_retried()
    {
        var calls = 0;
        using var server = new PowTestHttpServer(_ => Interlocked.Increment(ref calls) <= 3 ? (429, "") : (200, "77\n"));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        Assert.Equal(77UL, client.Prove(1, Challenge8, Scaled, Miner));
        Assert.Equal(new[] { 429, 429, 429, 200 }, server.Statuses.ToArray());
    }

    [Fact]
    public void Server_error_500_fails_with_the_body_text()
    {
        using var server = new PowTestHttpServer(_ => (500, "randomx exploded"));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        var error = Assert.Throws<RemoteK2PowException>(() => client.Prove(1, Challenge8, Scaled, Miner));
        Assert.Contains("randomx exploded", error.Message);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("randomx exploded", error.Body);
        Assert.Single(server.Paths);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(202)]
    [InlineData(503)]
    public void Unknown_status_fails(int status)
    {
        using var server = new PowTestHttpServer(_ => (status, "?"));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        var error = Assert.Throws<RemoteK2PowException>(() => client.Prove(1, Challenge8, Scaled, Miner));
        Assert.Contains("unknown status code returned", error.Message);
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
    }

    [Fact]
    public void Invalid_pow_body_fails()
    {
        using var server = new PowTestHttpServer(_ => (200, "12a"));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        Assert.Throws<RemoteK2PowException>(() => client.Prove(1, Challenge8, Scaled, Miner));
    }

    [Fact]
    public async Task Transport_errors_are_retried_until_the_worker_comes_up()
    {
        var port = PowTestHttpServer.PortOutsideEphemeralRange();
        using var client = new RemoteK2Pow(new Uri($"http://127.0.0.1:{port}"), Fast);
        var pending = client.ProveManyAsync([9], Challenge8, Scaled, Miner);
        await Task.Delay(300);
        Assert.False(pending.IsCompleted);

        using var server = new PowTestHttpServer(_ => (200, "5"), port);
        var pows = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { 5UL }, pows);
    }

    [Fact]
    public async Task Prove_many_runs_jobs_concurrently_and_keeps_the_order()
    {
        // All three jobs must be outstanding at once before any finishes: the worker holds job 1 until it has been
        // asked for the others (which it refuses with 429 meanwhile).
        var requested = new HashSet<byte>();
        var allAsked = new ManualResetEventSlim();
        var service = new K2PowServiceSemantics((_, group, _, _) =>
        {
            Assert.True(allAsked.Wait(TimeSpan.FromSeconds(30)), "not all jobs were requested concurrently");
            return 1000UL + group;
        });
        using var server = new PowTestHttpServer(path =>
        {
            var group = byte.Parse(path.Split('/')[3]);
            lock (requested)
            {
                requested.Add(group);
                if (requested.Count == 3)
                {
                    allAsked.Set();
                }
            }

            return service.Handle(path);
        });
        using var client = new RemoteK2Pow(server.BaseAddress, Fast with { Parallelism = 3 });

        var pows = await client.ProveManyAsync([4, 2, 7], Challenge8, Scaled, Miner).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { 1004UL, 1002UL, 1007UL }, pows);
        Assert.Contains(429, server.Statuses);
    }

    [Fact]
    public async Task Parallelism_one_sends_one_job_at_a_time()
    {
        var service = new K2PowServiceSemantics((_, group, _, _) =>
        {
            Thread.Sleep(20);
            return group;
        });
        using var server = new PowTestHttpServer(service.Handle);
        using var client = new RemoteK2Pow(server.BaseAddress, Fast with { Parallelism = 1 });

        var pows = await client.ProveManyAsync([1, 2, 3], Challenge8, Scaled, Miner).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { 1UL, 2UL, 3UL }, pows);
        Assert.DoesNotContain(429, server.Statuses);
    }

    [Fact]
    public async Task A_failing_job_ends_the_pass_without_waiting_for_the_others()
    {
        using var server = new PowTestHttpServer(path =>
            path.Split('/')[3] == "2" ? (500, "no pow for group 2") : (201, ""));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RemoteK2PowException>(() =>
            client.ProveManyAsync([1, 2, 3], Challenge8, Scaled, Miner).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("no pow for group 2", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Polling_is_cancellable()
    {
        using var server = new PowTestHttpServer(_ => (201, ""));
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.ProveManyAsync([1], Challenge8, Scaled, Miner, cts.Token));
        Assert.True(server.Paths.Count >= 2);
    }

    [Fact]
    public async Task A_worker_running_real_k2pow_answers_the_vector()
    {
        // The worker side computes the pow with the local RandomX k2pow; the client's answer verifies.
        var k2pow = new K2Pow(light.Context, threads: 1);
        var service = new K2PowServiceSemantics((miner, group, challenge, difficulty) =>
            k2pow.Prove(group, challenge, difficulty, miner));
        using var server = new PowTestHttpServer(service.Handle);
        using var client = new RemoteK2Pow(server.BaseAddress, Fast);

        var vector = K2PowVectors.Difficulty0fff;
        var challenge = K2PowVectors.Ascii(vector, "challenge8_ascii");
        var miner = K2PowVectors.Hex(vector, "miner_id");
        var difficulty = K2PowVectors.Hex(vector, "difficulty");
        var group = (byte)vector.GetProperty("nonce_group").GetInt32();
        var pows = await client.ProveManyAsync([group], challenge, difficulty, miner).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(vector.GetProperty("smallest_valid_pow").GetUInt64(), pows[0]);
        Assert.True(k2pow.Verify(pows[0], group, challenge, difficulty, miner));
    }
}
