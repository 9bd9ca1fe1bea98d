using System.Collections.Concurrent;
using System.Net.Http;
using Google.Protobuf;
using Grpc.Core;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Node.Host.PostService;
using Prover.Node.PostService;
using Prover.Verifier;
using Xunit;
using ProofMetadata = Prover.Core.Proving.ProofMetadata;

namespace Prover.Node.Host.Tests.PostService;

/// <summary>The node-side PostService server against our real <c>post serve</c> and against scripted provers.</summary>
public sealed class PostServiceServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "node-postsvc-" + Guid.NewGuid().ToString("N"));
    private readonly PostServiceRegistry _registry = new(new PostServiceRegistryOptions { QueryInterval = TimeSpan.FromMilliseconds(200) });
    private readonly ConcurrentQueue<PostServiceEvent> _events = new();
    private NodePostServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_tmp);
        _registry.StatusChanged += (_, e) => _events.Enqueue(e);
        _server = await NodePostServer.StartAsync(_registry, new PostListenerOptions());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_tmp, recursive: true);
    }

    private static Challenge ChallengeOf(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    [Fact]
    public async Task Supervised_post_serve_registers_and_its_proof_for_the_nodes_challenge_verifies_then_stops_with_the_node()
    {
        var dir = TinyPost.Create(_tmp, 0x31);
        var id = TinyPost.Identity(0x31);
        await using var supervisor = new PostSupervisor(TinyPost.Supervised(_server.PlainAddress!, dir));
        var output = new ConcurrentQueue<string>();
        supervisor.OutputLine += (_, line) => output.Enqueue(line);
        int died = 0;
        supervisor.Died += (_, _) => died++;
        supervisor.Start();

        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);
        var info = await _registry.InfoAsync(id, CancellationToken.None);
        Assert.Equal((TinyPost.CommitmentOf(0x31), TinyPost.NumUnits, TinyPost.LabelsPerUnit), (info.CommitmentAtxId, info.NumUnits, info.LabelsPerUnit));

        var challenge = ChallengeOf(0xc3);
        var result = await _registry.GenerateProofAsync(id, challenge, CancellationToken.None).WaitAsync(Long);
        Assert.Equal(challenge, result.Challenge);
        Assert.Equal(id, result.Info.NodeId);

        using var randomX = RandomXContext.Create(RandomXMode.Light);
        var verifier = new ProofVerifier(new ProofConfig(TinyPost.K1, TinyPost.K2, TinyPost.K2, Enumerable.Repeat((byte)0xff, 32).ToArray()),
            new InitConfig(1, 16, TinyPost.LabelsPerUnit, TinyPost.ScryptN), new K2Pow(randomX));
        var metadata = new ProofMetadata(id, TinyPost.CommitmentOf(0x31), challenge, TinyPost.NumUnits);
        Assert.Null(verifier.Verify(result.Proof, metadata, VerifyMode.All));
        Assert.NotNull(verifier.Verify(result.Proof, metadata with { Challenge = ChallengeOf(0xc4) }, VerifyMode.All));
        Assert.Contains(_events, e => e.Kind == PostServiceEventKind.ProofCompleted && e.Identity == id);

        Assert.Equal(0, await supervisor.StopAsync());
        await TinyPost.WaitUntil(() => !_registry.Connected(id));
        Assert.Equal(0, died);
        Assert.Contains(_events, e => e.Kind == PostServiceEventKind.Disconnected && e.Identity == id);
    }

    [Fact]
    public async Task Supervisor_reports_the_death_of_post_serve_and_does_not_restart_it()
    {
        var dir = TinyPost.Create(_tmp, 0x32);
        var id = TinyPost.Identity(0x32);
        await using var supervisor = new PostSupervisor(TinyPost.Supervised(_server.PlainAddress!, dir));
        var died = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Died += (_, code) => died.TrySetResult(code);
        supervisor.Start();
        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);

        using (var child = System.Diagnostics.Process.GetProcessById(supervisor.ProcessId!.Value)) child.Kill();
        int code = await died.Task.WaitAsync(Long);
        Assert.NotEqual(0, code);
        Assert.Equal(code, await supervisor.Exited);
        await TinyPost.WaitUntil(() => !_registry.Connected(id));
        var e = await Assert.ThrowsAsync<PostServiceUnavailableException>(() => _registry.GenerateProofAsync(id, ChallengeOf(1), CancellationToken.None));
        Assert.Contains("no post service is connected", e.Message);
    }

    [Fact]
    public void Supervisor_argv_is_go_spacemeshs_with_the_watch_pid_and_optional_flags_only_when_set()
    {
        var options = TinyPost.Supervised(new Uri("http://127.0.0.1:9094"), "/data/post") with { MaxRetries = null, ReconnectIntervalSeconds = null };
        var args = PostSupervisor.BuildArguments(options, 4242);
        Assert.Equal(
            ["serve", "--address", "http://127.0.0.1:9094", "--min-num-units", "1", "--max-num-units", "16", "--k1", "20", "--k2", "8",
             "--pow-difficulty", new string('f', 64), "--dir", "/data/post", "-n", "16", "-r", "1", "-p", "1", "--threads", "1",
             "--nonces", "16", "--randomx-mode", "light", "--watch-pid", "4242"], args);
        var tls = PostSupervisor.BuildArguments(options with { Tls = ("ca.pem", "c.pem", "k.pem"), OperatorAddress = "127.0.0.1:9095", MaxRetries = 3 }, 1);
        Assert.Equal(["--operator-address", "127.0.0.1:9095", "--max-retries", "3", "--ca-cert", "ca.pem", "--cert", "c.pem", "--key", "k.pem"], tls.Skip(args.Count));
    }

    [Fact]
    public async Task A_second_stream_for_a_connected_identity_is_refused_as_already_registered_and_the_first_stays()
    {
        await using var first = ScriptedProver.Connect(_server.PlainAddress!, _ => ScriptedProver.MetadataOf(0x41));
        await _registry.WaitForConnectionAsync(TinyPost.Identity(0x41), CancellationToken.None).WaitAsync(Long);
        await using var second = ScriptedProver.Connect(_server.PlainAddress!, _ => ScriptedProver.MetadataOf(0x41));
        var refused = await Assert.ThrowsAsync<RpcException>(() => second.Serving.WaitAsync(Long));
        Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        Assert.Equal("post service already registered", refused.Status.Detail);
        Assert.True(_registry.Connected(TinyPost.Identity(0x41)));
        Assert.False(first.Serving.IsCompleted);
        Assert.Contains(_events, e => e.Kind == PostServiceEventKind.RefusedDuplicate);
        Assert.Single(_registry.ConnectedIdentities);
    }

    [Fact]
    public async Task Gen_proof_is_repeated_at_the_query_interval_until_the_proof_comes()
    {
        var challenge = ChallengeOf(0x55);
        int asked = 0;
        await using var prover = ScriptedProver.Connect(_server.PlainAddress!, request => request.KindCase switch
        {
            NodeRequest.KindOneofCase.Metadata => ScriptedProver.MetadataOf(0x42),
            _ when ++asked < 4 => new ServiceResponse { GenProof = new GenProofResponse { Status = GenProofStatus.Ok } },
            _ => new ServiceResponse
            {
                GenProof = new GenProofResponse
                {
                    Status = GenProofStatus.Ok,
                    Proof = new Contracts.Spacemesh.V1.Proof { Nonce = 3, Indices = ByteString.CopyFrom(1, 2, 3), Pow = 99 },
                    Metadata = new Contracts.Spacemesh.V1.ProofMetadata { Challenge = request.GenProof.Challenge, Meta = ScriptedProver.MetadataOf(0x42).Metadata.Meta },
                },
            },
        });
        var id = TinyPost.Identity(0x42);
        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await _registry.GenerateProofAsync(id, challenge, CancellationToken.None).WaitAsync(Long);
        Assert.Equal(4, asked);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(3 * 180), $"three waits of 200 ms took {watch.Elapsed}");
        Assert.Equal((3u, 99ul), (result.Proof.Nonce, result.Proof.Pow));
        Assert.Equal([1, 2, 3], result.Proof.Indices);
        Assert.Equal(7ul, result.Info.VrfNonce);
        Assert.False(_registry.IsProving(id));
    }

    [Theory]
    [InlineData("error", "(status Error)")]
    [InlineData("unspecified", "(status Unspecified)")]
    [InlineData("wrong-challenge", "answered for challenge 5656")]
    public async Task A_bad_answer_fails_the_proof_with_a_reason(string kind, string reason)
    {
        await using var prover = ScriptedProver.Connect(_server.PlainAddress!, request => request.KindCase == NodeRequest.KindOneofCase.Metadata
            ? ScriptedProver.MetadataOf(0x43)
            : new ServiceResponse
            {
                GenProof = kind switch
                {
                    "error" => new GenProofResponse { Status = GenProofStatus.Error },
                    "unspecified" => new GenProofResponse { Status = GenProofStatus.Unspecified },
                    _ => new GenProofResponse
                    {
                        Status = GenProofStatus.Ok,
                        Proof = new Contracts.Spacemesh.V1.Proof { Indices = ByteString.CopyFrom(1) },
                        Metadata = new Contracts.Spacemesh.V1.ProofMetadata
                        {
                            Challenge = ByteString.CopyFrom(ChallengeOf(0x56).Span),
                            Meta = ScriptedProver.MetadataOf(0x43).Metadata.Meta,
                        },
                    },
                },
            });
        var id = TinyPost.Identity(0x43);
        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);
        var e = await Assert.ThrowsAsync<PostProofFailedException>(() => _registry.GenerateProofAsync(id, ChallengeOf(0x57), CancellationToken.None));
        Assert.Contains(reason, e.Message);
        Assert.Contains(_events, ev => ev.Kind == PostServiceEventKind.ProofFailed);
    }

    [Fact]
    public async Task A_prover_that_dies_mid_proof_fails_the_proof_with_a_disconnect_error()
    {
        var proving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var prover = ScriptedProver.Connect(_server.PlainAddress!, request =>
        {
            if (request.KindCase == NodeRequest.KindOneofCase.Metadata) return ScriptedProver.MetadataOf(0x44);
            proving.TrySetResult();
            return new ServiceResponse { GenProof = new GenProofResponse { Status = GenProofStatus.Ok } };
        });
        var id = TinyPost.Identity(0x44);
        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);
        var proof = _registry.GenerateProofAsync(id, ChallengeOf(0x58), CancellationToken.None);
        await proving.Task.WaitAsync(Long);
        prover.HangUp();
        var e = await Assert.ThrowsAsync<PostServiceUnavailableException>(() => proof.WaitAsync(Long));
        Assert.Contains($"the post service of {id} disconnected", e.Message);
        await TinyPost.WaitUntil(() => !_registry.Connected(id));
    }

    [Fact]
    public async Task Connections_are_refused_with_failed_precondition_while_not_allowed()
    {
        _registry.AllowConnections = false;
        await using var prover = ScriptedProver.Connect(_server.PlainAddress!, _ => ScriptedProver.MetadataOf(0x45));
        var e = await Assert.ThrowsAsync<RpcException>(() => prover.Serving.WaitAsync(Long));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(0, prover.Requests);
        _registry.AllowConnections = true;
    }

    [Fact]
    public async Task Post_states_lists_connected_identities_as_idle_or_proving()
    {
        var proving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var prover = ScriptedProver.Connect(_server.PlainAddress!, request =>
        {
            if (request.KindCase == NodeRequest.KindOneofCase.Metadata) return ScriptedProver.MetadataOf(0x46);
            proving.TrySetResult();
            return new ServiceResponse { GenProof = new GenProofResponse { Status = GenProofStatus.Ok } };
        });
        var id = TinyPost.Identity(0x46);
        await _registry.WaitForConnectionAsync(id, CancellationToken.None).WaitAsync(Long);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.PlainAddress!);
        var info = new PostInfoService.PostInfoServiceClient(channel);
        var idle = (await info.PostStatesAsync(new PostStatesRequest())).States.Single();
        Assert.Equal(id.ToArray(), idle.Id.ToByteArray());
        Assert.Equal(PostState.Types.State.Idle, idle.State);
        using var cancel = new CancellationTokenSource();
        var proof = _registry.GenerateProofAsync(id, ChallengeOf(0x59), cancel.Token);
        await proving.Task.WaitAsync(Long);
        Assert.Equal(PostState.Types.State.Proving, (await info.PostStatesAsync(new PostStatesRequest())).States.Single().State);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => proof);
    }

    [Fact]
    public async Task Mtls_listener_accepts_a_prover_with_a_certificate_of_the_ca_and_refuses_others()
    {
        var pki = TestPki.Create(Path.Combine(_tmp, "pki"));
        await using var server = await NodePostServer.StartAsync(_registry, new PostListenerOptions
        {
            GrpcPostListener = null,
            GrpcTlsListener = "127.0.0.1:0",
            GrpcTlsCaCert = pki.CaCert,
            GrpcTlsCert = pki.ServerCert,
            GrpcTlsKey = pki.ServerKey,
        });
        Assert.Null(server.PlainAddress);
        Assert.Equal("https", server.TlsAddress!.Scheme);

        await using (var trusted = ScriptedProver.Connect(server.TlsAddress, _ => ScriptedProver.MetadataOf(0x47), pki.Handler(pki.Client)))
        {
            await _registry.WaitForConnectionAsync(TinyPost.Identity(0x47), CancellationToken.None).WaitAsync(Long);
        }

        foreach (var certificate in new[] { pki.Stranger, null })
        {
            await using var refused = ScriptedProver.Connect(server.TlsAddress, _ => ScriptedProver.MetadataOf(0x48), pki.Handler(certificate));
            var e = await Assert.ThrowsAnyAsync<Exception>(() => refused.Serving.WaitAsync(Long));
            Assert.True(e is RpcException or HttpRequestException or IOException, e.ToString());
            Assert.Equal(0, refused.Requests);
        }

        Assert.False(_registry.Connected(TinyPost.Identity(0x48)));
    }

    [Fact]
    public async Task Listener_settings_are_checked_before_anything_listens()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => NodePostServer.StartAsync(_registry, new PostListenerOptions { GrpcPostListener = "9094" }));
        await Assert.ThrowsAsync<ArgumentException>(() => NodePostServer.StartAsync(_registry, new PostListenerOptions { GrpcPostListener = null }));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => NodePostServer.StartAsync(_registry,
            new PostListenerOptions { GrpcPostListener = null, GrpcTlsListener = "127.0.0.1:0" }));
        Assert.Contains("grpc-tls-ca-cert", e.Message);
    }
}
