using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Eligibility;
using Prover.Node.Consensus.Engine;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Vrf;
using Xunit;
using Xunit.Abstractions;

namespace Prover.Node.Tests.Consensus.Engine;

public sealed class ConsensusEngineTests(ITestOutputHelper output)
{
    private static readonly ulong[] Weights = [100, 200, 300];

    private const uint First = 2 * EngineWorld.LayersPerEpoch;

    [Fact]
    public async Task Three_engines_agree_on_every_layer_and_pay_rewards_in_proportion_to_weight()
    {
        using var world = new EngineWorld(Weights);
        uint last = First + (4 * EngineWorld.LayersPerEpoch) - 1; // epochs 2..5
        await world.RunLayersAsync(First, last);

        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");

        // Exact expectation: each layer's block pays every eligible identity AtxWeight × proofs / slots, and the layer
        // reward is split in proportion (MeshState.SplitReward). The slots come from the eligibility helpers, not the
        // engine.
        var expected = ExpectedBalances(world, First, verified);
        foreach (var node in world.Nodes)
        {
            foreach (var owner in world.Nodes)
            {
                var paid = node.Consensus.Rewards(owner.Coinbase).Where(r => r.Layer.Value <= verified).Sum(r => (decimal)r.Amount);
                Assert.Equal(expected[owner.Index], paid);
            }
        }

        // Proportionality. In an epoch identity i has exactly c_i = ⌊w_i·LayerAvgSize·LPE/W⌋ slots (13, 26, 40 of 80
        // here), so its share of the slots is w_i/W up to the rounding (at most 1/c_i, 8% for the lightest). A layer
        // pays its reward per slot in that layer (every slot weighs w_i/c_i ≈ W/80), so the share of identity i
        // differs from its slot share only by how its slots fall among the 4 layers of each epoch relative to the
        // others'. Over 16 layers with ~20 slots each that spread moves a share by a few percent; we allow 15%.
        decimal total = expected.Values.Sum();
        ulong weight = Weights.Aggregate(0UL, (a, b) => a + b);
        foreach (var owner in world.Nodes)
        {
            decimal share = expected[owner.Index] / total;
            decimal fair = (decimal)Weights[owner.Index] / weight;
            output.WriteLine($"identity {owner.Index}: weight share {fair:F4}, reward share {share:F4} (ratio {share / fair:F3}) over layers {First}..{verified}");
            Assert.InRange(share / fair, 0.85m, 1.15m);
        }
    }

    [Fact]
    public async Task A_smesher_with_two_ballots_in_one_layer_is_proven_malicious_by_the_others_and_loses_its_weight()
    {
        // The liar is the lightest smesher: its weight is lost at once for hare and tortoise (its ATX still counts in
        // the epoch's total, as upstream), so the others must keep more than the hare and tortoise thresholds.
        using var world = new EngineWorld(Weights);
        var liar = world.Nodes[0];
        var proposals = Capture(world, Topics.Proposal, liar.Signer.NodeId, p => Proposal.Decode(p).SmesherId);
        await world.RunLayersAsync(First, First + 3);

        // The first layer of epoch 3 where the liar proposes: start it, then send a second, different ballot of the
        // liar to node 0 only.
        var layer = new LayerId(First + 4);
        Proposal? honest;
        while (true)
        {
            await StartLayerAsync(world, layer);
            honest = proposals.Select(p => Proposal.Decode(p)).LastOrDefault(p => p.Layer == layer);
            if (honest is not null) break;
            await FinishLayerAsync(world, layer);
            layer = new LayerId(layer.Value + 1);
            Assert.True(layer.Value < First + 8, "the liar proposes in no layer of epoch 3");
        }

        var forged = Reballot(honest, liar.Signer, opinion: Hash32.Parse(new string('7', 64)));
        var verdict = await world.Network.SendAsync(liar.Peer, world.Nodes[0].Peer, Topics.Proposal, forged.ToBytes());
        Assert.NotEqual(GossipVerdict.Reject, verdict);

        foreach (var node in world.Nodes)
        {
            Assert.True(node.Engine!.IsMalicious(liar.Signer.NodeId), $"{node.Peer} does not know");
            var record = node.Atxs.GetMalfeasanceProof(liar.Signer.NodeId);
            Assert.NotNull(record);
            Assert.Equal(MalfeasanceProof.MultipleBallots, record.Domain);
            var proof = MalfeasanceProof.Decode(record.Proof.Span);
            Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(proof, new EdVerifier(world.Genesis.GenesisId), out var guilty));
            Assert.Equal(liar.Signer.NodeId, guilty);
        }

        await FinishLayerAsync(world, layer);
        uint last = layer.Value + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(layer.Value + 1, last);

        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");
        foreach (var node in world.Nodes)
        {
            // No reward from the layer of the offence on, and no ballot of the liar is kept after it.
            Assert.DoesNotContain(node.Consensus.Rewards(liar.Coinbase), r => r.Layer >= layer);
            Assert.Contains(node.Consensus.Rewards(world.Nodes[1].Coinbase), r => r.Layer > layer);
            for (uint l = layer.Value + 1; l <= last; l++)
            {
                foreach (var id in node.Consensus.BallotIdsInLayer(new LayerId(l)))
                {
                    Assert.NotEqual(liar.Signer.NodeId, Ballot.Decode(node.Consensus.GetBallot(id)!.Blob.Span).SmesherId);
                }
            }
        }
    }

    [Fact]
    public async Task A_hare_participant_that_votes_twice_is_proven_malicious_by_the_others_and_loses_its_weight()
    {
        using var world = new EngineWorld(Weights);
        var liar = world.Nodes[1];
        var messages = Capture(world, Topics.Hare, liar.Signer.NodeId, p => HareMessage.Decode(p).Sender);
        await world.RunLayersAsync(First, First + 3);

        var layer = new LayerId(First + 4);
        HareMessage? preround;
        while (true)
        {
            await StartLayerAsync(world, layer);
            foreach (var node in world.Nodes) await node.Engine!.OnHareRoundAsync(layer, 0);
            preround = messages.Select(m => HareMessage.Decode(m))
                .LastOrDefault(m => m.Layer == layer && m.IterRound.Round == Prover.Node.Consensus.Wire.HareRound.Preround);
            if (preround is not null) break;
            await FinishLayerAsync(world, layer, fromRound: 1);
            layer = new LayerId(layer.Value + 1);
            Assert.True(layer.Value < First + 8, "the liar has no preround seat in epoch 3");
        }

        // The same round, eligibility and sender, another value: an equivocation, shown to node 2 only.
        var twin = new HareMessage
        {
            Body = new HareBody
            {
                Layer = preround.Body.Layer,
                IterRound = preround.Body.IterRound,
                Eligibility = preround.Body.Eligibility,
                Value = new HareValue { Proposals = [.. preround.Body.Value.Proposals.Skip(1)] },
            },
        };
        twin.Sign(liar.Signer);
        await world.Network.SendAsync(liar.Peer, world.Nodes[2].Peer, Topics.Hare, twin.ToBytes());

        foreach (var node in world.Nodes)
        {
            Assert.True(node.Engine!.IsMalicious(liar.Signer.NodeId), $"{node.Peer} does not know");
            Assert.Equal(MalfeasanceProof.HareEquivocation, node.Atxs.GetMalfeasanceProof(liar.Signer.NodeId)!.Domain);
        }

        await FinishLayerAsync(world, layer, fromRound: 1);

        uint last = layer.Value + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(layer.Value + 1, last);
        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");
        foreach (var node in world.Nodes)
        {
            Assert.DoesNotContain(node.Consensus.Rewards(liar.Coinbase), r => r.Layer > layer);
            Assert.Contains(node.Consensus.Rewards(world.Nodes[2].Coinbase), r => r.Layer > layer);
        }
    }

    [Fact]
    public async Task The_scheduler_drives_an_engine_from_the_layer_clock()
    {
        using var world = new EngineWorld([100]);
        var node = world.Nodes[0];
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(world.Genesis.GenesisTime);
        var clock = new Prover.Node.Genesis.LayerClock(world.Genesis.GenesisTime, TimeSpan.FromSeconds(10), EngineWorld.LayersPerEpoch, time);
        time.SetUtcNow(clock.LayerStart(new LayerId(First)));
        var scheduler = new LayerScheduler(node.Engine!, clock, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);
        var until = clock.LayerStart(new LayerId(First + 6));
        while (time.GetUtcNow() < until)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }

        await stop.CancelAsync();
        await run;
        Assert.True(node.Engine!.CurrentLayer.Value >= First + 5, $"the clock reached layer {node.Engine.CurrentLayer}");
        Assert.True(node.Engine.Verified.Value >= First + 2, $"verified {node.Engine.Verified}");
        for (uint l = First; l <= First + 2; l++)
        {
            var record = node.Consensus.GetLayer(new LayerId(l));
            Assert.NotNull(record);
            Assert.True(record.Valid);
            Assert.False(record.Block.IsEmpty, $"layer {l} is empty");
        }
    }

    [Fact]
    public async Task Malformed_forged_and_repeated_proposals_are_refused_without_disturbing_the_others()
    {
        using var world = new EngineWorld(Weights);
        var smesher = world.Nodes[2];
        var proposals = Capture(world, Topics.Proposal, smesher.Signer.NodeId, p => Proposal.Decode(p).SmesherId);
        await world.RunLayersAsync(First, First + 3);
        var original = Proposal.Decode(proposals[^1]);
        var to = world.Nodes[0].Peer;
        async Task<GossipVerdict> SendAsync(byte[] payload) => await world.Network.SendAsync(smesher.Peer, to, Topics.Proposal, payload);

        // Not a proposal at all, and one cut short.
        Assert.Equal(GossipVerdict.Reject, await SendAsync([1, 2, 3]));
        Assert.Equal(GossipVerdict.Reject, await SendAsync(proposals[^1][..^10]));

        // The same ballot in a second proposal (another mesh hash): one proposal per ballot.
        var again = new Proposal { Inner = new InnerProposal { Ballot = original.Ballot, MeshHash = Hash32.Parse(new string('1', 64)) } };
        again.Signature = new EdSignature(smesher.Signer.Sign(SignatureDomain.Proposal, again.SignedBytes()));
        Assert.Equal(GossipVerdict.Ignore, await SendAsync(again.ToBytes()));

        // A proposal signed by someone else than its smesher.
        var stranger = EdSigner.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray(), world.Genesis.GenesisId);
        var forged = new Proposal { Inner = new InnerProposal { Ballot = original.Ballot, MeshHash = Hash32.Parse(new string('2', 64)) } };
        forged.Signature = new EdSignature(stranger.Sign(SignatureDomain.Proposal, forged.SignedBytes()));
        Assert.Equal(GossipVerdict.Reject, await SendAsync(forged.ToBytes()));

        // The smesher's ballot moved to a layer its eligibility proofs do not give (signed by the smesher itself).
        var moved = Reballot(original, smesher.Signer, original.Ballot.Inner.OpinionHash, new LayerId(original.Layer.Value + 1));
        Assert.Equal(GossipVerdict.Reject, await SendAsync(moved.ToBytes()));

        // An identity outside the active set.
        var outsider = Reballot(original, stranger, original.Ballot.Inner.OpinionHash);
        Assert.NotEqual(GossipVerdict.Accept, await SendAsync(outsider.ToBytes()));

        Assert.False(world.Nodes[0].Engine!.IsMalicious(smesher.Signer.NodeId));
        uint last = First + (2 * EngineWorld.LayersPerEpoch) + 3;
        await world.RunLayersAsync(First + 4, last);
        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");
        stranger.Dispose();
    }

    [Fact]
    public async Task Hare_decides_by_the_round_the_scheduler_fits_into_a_layer()
    {
        using var world = new EngineWorld(Weights);
        await world.RunLayersAsync(First, First + 1);
        var layer = new LayerId(First + 2);
        await StartLayerAsync(world, layer);
        int decide = ConsensusEngine.HareOutputRound;
        Assert.All(world.Nodes, node => Assert.Null(node.Consensus.GetHareOutput(layer)));
        for (int round = 0; round <= decide; round++)
        {
            foreach (var node in world.Nodes) await node.Engine!.OnHareRoundAsync(layer, round);
        }

        foreach (var node in world.Nodes)
        {
            var output = node.Consensus.GetHareOutput(layer);
            Assert.NotNull(output);
            Assert.False(output.Value.IsEmpty);
        }

        // A round duration that would let the deciding round spill into the next layer is shortened.
        var clock = new Prover.Node.Genesis.LayerClock(world.Genesis.GenesisTime, TimeSpan.FromSeconds(2), EngineWorld.LayersPerEpoch);
        var scheduler = new LayerScheduler(world.Nodes[0].Engine!, clock, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(200));
        Assert.True(scheduler.HareDelay + (scheduler.RoundDuration * (decide + 1)) <= clock.LayerDuration * 0.9);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerScheduler(world.Nodes[0].Engine!, clock, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public async Task A_partitioned_node_heals_syncs_and_agrees_again()
    {
        using var world = new EngineWorld(Weights);
        var cut = world.Nodes[0];
        await world.RunLayersAsync(First, First + 3);

        world.Network.Isolate(cut.Peer);
        await world.RunLayersAsync(First + 4, First + 9);
        world.Network.Heal();
        var report = await cut.Engine!.SyncAsync(new LayerId(First), new LayerId(First + 9));
        Assert.True(report.Ballots > 0, "nothing was synced");

        uint last = First + 9 + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(First + 10, last);
        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");

        // The isolated node had built no block of its own for the cut layers (its weight alone cannot reach a hare
        // threshold); it now holds the majority's blocks.
        for (uint l = First + 4; l <= First + 9; l++)
        {
            Assert.False(cut.Consensus.GetLayer(new LayerId(l))!.Block.IsEmpty, $"layer {l} is empty on the healed node");
        }
    }

    [Fact]
    public async Task A_restarted_engine_continues_from_its_stores_and_agrees()
    {
        using var world = new EngineWorld(Weights);
        await world.RunLayersAsync(First, First + 5);
        var node = world.Nodes[1];
        var before = Enumerable.Range((int)First, 4).Select(l => node.Consensus.GetLayer(new LayerId((uint)l))).ToList();
        node.Restart(world.Options);
        Assert.Equal(before, Enumerable.Range((int)First, 4).Select(l => node.Engine!.GetLayer(new LayerId((uint)l))).ToList());

        uint last = First + 5 + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(First + 6, last);
        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");
    }

    [Fact]
    public async Task A_node_down_for_an_epoch_restarts_syncs_and_agrees()
    {
        using var world = new EngineWorld(Weights);
        var down = world.Nodes[0];
        await world.RunLayersAsync(First, First + 3);

        world.Network.Isolate(down.Peer);
        down.Stop();
        var others = world.Nodes.Where(n => n != down).ToList();
        uint backAt = First + 4 + EngineWorld.LayersPerEpoch;
        await world.RunLayersAsync(First + 4, backAt - 1, others);

        world.Network.Heal();
        down.Restart(world.Options);
        await down.Engine!.SyncAsync(new LayerId(First), new LayerId(backAt - 1));
        uint last = backAt + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(backAt, last);

        uint verified = AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {Summary(world)}");
        Assert.NotNull(down.Consensus.GetLayer(new LayerId(backAt - 1)));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Every node has applied every layer up to the lowest verified layer, valid, with the same block and
    /// state hash; returns that layer.</summary>
    internal static uint AssertAgreement(EngineWorld world, uint first)
    {
        uint verified = world.Nodes.Min(n => n.Engine!.Verified.Value);
        var summary = string.Join("; ", world.Nodes.Select(n => $"{n.Peer}: verified {n.Engine!.Verified}, applied up to {n.Consensus.LastLayer?.Layer}"));
        Assert.True(verified >= first, $"nothing verified ({summary})");
        for (uint l = first; l <= verified; l++)
        {
            var layer = new LayerId(l);
            var reference = world.Nodes[0].Consensus.GetLayer(layer);
            Assert.NotNull(reference);
            foreach (var node in world.Nodes)
            {
                var record = node.Consensus.GetLayer(layer);
                Assert.NotNull(record);
                Assert.True(record.Valid, $"layer {l} is not valid on {node.Peer}");
                Assert.Equal(reference.Block, record.Block);
                Assert.Equal(reference.StateHash, record.StateHash);
            }
        }

        return verified;
    }

    internal static string Summary(EngineWorld world) =>
        string.Join("; ", world.Nodes.Select(n => $"{n.Peer}: verified {n.Engine!.Verified}, applied up to {n.Consensus.LastLayer?.Layer}, " +
            $"blocks {string.Join(",", Enumerable.Range(8, 24).Select(l => n.Consensus.GetLayer(new LayerId((uint)l))?.Block.ToString()[..4] ?? "-"))}" +
            n.Engine.DescribeLayers(new LayerId(8), n.Engine.CurrentLayer)));

    /// <summary>Per identity, the rewards of layers [from, to] recomputed from the eligibility helpers.</summary>
    private static Dictionary<int, decimal> ExpectedBalances(EngineWorld world, uint from, uint to)
    {
        var o = world.Options;
        var config = new BallotEligibilityConfig(o.LayerAvgSize, o.LayersPerEpoch, o.MinimalActiveSetWeight);
        ulong total = world.Weights.Aggregate(0UL, (a, b) => a + b);
        var balances = world.Nodes.ToDictionary(n => n.Index, _ => 0m);
        for (uint l = from; l <= to; l++)
        {
            var layer = new LayerId(l);
            var epoch = layer.GetEpoch(o.LayersPerEpoch);
            var parts = new List<(AtxId Atx, int Owner, RatNum Weight)>();
            foreach (var node in world.Nodes)
            {
                var atx = world.Atx(node, epoch.Value - 1);
                using var vrf = new VrfSigner(node.Signer);
                var slots = BallotEligibility.Slots(vrf, epoch, EpochBeacon.For(world.Genesis.GenesisId, epoch), atx.VrfNonce, atx.Weight, total, config);
                int here = slots.Count(s => s.Layer == layer);
                if (here > 0) parts.Add((atx.Id, node.Index, new RatNum(atx.Weight * (ulong)here, (ulong)slots.Count)));
            }

            parts.Sort((a, b) => a.Atx.Span.SequenceCompareTo(b.Atx.Span));
            var shares = MeshState.SplitReward(MeshState.LayerReward, [.. parts.Select(p => p.Weight)]);
            for (int i = 0; i < parts.Count; i++) balances[parts[i].Owner] += shares[i];
        }

        return balances;
    }

    /// <summary>Records every payload of <paramref name="topic"/> from <paramref name="sender"/> that some node accepted.</summary>
    internal static List<byte[]> Capture(EngineWorld world, string topic, NodeId sender, Func<byte[], NodeId> senderOf)
    {
        var seen = new List<byte[]>();
        world.Network.Handled += (_, t, payload, verdict) =>
        {
            if (t != topic || verdict != GossipVerdict.Accept || senderOf(payload) != sender) return;
            lock (seen) seen.Add(payload);
        };
        return seen;
    }

    /// <summary>The proposal with its ballot changed (another opinion hash) and signed again: a second ballot of the
    /// same smesher in the same layer.</summary>
    private static Proposal Reballot(Proposal original, EdSigner signer, Hash32 opinion, LayerId? layer = null)
    {
        var inner = original.Ballot.Inner;
        var ballot = new Ballot
        {
            Inner = new InnerBallot
            {
                Layer = layer ?? inner.Layer,
                AtxId = inner.AtxId,
                OpinionHash = opinion,
                RefBallot = inner.RefBallot,
                EpochData = inner.EpochData,
            },
            Votes = original.Ballot.Votes,
            EligibilityProofs = original.Ballot.EligibilityProofs,
        };
        var proposal = new Proposal { Inner = new InnerProposal { Ballot = ballot } };
        proposal.Sign(signer);
        return proposal;
    }

    private static async Task StartLayerAsync(EngineWorld world, LayerId layer)
    {
        var epoch = layer.GetEpoch(EngineWorld.LayersPerEpoch);
        foreach (var node in world.Nodes)
        {
            if (epoch.FirstLayer(EngineWorld.LayersPerEpoch) == layer) await node.Engine!.OnEpochStartAsync(epoch);
        }

        foreach (var node in world.Nodes) await node.Engine!.OnLayerStartAsync(layer);
    }

    private static async Task FinishLayerAsync(EngineWorld world, LayerId layer, int fromRound = 0)
    {
        for (int round = fromRound; round < world.Nodes[0].Engine!.HareRounds; round++)
        {
            foreach (var node in world.Nodes) await node.Engine!.OnHareRoundAsync(layer, round);
        }
    }
}
