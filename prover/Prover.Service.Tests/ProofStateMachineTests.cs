using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

public sealed class ProofStateMachineTests
{
    private static readonly byte[] ChallengeA = Enumerable.Repeat((byte)0xca, 32).ToArray();
    private static readonly byte[] ChallengeB = Enumerable.Repeat((byte)0xcb, 32).ToArray();

    private static readonly PostIdentity Identity = new("/data", new PostMetadata
    {
        NodeId = new NodeId(Enumerable.Repeat((byte)0xbb, 32).ToArray()),
        CommitmentAtxId = new AtxId(Enumerable.Repeat((byte)0xcc, 32).ToArray()),
        NumUnits = 4,
        LabelsPerUnit = 256,
        MaxFileSize = 4096,
        Nonce = 12,
    });

    private static (ProofStateMachine Machine, IdentityMetrics Metrics) Create(ScriptedProofs proofs)
    {
        var metrics = new IdentityMetrics(Identity.NodeIdHex);
        return (new ProofStateMachine(Identity, proofs, proofs, metrics, NullLogger.Instance, CancellationToken.None), metrics);
    }

    private static async Task WaitDone(ProofStateMachine machine)
    {
        for (int i = 0; i < 500 && machine.State is not ServiceState.DoneProvingState; i++)
        {
            await Task.Delay(10);
        }

        Assert.IsType<ServiceState.DoneProvingState>(machine.State);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Idle_challenge_of_wrong_length_is_an_error_and_nothing_starts(int length)
    {
        var proofs = new ScriptedProofs();
        var (machine, metrics) = Create(proofs);
        var response = machine.Handle(ByteString.CopyFrom(new byte[length]));
        Assert.Equal(GenProofStatus.Error, response.Status);
        Assert.Null(response.Proof);
        Assert.Equal(ServiceState.Idle, machine.State);
        Assert.Equal(0, proofs.Started);
        Assert.Equal(1, metrics.RequestErrors);
    }

    [Fact]
    public async Task Full_cycle_idle_proving_done_idle_as_post_service_answers()
    {
        var proofs = new ScriptedProofs();
        var (machine, metrics) = Create(proofs);

        var first = machine.Handle(ByteString.CopyFrom(ChallengeA));
        Assert.Equal(GenProofStatus.Ok, first.Status);
        Assert.Null(first.Proof);
        Assert.Null(first.Metadata);
        for (int i = 0; i < 500 && machine.State is not ServiceState.Proving { Position: > 0 }; i++)
        {
            await Task.Delay(10);
        }

        var proving = Assert.IsType<ServiceState.Proving>(machine.State);
        Assert.Equal("{\"Proving\":{\"nonces\":{\"start\":0,\"end\":128},\"position\":1024}}", proving.ToJson());

        // Same challenge while proving: OK without proof. Different one, or one of the wrong length: ERROR.
        Assert.Equal(GenProofStatus.Ok, machine.Handle(ByteString.CopyFrom(ChallengeA)).Status);
        Assert.Equal(GenProofStatus.Error, machine.Handle(ByteString.CopyFrom(ChallengeB)).Status);
        Assert.Equal(GenProofStatus.Error, machine.Handle(ByteString.CopyFrom(new byte[5])).Status);
        Assert.IsType<ServiceState.Proving>(machine.State);
        Assert.Equal(1, proofs.Started); // the progress report above came from the one started generator

        proofs.Release();
        await WaitDone(machine);
        Assert.Equal("\"DoneProving\"", machine.State.ToJson());

        var done = machine.Handle(ByteString.CopyFrom(ChallengeA));
        Assert.Equal(GenProofStatus.Ok, done.Status);
        Assert.Equal(proofs.Proof.Nonce, done.Proof.Nonce);
        Assert.Equal(proofs.Proof.Pow, done.Proof.Pow);
        Assert.Equal(proofs.Proof.Indices, done.Proof.Indices.ToByteArray());
        Assert.Equal(ChallengeA, done.Metadata.Challenge.ToByteArray());
        Assert.Equal(Identity.Metadata.NodeId.ToArray(), done.Metadata.Meta.NodeId.ToByteArray());
        Assert.Equal(Identity.Metadata.CommitmentAtxId.ToArray(), done.Metadata.Meta.CommitmentAtxId.ToByteArray());
        Assert.True(done.Metadata.Meta.HasNonce);
        Assert.Equal(12UL, done.Metadata.Meta.Nonce);
        Assert.Equal(4U, done.Metadata.Meta.NumUnits);
        Assert.Equal(256UL, done.Metadata.Meta.LabelsPerUnit);
        Assert.Equal("\"Idle\"", machine.State.ToJson());
        Assert.Equal(1, metrics.ProofsSent);
        Assert.Equal(2, metrics.Passes);
        Assert.Equal(4096 + 8192, metrics.BytesScanned); // pass 0 stopped at 4096 bytes, pass 1 at 8192

        // Back to idle: the next request starts a new proof.
        Assert.Equal(GenProofStatus.Ok, machine.Handle(ByteString.CopyFrom(ChallengeB)).Status);
        for (int i = 0; i < 500 && proofs.Started < 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, proofs.Started);
        machine.Dispose();
    }

    [Fact]
    public async Task Proving_failure_is_an_error_then_idle()
    {
        var proofs = new ScriptedProofs { Failure = new IOException("disk gone") };
        var (machine, metrics) = Create(proofs);
        Assert.Equal(GenProofStatus.Ok, machine.Handle(ByteString.CopyFrom(ChallengeA)).Status);
        proofs.Release();
        await WaitDone(machine);
        var response = machine.Handle(ByteString.CopyFrom(ChallengeA));
        Assert.Equal(GenProofStatus.Error, response.Status);
        Assert.Null(response.Proof);
        Assert.Equal(ServiceState.Idle, machine.State);
        Assert.Equal(1, metrics.ProvingErrors);
    }

    [Fact]
    public async Task Proof_that_fails_self_check_is_not_sent()
    {
        var proofs = new ScriptedProofs { RejectAll = true };
        var (machine, metrics) = Create(proofs);
        machine.Handle(ByteString.CopyFrom(ChallengeA));
        proofs.Release();
        await WaitDone(machine);
        var response = machine.Handle(ByteString.CopyFrom(ChallengeA));
        Assert.Equal(GenProofStatus.Error, response.Status);
        Assert.Null(response.Proof);
        Assert.Equal(ServiceState.Idle, machine.State);
        Assert.Equal(0, metrics.ProofsSent);
    }

    [Fact]
    public async Task Done_arm_verifies_against_the_requested_challenge()
    {
        // post-service's Done arm does not compare challenges: the verification catches a different one.
        var proofs = new ScriptedProofs();
        var (machine, _) = Create(proofs);
        machine.Handle(ByteString.CopyFrom(ChallengeA));
        proofs.Release();
        await WaitDone(machine);
        Assert.Equal(GenProofStatus.Error, machine.Handle(ByteString.CopyFrom(ChallengeB)).Status);
        Assert.Equal(ServiceState.Idle, machine.State);
    }

    [Fact]
    public void Dispose_cancels_a_running_proof()
    {
        var proofs = new ScriptedProofs();
        var (machine, _) = Create(proofs);
        machine.Handle(ByteString.CopyFrom(ChallengeA));
        machine.Dispose();
        Assert.Equal(ServiceState.Idle, machine.State);
    }

    [Fact]
    public void Dispatcher_answers_metadata_and_unknown_requests()
    {
        var proofs = new ScriptedProofs();
        var (machine, _) = Create(proofs);
        var dispatcher = new RequestDispatcher(Identity, machine, NullLogger.Instance);

        var meta = dispatcher.Handle(new NodeRequest { Metadata = new MetadataRequest() });
        Assert.Equal(ServiceResponse.KindOneofCase.Metadata, meta.KindCase);
        Assert.Equal(Identity.Metadata.NodeId.ToArray(), meta.Metadata.Meta.NodeId.ToByteArray());

        var none = dispatcher.Handle(new NodeRequest());
        Assert.Equal(ServiceResponse.KindOneofCase.GenProof, none.KindCase);
        Assert.Equal(GenProofStatus.Error, none.GenProof.Status);
        Assert.Equal(0, proofs.Started);
    }

    [Fact]
    public void Metadata_without_vrf_nonce_leaves_the_optional_field_absent()
    {
        var identity = new PostIdentity("/d", Identity.Metadata with { Nonce = null });
        var proofs = new ScriptedProofs();
        var machine = new ProofStateMachine(identity, proofs, proofs, new IdentityMetrics(identity.NodeIdHex), NullLogger.Instance, default);
        var meta = new RequestDispatcher(identity, machine, NullLogger.Instance).Handle(new NodeRequest { Metadata = new() }).Metadata.Meta;
        Assert.False(meta.HasNonce);
        // On the wire, field 3 is absent (not a zero): proto3 optional presence.
        Assert.Equal([1, 2, 4, 5], FieldNumbers(meta.ToByteArray()));
        var withNonce = new RequestDispatcher(Identity, machine, NullLogger.Instance).Handle(new NodeRequest { Metadata = new() }).Metadata.Meta;
        Assert.True(withNonce.HasNonce);
        Assert.Equal([1, 2, 3, 4, 5], FieldNumbers(withNonce.ToByteArray()));
    }

    private static List<int> FieldNumbers(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<int>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            fields.Add(WireFormat.GetTagFieldNumber(tag));
            input.SkipLastField();
        }

        return fields;
    }
}
