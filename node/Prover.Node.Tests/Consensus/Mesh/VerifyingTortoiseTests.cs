using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Mesh.MeshFixtures;

namespace Prover.Node.Tests.Consensus.Mesh;

/// <summary>
/// A small network: 4 layers per epoch, first layer 8 (epoch 2), three smeshers with ATX weights 100, 200 and 300
/// targeting epochs 2 and 3; each smesher casts one ballot per layer weighing a quarter of its ATX weight, so a layer's
/// ballots weigh 150 when everyone votes.
/// </summary>
public class VerifyingTortoiseTests
{
    private const uint Lpe = 4;
    private static readonly LayerId First = new(8);
    private static readonly (byte Tag, ulong Weight)[] Smeshers = [(1, 100), (2, 200), (3, 300)];

    private static VerifyingTortoise NewTortoise(uint hdist = 10)
    {
        var tortoise = new VerifyingTortoise(new TortoiseConfig(Lpe, First, hdist, WindowSize: 20));
        foreach (var (tag, weight) in Smeshers)
        {
            tortoise.OnAtx(new EpochId(2), AtxOf(tag), NodeOf(tag), weight);
            tortoise.OnAtx(new EpochId(3), AtxOf((byte)(tag + 0x10)), NodeOf(tag), weight);
        }

        return tortoise;
    }

    private static AtxId AtxFor(byte tag, uint layer) => AtxOf(layer / Lpe == 2 ? tag : (byte)(tag + 0x10));

    /// <summary>The block of a layer in the honest history (every third layer empty).</summary>
    private static BlockId HonestBlock(uint layer) => layer % 3 == 0 ? BlockId.Empty : new BlockId(Id20((byte)layer, 1));

    /// <summary>Ballots of <paramref name="tags"/> in <paramref name="layer"/>, voting <paramref name="opinion"/> on every earlier layer.</summary>
    private static void CastBallots(VerifyingTortoise tortoise, uint layer, Func<uint, BlockId> opinion, params byte[] tags)
    {
        foreach (var tag in tags)
        {
            var weight = Smeshers.Single(s => s.Tag == tag).Weight;
            var votes = Enumerable.Range((int)First.Value, (int)(layer - First.Value)).Select(l => LayerVote.For(new LayerId((uint)l), opinion((uint)l))).ToList();
            tortoise.OnBallot(new TortoiseBallot(Id20(tag, (byte)layer), new LayerId(layer), AtxFor(tag, layer), new RatNum(weight, Lpe), votes));
        }
    }

    private static void RunHonest(VerifyingTortoise tortoise, uint lastLayer, params byte[] voters)
    {
        for (uint l = First.Value; l <= lastLayer; l++)
        {
            tortoise.OnHareOutput(new LayerId(l), HonestBlock(l));
            CastBallots(tortoise, l, HonestBlock, voters);
        }
    }

    [Fact]
    public void Honest_weight_verifies_every_layer_but_the_newest()
    {
        var tortoise = NewTortoise();
        RunHonest(tortoise, 14, 1, 2, 3);

        var updates = tortoise.Updates();
        Assert.Equal(new LayerId(13), tortoise.Verified);
        Assert.Equal(Enumerable.Range(8, 7).Select(l => new LayerUpdate(new LayerId((uint)l), HonestBlock((uint)l), l < 14)), updates);
        Assert.Empty(tortoise.Updates());
    }

    [Fact]
    public void Half_of_the_weight_never_verifies()
    {
        var tortoise = NewTortoise();
        RunHonest(tortoise, 15, 1, 2);
        tortoise.Updates();
        Assert.Equal(new LayerId(First.Value - 1), tortoise.Verified);
        Assert.All(tortoise.Updates(), u => Assert.False(u.Verified));
    }

    [Fact]
    public void Five_sixths_of_the_weight_verifies_once_two_layers_vote()
    {
        var tortoise = NewTortoise();
        RunHonest(tortoise, 9, 2, 3);
        tortoise.Updates();
        Assert.Equal(new LayerId(7), tortoise.Verified); // 125 after layer 8 is exactly the threshold: not over it

        RunHonest(tortoise, 10, 2, 3);
        tortoise.Updates();
        Assert.Equal(new LayerId(8), tortoise.Verified);
    }

    [Fact]
    public void Ballots_of_a_malicious_identity_weigh_nothing()
    {
        // Five sixths of the weight verify up to layer 10 (layer 11 has one voting layer at exactly the threshold).
        var honest = NewTortoise();
        RunHonest(honest, 12, 2, 3);
        honest.Updates();
        Assert.Equal(new LayerId(10), honest.Verified);

        var flagged = NewTortoise();
        flagged.OnMalfeasance(NodeOf(3));
        RunHonest(flagged, 12, 2, 3);
        flagged.Updates();
        Assert.Equal(new LayerId(7), flagged.Verified);

        var marked = NewTortoise();
        for (uint l = First.Value; l <= 12; l++)
        {
            marked.OnHareOutput(new LayerId(l), HonestBlock(l));
            CastBallots(marked, l, HonestBlock, 2);
            var votes = Enumerable.Range(8, (int)l - 8).Select(x => LayerVote.For(new LayerId((uint)x), HonestBlock((uint)x))).ToList();
            marked.OnBallot(new TortoiseBallot(Id20(3, (byte)l), new LayerId(l), AtxFor(3, l), new RatNum(300, Lpe), votes, Malicious: true));
        }

        marked.Updates();
        Assert.Equal(new LayerId(7), marked.Verified);
    }

    [Fact]
    public void Ballots_that_disagree_with_the_hare_output_are_not_good()
    {
        var tortoise = NewTortoise();
        var other = new BlockId(Id20(0xEE));
        for (uint l = First.Value; l <= 12; l++)
        {
            tortoise.OnHareOutput(new LayerId(l), HonestBlock(l));
            CastBallots(tortoise, l, HonestBlock, 1);
            CastBallots(tortoise, l, x => x == 8 ? other : HonestBlock(x), 2, 3);
        }

        tortoise.Updates();
        Assert.Equal(new LayerId(7), tortoise.Verified);
    }

    [Fact]
    public void Ballots_split_over_different_layers_stall_verifying_mode_but_the_tally_verifies_beyond_hdist()
    {
        // Smesher 1 (1/6 of the weight) voted another block for layer 8 and smesher 2 (1/3) for layer 9, as when their
        // hare outputs differed: only smesher 3's ballots (half the weight) agree with this node on every layer, so
        // verifying mode stalls. Beyond Hdist the explicit votes of all honest ballots count: layer 8 has 5/6 for the
        // honest block and verifies; layer 9 has 1/3 against, which is exactly the bound no threshold may cross.
        var other = new BlockId(Id20(0xEE));
        var verified = new Dictionary<uint, LayerId>();
        foreach (var hdist in new[] { 2u, 10u })
        {
            var tortoise = NewTortoise(hdist);
            for (uint l = First.Value; l <= 15; l++)
            {
                tortoise.OnHareOutput(new LayerId(l), HonestBlock(l));
                CastBallots(tortoise, l, x => x == 8 ? other : HonestBlock(x), 1);
                CastBallots(tortoise, l, x => x == 9 ? other : HonestBlock(x), 2);
                CastBallots(tortoise, l, HonestBlock, 3);
            }

            tortoise.Updates();
            verified[hdist] = tortoise.Verified;
            if (hdist == 2)
            {
                Assert.Equal((HonestBlock(8), true), tortoise.Opinion(new LayerId(8)));
            }
        }

        Assert.Equal(new LayerId(7), verified[10]);
        Assert.Equal(new LayerId(8), verified[2]);
    }

    [Fact]
    public void A_layer_without_hare_output_within_hdist_holds_verification_until_hare_terminates()
    {
        var tortoise = NewTortoise();
        for (uint l = First.Value; l <= 12; l++)
        {
            if (l != 9) tortoise.OnHareOutput(new LayerId(l), HonestBlock(l));
            CastBallots(tortoise, l, x => x == 9 ? BlockId.Empty : HonestBlock(x), 1, 2, 3);
        }

        // Local opinion on 9 is abstain, so the ballots that vote an empty 9 are not good: nothing verifies.
        var updates = tortoise.Updates();
        Assert.Equal(new LayerId(7), tortoise.Verified);
        Assert.DoesNotContain(updates, u => u.Layer == new LayerId(9));

        tortoise.OnHareOutput(new LayerId(9), BlockId.Empty);
        updates = tortoise.Updates();
        Assert.Equal(new LayerId(11), tortoise.Verified);
        Assert.Contains(new LayerUpdate(new LayerId(9), BlockId.Empty, true), updates);
    }

    [Fact]
    public void Layers_whose_hare_no_node_ran_are_held_empty_beyond_hdist_and_verification_resumes()
    {
        // Every node started after layer 10 (or was down then): no hare output for 8..10 anywhere. Each ballot votes
        // the local opinion of every earlier layer, as the engine builds them (abstain where the opinion is none).
        var tortoise = NewTortoise(hdist: 2);
        for (uint l = First.Value; l <= 20; l++)
        {
            tortoise.OnLayer(new LayerId(l));
            if (l >= 11) tortoise.OnHareOutput(new LayerId(l), HonestBlock(l));
            foreach (var (tag, weight) in Smeshers)
            {
                var votes = Enumerable.Range((int)First.Value, (int)(l - First.Value))
                    .Select(x => tortoise.Opinion(new LayerId((uint)x)).Block is { } b ? LayerVote.For(new LayerId((uint)x), b) : LayerVote.Abstaining(new LayerId((uint)x)))
                    .ToList();
                tortoise.OnBallot(new TortoiseBallot(Id20(tag, (byte)l), new LayerId(l), AtxFor(tag, l), new RatNum(weight, Lpe), votes));
            }

            tortoise.Updates();
        }

        // Abstaining on 8..10 for ever would hold every later layer; held empty once beyond Hdist, they verify.
        Assert.True(tortoise.Verified >= new LayerId(18), $"verified only up to {tortoise.Verified}");
        for (uint l = 8; l <= 10; l++) Assert.Equal((BlockId.Empty, true), tortoise.Opinion(new LayerId(l)));
        for (uint l = 11; l <= 18; l++) Assert.Equal((HonestBlock(l), true), tortoise.Opinion(new LayerId(l)));
    }

    [Fact]
    public void Beyond_hdist_the_vote_tally_replaces_the_hare_output_and_the_mesh_reverts_and_reapplies()
    {
        var blocks = new Dictionary<uint, Block>();
        Block BlockOf(uint layer, byte variant) => BlockBuilder.Build(new LayerId(layer), [Proposal(variant, (byte)(layer % 3 + 1), 100UL + variant)])!;
        for (uint l = 8; l <= 14; l++) blocks[l] = BlockOf(l, 1);
        var ours = BlockOf(8, 2); // this node's hare gave another block for layer 8 than the network's
        BlockId Network(uint l) => blocks[l].Id;

        var store = NewStore(out var kv);
        var freshStore = NewStore(out var kvFresh);
        using (kv)
        using (kvFresh)
        {
            foreach (var b in blocks.Values.Append(ours)) store.AddBlock(b);
            var tortoise = NewTortoise(hdist: 2);
            var mesh = new MeshApplier(tortoise, new MeshState(store, CoinbaseOf, First));

            tortoise.OnHareOutput(new LayerId(8), ours.Id);
            for (uint l = 9; l <= 10; l++)
            {
                tortoise.OnHareOutput(new LayerId(l), Network(l));
                CastBallots(tortoise, l, Network, 1, 2, 3);
            }

            var early = mesh.Advance();
            Assert.Equal([8u, 9, 10], early.Applied.Select(r => r.Layer.Value));
            Assert.Equal(ours.Id, store.GetLayer(new LayerId(8))!.Block);
            Assert.All(early.Applied, r => Assert.False(r.Valid));

            for (uint l = 11; l <= 12; l++)
            {
                tortoise.OnHareOutput(new LayerId(l), Network(l));
                CastBallots(tortoise, l, Network, 1, 2, 3);
            }

            var late = mesh.Advance();
            Assert.Equal([10u, 9, 8], late.Reverted.Select(l => l.Value));
            Assert.Equal(new LayerId(11), tortoise.Verified);
            Assert.Equal(Network(8), store.GetLayer(new LayerId(8))!.Block);

            var fresh = new MeshState(freshStore, CoinbaseOf, First);
            for (uint l = 8; l <= 12; l++) fresh.Apply(new LayerId(l), blocks[l], valid: l <= 11);
            foreach (var column in new[] { NodeColumns.Layers, NodeColumns.Accounts, NodeColumns.Rewards })
            {
                Assert.Equal(Dump(kvFresh, column), Dump(kv, column));
            }

            Assert.False(store.IsBlockValid(ours.Id));
            Assert.True(store.IsBlockValid(Network(8)));
        }
    }

    [Fact]
    public void A_block_not_stored_yet_stops_the_mesh_until_it_is()
    {
        using var kv = new Prover.Storage.InMemoryKeyValueStore(NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        var tortoise = NewTortoise();
        var mesh = new MeshApplier(tortoise, new MeshState(store, CoinbaseOf, First));
        var block = BlockBuilder.Build(new LayerId(8), [Proposal(1, 1, 100)])!;
        tortoise.OnHareOutput(new LayerId(8), block.Id);
        tortoise.OnHareOutput(new LayerId(9), BlockId.Empty);

        var progress = mesh.Advance();
        Assert.Equal(block.Id, progress.MissingBlock);
        Assert.Empty(progress.Applied);

        store.AddBlock(block);
        progress = mesh.Advance();
        Assert.Null(progress.MissingBlock);
        Assert.Equal([8u, 9], progress.Applied.Select(r => r.Layer.Value));
    }
}
