using System.Net.Http;
using Google.Protobuf;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary>The service against a go-spacemesh-like node over real gRPC on loopback.</summary>
public sealed class NodeProtocolTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Metadata_sent_over_the_stream_matches_the_files()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x11);
        var files = TestIdentities.Metadata(dir);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        await using var service = await RunningService.StartAsync(TestIdentities.Options(server.Address, dir), TestProvers.Create);

        await WaitUntil(() => !node.Registrations.IsEmpty);
        Assert.True(node.Registrations.TryPeek(out var meta));
        Assert.Equal(files.NodeId.ToArray(), meta.NodeId.ToByteArray());
        Assert.Equal(files.CommitmentAtxId.ToArray(), meta.CommitmentAtxId.ToByteArray());
        Assert.Equal(files.NumUnits, meta.NumUnits);
        Assert.Equal(files.LabelsPerUnit, meta.LabelsPerUnit);
        Assert.Equal(files.Nonce.HasValue, meta.HasNonce);
        Assert.Equal(files.Nonce ?? 0, meta.Nonce);
        await service.Log.WaitForAsync("connected to the node", Timeout);
    }

    [Fact]
    public async Task Address_without_scheme_dials_plain_http()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x12);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        var address = PostServiceOptions.ParseAddress($"127.0.0.1:{server.Port}");
        Assert.Equal("http", address.Scheme);
        await using var service = await RunningService.StartAsync(TestIdentities.Options(address, dir), TestProvers.Create);
        await WaitUntil(() => !node.Registrations.IsEmpty);
    }

    [Fact]
    public async Task Request_without_kind_and_wrong_length_challenge_get_errors_and_the_stream_goes_on()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x13);
        var answers = new TaskCompletionSource<(ServiceResponse None, GenProofResponse Short, Metadata After)>();
        await using var server = await TestNode.StartAsync(async session =>
        {
            var none = await session.RequestAsync(new NodeRequest());
            var shortChallenge = await session.GenProofAsync(new byte[31]);
            var after = await session.MetadataAsync();
            answers.TrySetResult((none, shortChallenge, after));
            await Task.Delay(System.Threading.Timeout.Infinite, session.Aborted);
        });
        await using var service = await RunningService.StartAsync(TestIdentities.Options(server.Address, dir), TestProvers.Create);

        var (none, shortChallenge, after) = await answers.Task.WaitAsync(Timeout);
        Assert.Equal(ServiceResponse.KindOneofCase.GenProof, none.KindCase);
        Assert.Equal(GenProofStatus.Error, none.GenProof.Status);
        Assert.Equal(GenProofStatus.Error, shortChallenge.Status);
        Assert.Null(shortChallenge.Proof);
        Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), after.NodeId.ToByteArray());
        Assert.Equal(ServiceState.Idle, service.Runtime.Identities[0].StateMachine.State);
    }

    [Fact]
    public async Task Gives_up_after_max_retries_when_no_node_listens()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x14);
        // A port that was just free: nothing listens there.
        int port;
        await using (var probe = await TestNode.StartAsync(_ => Task.CompletedTask))
        {
            port = probe.Port;
        }

        var options = TestIdentities.Options(new Uri($"http://127.0.0.1:{port}"), dir) with { MaxRetries = 3 };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await service.Stopped.WaitAsync(Timeout);
        Assert.IsType<NodeUnreachableException>(service.Runtime.Failure);
        // post-service's count: --max-retries 3 allows 4 attempts.
        Assert.True(service.Log.Contains("giving up after 4 failed connection attempts"), service.Log.Dump());
        Assert.Equal(4, service.Runtime.Identities[0].Metrics.Reconnects);
    }

    [Fact]
    public async Task Operator_api_reports_status_and_metrics()
    {
        var dirA = TestIdentities.Create(_tmp.Path, 0x15);
        var dirB = TestIdentities.Create(_tmp.Path, 0x16);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        var options = TestIdentities.Options(server.Address, dirA, dirB) with
        {
            OperatorAddress = PostServiceOptions.ParseOperatorAddress("127.0.0.1:0"),
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await WaitUntil(() => node.Registrations.Count == 2);

        using var http = new HttpClient { BaseAddress = service.OperatorAddress };
        Assert.Equal("\"Idle\"", await http.GetStringAsync("/status"));
        Assert.Equal("\"Idle\"", await http.GetStringAsync($"/status/{TestIdentities.NodeIdHex(0x16)}"));
        using var missing = await http.GetAsync($"/status/{TestIdentities.NodeIdHex(0x99)}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE post_service_state gauge", metrics);
        Assert.Contains($"post_service_state{{node_id=\"{TestIdentities.NodeIdHex(0x15)}\"}} 0\n", metrics);
        Assert.Contains($"post_service_connected{{node_id=\"{TestIdentities.NodeIdHex(0x16)}\"}} 1\n", metrics);
        Assert.Contains("# TYPE post_service_proofs_total counter", metrics);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(20);
        }
    }

    internal static byte[] Challenge(byte b) => Enumerable.Repeat(b, 32).ToArray();

    internal static ByteString Bytes(byte[] b) => ByteString.CopyFrom(b);
}
