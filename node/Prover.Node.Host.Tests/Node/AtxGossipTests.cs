using Prover.Core.Primitives;
using Prover.Node.Host.Node;
using Prover.Node.Host.Transport;
using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Prover.Node.Transport;
using Xunit;
using static Prover.Node.Host.Tests.Transport.TransportTestKit;

namespace Prover.Node.Host.Tests.Node;

/// <summary>
/// <see cref="AtxGossip"/> on the ATX topic of real <see cref="PeerNetwork"/>s over in-memory stores, with real ATXs
/// (tiny PoST, real PoET rounds) validated in full on every node.
/// </summary>
public sealed class AtxGossipTests(AtxWorld world) : IClassFixture<AtxWorld>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    private async Task<(PeerNetwork Network, AtxGossip Gossip)> NodeAsync(NodeStore store, params PeerNetwork[] peers)
    {
        var network = await PeerNetwork.StartAsync(Options(peers));
        _owned.Add(network);
        var gossip = new AtxGossip(store, world.Validator(store), network, world.Genesis.GoldenAtx);
        network.Subscribe(Topics.Atx, gossip.HandleAsync);
        var byHash = new ByHashRouter(network);
        byHash.Register(FetchHint.Atx, Hash32.Length, h => store.GetAtxBlob(new AtxId(h.Span))?.Bytes.ToArray());
        byHash.Register(FetchHint.PoetProof, Hash32.Length, h => store.GetPoetProof(new Hash32(h.Span)));
        return (network, gossip);
    }

    [Fact]
    public async Task A_gossiped_atx_whose_poet_proof_and_previous_atx_the_receiver_lacks_is_fetched_from_the_sender_validated_and_relayed()
    {
        // A holds a chain of two ATXs with their PoET proofs; B and C hold nothing; the line is A - B - C.
        var storeA = AtxWorld.NewStore();
        var initial = world.InitialAtx(storeA);
        var next = world.NextAtx(storeA, initial);
        Assert.True((await world.Validator(storeA).ValidateAsync(initial.Encode(), Timeout())).IsValid);
        Assert.True((await world.Validator(storeA).ValidateAsync(next.Encode(), Timeout())).IsValid);
        var (a, gossipA) = await NodeAsync(storeA);
        var storeB = AtxWorld.NewStore();
        var (b, gossipB) = await NodeAsync(storeB, a);
        var storeC = AtxWorld.NewStore();
        var (c, _) = await NodeAsync(storeC, b);
        await Eventually(() => a.Peers.Count == 1 && b.Peers.Count == 2 && c.Peers.Count == 1, "the line is connected");

        // A publishes its own, already stored ATX: accepted locally, so relayed.
        Assert.Equal(GossipVerdict.Accept, await a.PublishAsync(Topics.Atx, next.Encode(), Timeout()));

        await Eventually(() => storeB.ContainsAtx(next.ComputeId()), "B validated and stored the ATX", 30_000);
        Assert.True(storeB.ContainsAtx(initial.ComputeId()), "B fetched the previous ATX from A");
        Assert.NotNull(storeB.GetPoetProof(new Hash32(next.NIPost!.PostMetadata!.Challenge)));
        Assert.Equal(AtxValidity.Valid, storeB.GetAtx(next.ComputeId())!.Validity);
        Assert.True(gossipB.Fetched >= 3, $"B fetched {gossipB.Fetched} pieces");

        // B relayed it to C, which fetched what it lacked from B in turn.
        await Eventually(() => storeC.ContainsAtx(next.ComputeId()), "C validated and stored the relayed ATX", 30_000);
        Assert.True(storeC.ContainsAtx(initial.ComputeId()));
        Assert.Equal(0, c.Rejected + b.Rejected + a.Rejected);
        Assert.Equal(0, gossipA.Rejected);
    }

    [Fact]
    public async Task An_atx_with_a_broken_signature_is_rejected_and_not_stored()
    {
        var storeA = AtxWorld.NewStore();
        var initial = world.InitialAtx(storeA);
        var storeB = AtxWorld.NewStore();
        var reference = new Hash32(initial.NIPost!.PostMetadata!.Challenge);
        storeB.PutPoetProof(reference, storeA.GetPoetProof(reference)!);
        var (_, gossipB) = await NodeAsync(storeB);
        var blob = initial.Encode();
        blob[^1] ^= 1; // the signature's last byte
        Assert.Equal(GossipVerdict.Reject, await gossipB.HandleAsync(new PeerId("127.0.0.1:1"), blob, Timeout()));
        Assert.False(storeB.ContainsAtx(initial.ComputeId()));
        Assert.Equal(GossipVerdict.Reject, await gossipB.HandleAsync(new PeerId("127.0.0.1:1"), new byte[] { 1, 2, 3 }, Timeout()));
        Assert.Equal(GossipVerdict.Accept, await gossipB.HandleAsync(new PeerId("127.0.0.1:1"), initial.Encode(), Timeout()));
        Assert.Equal(GossipVerdict.Ignore, await gossipB.HandleAsync(new PeerId("127.0.0.1:1"), initial.Encode(), Timeout()));
        Assert.Equal(2, gossipB.Rejected);
    }
}
