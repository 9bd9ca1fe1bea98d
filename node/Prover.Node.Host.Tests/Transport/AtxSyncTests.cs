using System.Collections.Concurrent;
using Prover.Core.Primitives;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Host.Transport;
using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Validation;
using Xunit;
using static Prover.Node.Host.Tests.Transport.TransportTestKit;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>ATX sync between real <see cref="PeerNetwork"/>s over <see cref="NodeStore"/>s in memory, with real ATXs
/// (tiny PoST data, real PoET rounds) validated in full by <see cref="AtxValidator"/> on both sides.</summary>
public sealed class AtxSyncTests(AtxWorld world) : IClassFixture<AtxWorld>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    /// <summary>The ATX topic's handler: full validation; a valid ATX is stored by the validator.</summary>
    private static GossipHandler AtxHandler(AtxValidator validator) => async (_, payload, ct) =>
    {
        var verdict = await validator.ValidateAsync(payload, ct);
        return verdict.IsValid ? GossipVerdict.Accept
            : verdict.Reason == AtxRejection.AlreadyKnown ? GossipVerdict.Ignore : GossipVerdict.Reject;
    };

    private async Task<(PeerNetwork Network, AtxSync Sync)> NodeAsync(NodeStore store, PeerNetworkOptions options, GossipHandler? malfeasance = null)
    {
        var network = await PeerNetwork.StartAsync(options);
        _owned.Add(network);
        var handler = AtxHandler(world.Validator(store));
        network.Subscribe(Topics.Atx, handler);
        var sync = new AtxSync(store, network, new ByHashRouter(network), handler, () => new EpochId(2),
            new AtxSyncOptions { MalfeasanceHandler = malfeasance });
        return (network, sync);
    }

    [Fact]
    public async Task A_node_that_was_down_fetches_the_atxs_it_missed_with_their_poet_proofs_and_validates_them()
    {
        // A has two real ATXs (epochs 1 and 2), each validated in full, and a malfeasance proof.
        var storeA = AtxWorld.NewStore();
        var initial = world.InitialAtx(storeA);
        var next = world.NextAtx(storeA, initial);
        Assert.True((await world.Validator(storeA).ValidateAsync(initial.Encode(), Timeout())).IsValid);
        Assert.True((await world.Validator(storeA).ValidateAsync(next.Encode(), Timeout())).IsValid);
        var culprit = new NodeId(Enumerable.Repeat((byte)0x5a, 32).ToArray());
        byte[] proof = AtxMalfeasance.Encode(AtxMalfeasance.MultipleAtxs, 8, culprit,
            (new EpochId(2), new AtxId(new byte[32]), default), (new EpochId(2), next.ComputeId(), next.Signature));
        storeA.AddMalfeasanceProof(culprit, AtxMalfeasance.MultipleAtxs, DateTimeOffset.UnixEpoch, proof);
        var (a, syncA) = await NodeAsync(storeA, Options());
        using var _ = syncA;

        // D comes up later, knows nothing (not even the PoET proofs the validator needs) and dials A.
        var storeD = AtxWorld.NewStore();
        var malfeasance = new ConcurrentQueue<byte[]>();
        var (d, syncD) = await NodeAsync(storeD, Options(a), (_, payload, _) =>
        {
            malfeasance.Enqueue(payload.ToArray());
            return ValueTask.FromResult(GossipVerdict.Accept);
        });
        using var __ = syncD;
        await syncD.StartAsync(d, Timeout());

        await Eventually(() => storeD.ContainsAtx(next.ComputeId()), "D synced A's ATXs", 30_000);
        await syncD.WhenIdleAsync();
        Assert.True(storeD.ContainsAtx(initial.ComputeId()));
        Assert.Equal(storeA.AtxIdsInEpoch(1), storeD.AtxIdsInEpoch(1));
        Assert.Equal(storeA.GetAtxBlob(next.ComputeId())!.Bytes.ToArray(), storeD.GetAtxBlob(next.ComputeId())!.Bytes.ToArray());
        Assert.NotNull(storeD.GetPoetProof(new Hash32(initial.NIPost!.PostMetadata!.Challenge)));
        Assert.NotNull(storeD.GetPoetProof(new Hash32(next.NIPost!.PostMetadata!.Challenge)));
        Assert.Equal(AtxValidity.Valid, storeD.GetAtx(next.ComputeId())!.Validity);
        Assert.Equal(proof, Assert.Single(malfeasance));
        Assert.True(syncD.BackgroundRuns >= 1);

        // A second sync finds nothing missing.
        var again = await syncD.SyncAsync(Timeout());
        Assert.Equal(1, again.Peers);
        Assert.Equal(0, again.AtxsFetched);
    }

    [Fact]
    public async Task A_synced_atx_whose_blob_does_not_match_its_id_is_refused()
    {
        var storeA = AtxWorld.NewStore();
        var initial = world.InitialAtx(storeA);
        Assert.True((await world.Validator(storeA).ValidateAsync(initial.Encode(), Timeout())).IsValid);

        // A liar serves the ids of A's epoch but another ATX's bytes for every id.
        var liar = await PeerNetwork.StartAsync(Options());
        _owned.Add(liar);
        var other = ActivationTxV1.Decode(initial.Encode());
        other.Coinbase = new Address(Enumerable.Repeat((byte)9, Address.Length).ToArray());
        liar.Handle(Protocols.AtxIdsByEpoch, (_, request, _) => ValueTask.FromResult(
            AtxSync.EncodeIds(storeA.AtxIdsInEpoch(BitConverter.ToUInt32(request.Span)).Select(id => id.Value).ToList())));
        liar.Handle(Protocols.ByHash, (_, _, _) => ValueTask.FromResult(other.Encode()));

        var storeD = AtxWorld.NewStore();
        var (d, syncD) = await NodeAsync(storeD, Options(liar) with { Peers = [liar.Self.Address] });
        using var _ = syncD;
        await d.WaitForPeersAsync(1, Timeout());
        var report = await syncD.SyncAsync(Timeout());

        Assert.Equal(1, report.AtxsFetched);
        Assert.Equal(1, report.AtxsRefused);
        Assert.Equal(0, report.AtxsAccepted);
        Assert.False(storeD.ContainsAtx(initial.ComputeId()));
        Assert.False(storeD.ContainsAtx(other.ComputeId()));
    }

    [Fact]
    public void Id_vectors_round_trip_as_scale()
    {
        Hash32[] ids = [new(Enumerable.Repeat((byte)1, 32).ToArray()), new(Enumerable.Repeat((byte)2, 32).ToArray())];
        var bytes = AtxSync.EncodeIds(ids);
        Assert.Equal(1 + 64, bytes.Length);
        Assert.Equal(2 << 2, bytes[0]);
        Assert.Equal(ids, AtxSync.DecodeIds(bytes));
        Assert.Equal([5, 0, 0, 0], AtxSync.EpochRequest(5));
    }
}
