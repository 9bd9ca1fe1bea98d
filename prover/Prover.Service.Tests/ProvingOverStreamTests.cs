using System.Net.Http;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Service.Proving;
using Prover.Verifier;
using Proof = Prover.Core.Proving.Proof;
using ProofMetadata = Prover.Core.Proving.ProofMetadata;

namespace Prover.Service.Tests;

/// <summary>
/// End to end: tiny real PoST data, the real prover and k2pow (RandomX light, difficulty FF…) behind the service, a
/// go-spacemesh-like node asking for proofs, and every proof that comes back checked again by an independent verifier.
/// </summary>
public sealed class ProvingOverStreamTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>The node's own check (spec §6.2), with our verifier: mode All over the network parameters of the tests.</summary>
    private static void AssertValid(GenProofResponse response, byte[] challenge, string dir)
    {
        var files = TestIdentities.Metadata(dir);
        Assert.Equal(GenProofStatus.Ok, response.Status);
        Assert.Equal(challenge, response.Metadata.Challenge.ToByteArray());
        Assert.Equal(files.NodeId.ToArray(), response.Metadata.Meta.NodeId.ToByteArray());
        Assert.Equal(files.CommitmentAtxId.ToArray(), response.Metadata.Meta.CommitmentAtxId.ToByteArray());
        Assert.Equal(files.NumUnits, response.Metadata.Meta.NumUnits);
        Assert.Equal(files.LabelsPerUnit, response.Metadata.Meta.LabelsPerUnit);
        var verifier = new ProofVerifier(
            new ProofConfig(TestIdentities.K1, TestIdentities.K2, TestIdentities.K2, Enumerable.Repeat((byte)0xff, 32).ToArray()),
            new InitConfig(1, 16, TestIdentities.LabelsPerUnit, TestIdentities.ScryptN),
            new K2Pow(TestRandomX.Light));
        var proof = new Proof(response.Proof.Nonce, response.Proof.Indices.ToByteArray(), response.Proof.Pow);
        var error = verifier.Verify(proof, new ProofMetadata(files.NodeId, files.CommitmentAtxId, new Challenge(challenge), files.NumUnits), VerifyMode.All);
        Assert.Null(error);

        // A proof is bound to its challenge: the same proof must not verify for another one.
        var other = (byte[])challenge.Clone();
        other[31] ^= 1;
        Assert.NotNull(verifier.Verify(proof, new ProofMetadata(files.NodeId, files.CommitmentAtxId, new Challenge(other), files.NumUnits), VerifyMode.All));
    }

    [Fact]
    public async Task Proof_obtained_over_the_stream_verifies()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x51);
        var challenge = NodeProtocolTests.Challenge(0xc1);
        var node = new GoSpacemeshNode();
        node.Challenges[TestIdentities.NodeIdHex(0x51)] = challenge;
        await using var server = await TestNode.StartAsync(node.RunAsync);
        await using var service = await RunningService.StartAsync(TestIdentities.Options(server.Address, dir), TestProvers.Create);

        var (response, _) = await node.ProofFor(TestIdentities.NodeIdHex(0x51)).WaitAsync(Timeout);
        AssertValid(response, challenge, dir);
        var served = service.Runtime.Identities[0];
        await NodeProtocolTests.WaitUntil(() => served.StateMachine.State == ServiceState.Idle);
        Assert.Equal(1, served.Metrics.ProofsSent);
        Assert.True(served.Metrics.BytesScanned > 0);
        Assert.True(served.Metrics.Passes >= 1);
    }

    [Fact]
    public async Task Second_challenge_and_wrong_length_while_proving_are_refused_without_disturbing_the_proof()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x52);
        var a = NodeProtocolTests.Challenge(0xa1);
        var b = NodeProtocolTests.Challenge(0xb1);
        GatedGenerator? gate = null;
        var provingSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new TaskCompletionSource<(GenProofResponse First, GenProofResponse Other, GenProofResponse Short, GenProofResponse Again, GenProofResponse Proof)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestNode.StartAsync(async session =>
        {
            await session.MetadataAsync();
            var first = await session.GenProofAsync(a);
            var other = await session.GenProofAsync(b);
            var shortOne = await session.GenProofAsync(new byte[16]);
            var again = await session.GenProofAsync(a);
            await provingSeen.Task.WaitAsync(Timeout);
            gate!.Release();
            var proof = await session.ProveAsync(a, TimeSpan.FromMilliseconds(100));
            answers.TrySetResult((first, other, shortOne, again, proof));
            await Task.Delay(System.Threading.Timeout.Infinite, session.Aborted);
        });
        var options = TestIdentities.Options(server.Address, dir) with
        {
            OperatorAddress = PostServiceOptions.ParseOperatorAddress("127.0.0.1:0"),
        };
        await using var service = await RunningService.StartAsync(options,
            (o, ids) => new WrappingFactory(TestProvers.Create(o, ids), (_, inner) => gate = new GatedGenerator(inner)));

        // While the proof is held back, the operator API shows it in post-service's JSON.
        using (var http = new HttpClient { BaseAddress = service.OperatorAddress })
        {
            string status = "";
            await NodeProtocolTests.WaitUntil(() =>
                (status = http.GetStringAsync("/status").GetAwaiter().GetResult()).StartsWith("{\"Proving\"", StringComparison.Ordinal));
            Assert.Equal("{\"Proving\":{\"nonces\":{\"start\":0,\"end\":16},\"position\":0}}", status);
            provingSeen.TrySetResult();
        }

        var r = await answers.Task.WaitAsync(Timeout);
        Assert.Equal(GenProofStatus.Ok, r.First.Status);
        Assert.Null(r.First.Proof);
        Assert.Equal(GenProofStatus.Error, r.Other.Status);
        Assert.Equal(GenProofStatus.Error, r.Short.Status);
        Assert.Equal(GenProofStatus.Ok, r.Again.Status);
        Assert.Null(r.Again.Proof);
        Assert.Equal(1, gate!.Started);
        AssertValid(r.Proof, a, dir);
        Assert.True(service.Log.Contains("refused GenProofRequest"), service.Log.Dump());
    }

    [Fact]
    public async Task Node_killed_mid_proof_and_restarted_gets_a_valid_proof_after_reconnection()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x53);
        var challenge = NodeProtocolTests.Challenge(0xd1);
        GatedGenerator? gate = null;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await TestNode.StartAsync(async session =>
        {
            await session.MetadataAsync();
            Assert.Equal(GenProofStatus.Ok, (await session.GenProofAsync(challenge)).Status);
            started.TrySetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, session.Aborted);
        });
        int port = first.Port;
        await using var service = await RunningService.StartAsync(TestIdentities.Options(first.Address, dir),
            (o, ids) => new WrappingFactory(TestProvers.Create(o, ids), (_, inner) => gate = new GatedGenerator(inner)));
        var served = service.Runtime.Identities[0];

        await started.Task.WaitAsync(Timeout);
        await first.DisposeAsync(); // the node dies while the service proves
        await service.Log.WaitForAsync("stream to the node ended", Timeout);
        gate!.Release();
        await NodeProtocolTests.WaitUntil(() => served.StateMachine.State is ServiceState.DoneProvingState);

        var node = new GoSpacemeshNode();
        node.Challenges[TestIdentities.NodeIdHex(0x53)] = challenge;
        await using var second = await TestNode.StartAsync(node.RunAsync, port);
        var (response, _) = await node.ProofFor(TestIdentities.NodeIdHex(0x53)).WaitAsync(Timeout);
        AssertValid(response, challenge, dir);
        Assert.Equal(1, gate.Started);
        Assert.True(served.Metrics.Reconnects >= 1);
    }

    [Fact]
    public async Task Two_identities_prove_at_once_over_their_own_streams()
    {
        var dirA = TestIdentities.Create(_tmp.Path, 0x54);
        var dirB = TestIdentities.Create(_tmp.Path, 0x55, numUnits: 3);
        var node = new GoSpacemeshNode();
        node.Challenges[TestIdentities.NodeIdHex(0x54)] = NodeProtocolTests.Challenge(0xe1);
        node.Challenges[TestIdentities.NodeIdHex(0x55)] = NodeProtocolTests.Challenge(0xe2);
        await using var server = await TestNode.StartAsync(node.RunAsync);
        await using var service = await RunningService.StartAsync(TestIdentities.Options(server.Address, dirA, dirB), TestProvers.Create);

        var proofA = node.ProofFor(TestIdentities.NodeIdHex(0x54));
        var proofB = node.ProofFor(TestIdentities.NodeIdHex(0x55));
        await Task.WhenAll(proofA, proofB).WaitAsync(Timeout);
        AssertValid((await proofA).Response, NodeProtocolTests.Challenge(0xe1), dirA);
        AssertValid((await proofB).Response, NodeProtocolTests.Challenge(0xe2), dirB);
        Assert.Equal(2, node.Registrations.Count);
    }

    [Fact]
    public async Task Remote_k2pow_service_computes_the_pows_of_a_valid_proof()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x56);
        var challenge = NodeProtocolTests.Challenge(0xf1);
        await using var k2pow = await TestK2PowService.StartAsync(TestRandomX.Light);
        var node = new GoSpacemeshNode();
        node.Challenges[TestIdentities.NodeIdHex(0x56)] = challenge;
        await using var server = await TestNode.StartAsync(node.RunAsync);
        var options = TestIdentities.Options(server.Address, dir) with
        {
            RemoteK2Pow = k2pow.Address,
            RemoteK2PowBackoff = TimeSpan.FromMilliseconds(20),
            RemoteK2PowParallelism = 2,
        };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);

        var (response, _) = await node.ProofFor(TestIdentities.NodeIdHex(0x56)).WaitAsync(Timeout);
        AssertValid(response, challenge, dir);
        Assert.True(k2pow.Jobs >= 1);
        Assert.True(k2pow.Requests >= 2 * k2pow.Jobs, "each job is polled after its 201");
    }

    [Fact]
    public async Task Service_stops_when_the_watched_process_exits()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x57);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        using var watched = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "2") { UseShellExecute = false })!;
        var options = TestIdentities.Options(server.Address, dir) with { WatchPid = watched.Id };
        await using var service = await RunningService.StartAsync(options, TestProvers.Create);
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty);
        Assert.False(service.Stopped.IsCompleted);
        await watched.WaitForExitAsync();
        await service.Stopped.WaitAsync(Timeout);
        Assert.True(service.Log.Contains($"watched process {watched.Id} has exited"), service.Log.Dump());
        Assert.Null(service.Runtime.Failure);
    }
}
