using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Mesh.MeshFixtures;

namespace Prover.Node.Tests.Consensus.Mesh;

public class MeshStateTests
{
    private static readonly LayerId First = new(8);

    private static Block BlockFor(uint layer, params HareProposal[] proposals) => BlockBuilder.Build(new LayerId(layer), proposals)!;

    private static readonly Block[] Chain =
    [
        BlockFor(8, Proposal(1, 1, 100), Proposal(2, 2, 200), Proposal(3, 3, 300)),
        BlockFor(9, Proposal(4, 1, 100, proofs: 2), Proposal(5, 3, 300)),
        BlockFor(11, Proposal(6, 2, 200, eligibilities: 3), Proposal(7, 0x41, 50), Proposal(8, 0x42, 70)),
    ];

    /// <summary>Applies 8, 9, (10 empty), 11.</summary>
    private static MeshState ApplyChain(ConsensusStore store)
    {
        var state = new MeshState(store, CoinbaseOf, First);
        state.Apply(new LayerId(8), Chain[0], valid: true);
        state.Apply(new LayerId(9), Chain[1], valid: true);
        state.Apply(new LayerId(10), null, valid: true);
        state.Apply(new LayerId(11), Chain[2], valid: false);
        return state;
    }

    [Fact]
    public void Reward_split_is_proportional_with_the_remainder_to_the_first_rewards()
    {
        Assert.Equal([333_333_334UL, 333_333_333, 333_333_333], MeshState.SplitReward(1_000_000_000, [new(1, 1), new(1, 1), new(1, 1)]));
        Assert.Equal([250UL, 750], MeshState.SplitReward(1000, [new(1, 3), new(1, 1)]));
        Assert.Equal([4UL, 3], MeshState.SplitReward(7, [new(10, 3), new(10, 3)]));
        var random = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 20)).Select(_ => new RatNum((ulong)random.NextInt64(1, long.MaxValue), (ulong)random.Next(1, 1000))).ToList();
            var shares = MeshState.SplitReward(MeshState.LayerReward, weights);
            Assert.Equal(MeshState.LayerReward, shares.Aggregate(0UL, (a, b) => a + b));
        }
    }

    [Fact]
    public void Applying_a_block_credits_each_coinbase_its_share_and_records_the_rewards()
    {
        var store = NewStore(out var kv);
        using (kv)
        {
            var state = new MeshState(store, CoinbaseOf, First);
            state.Apply(new LayerId(8), Chain[0], valid: true);

            // weights 25, 50, 75 of 150: one sixth, one third, one half of the subsidy.
            Assert.Equal(166_666_667UL, store.Balance(Coinbase(1)));
            Assert.Equal(333_333_333UL, store.Balance(Coinbase(2)));
            Assert.Equal(500_000_000UL, store.Balance(Coinbase(3)));
            var reward = Assert.Single(store.Rewards(Coinbase(2)));
            Assert.Equal(new RewardRecord(new LayerId(8), AtxOf(2), Coinbase(2), 333_333_333), reward);
        }
    }

    [Fact]
    public void Two_stores_fed_the_same_blocks_agree_on_every_state_hash()
    {
        var a = NewStore(out var kvA);
        var b = NewStore(out var kvB);
        using (kvA)
        using (kvB)
        {
            ApplyChain(a);
            ApplyChain(b);
            var layersA = a.Layers(new LayerId(0), new LayerId(100));
            Assert.Equal(4, layersA.Count);
            Assert.Equal(layersA, b.Layers(new LayerId(0), new LayerId(100)));
            Assert.Equal(4, layersA.Select(l => l.StateHash).Distinct().Count());
            Assert.True(layersA[2].Block.IsEmpty);
            Assert.Equal(Chain[2].Id, layersA[3].Block);
            Assert.False(layersA[3].Valid);
        }
    }

    [Fact]
    public void State_hash_chains_the_previous_hash_layer_block_and_changed_balances()
    {
        var store = NewStore(out var kv);
        using (kv)
        {
            var state = new MeshState(store, CoinbaseOf, First);
            var first = state.Apply(new LayerId(8), Chain[0], valid: true);
            var changes = store.GetApplied(new LayerId(8))!.Changes;
            Assert.Equal(MeshState.ComputeStateHash(default, new LayerId(8), Chain[0].Id, changes), first.StateHash);
            var empty = state.Apply(new LayerId(9), null, valid: true);
            Assert.Equal(MeshState.ComputeStateHash(first.StateHash, new LayerId(9), BlockId.Empty, []), empty.StateHash);
        }
    }

    [Fact]
    public void Revert_then_reapply_gives_the_same_store_as_a_fresh_apply()
    {
        var fresh = NewStore(out var kvFresh);
        var moved = NewStore(out var kvMoved);
        using (kvFresh)
        using (kvMoved)
        {
            var other = BlockFor(9, Proposal(9, 2, 999));
            var state = new MeshState(moved, CoinbaseOf, First);
            state.Apply(new LayerId(8), Chain[0], valid: true);
            state.Apply(new LayerId(9), other, valid: false);
            state.Apply(new LayerId(10), BlockFor(10, Proposal(10, 0x41, 5)), valid: false);
            Assert.Equal([new LayerId(10), new LayerId(9)], state.RevertTo(new LayerId(8)).Select(a => a.Record.Layer));
            state.Apply(new LayerId(9), Chain[1], valid: true);
            state.Apply(new LayerId(10), null, valid: true);
            state.Apply(new LayerId(11), Chain[2], valid: false);

            ApplyChain(fresh);
            foreach (var column in new[] { NodeColumns.Layers, NodeColumns.Accounts, NodeColumns.Rewards })
            {
                Assert.Equal(Dump(kvFresh, column), Dump(kvMoved, column));
            }
        }
    }

    [Fact]
    public void Reverting_everything_leaves_no_balance_reward_or_layer()
    {
        var store = NewStore(out var kv);
        using (kv)
        {
            var state = ApplyChain(store);
            Assert.Equal(4, state.RevertTo(new LayerId(First.Value - 1)).Count);
            Assert.Null(store.LastLayer);
            Assert.Empty(Dump(kv, NodeColumns.Accounts));
            Assert.Empty(Dump(kv, NodeColumns.Rewards));
            Assert.Empty(Dump(kv, NodeColumns.Layers));
            Assert.Equal(First, state.NextLayer);
        }
    }

    [Fact]
    public void Layers_are_applied_only_in_order()
    {
        var store = NewStore(out var kv);
        using (kv)
        {
            var state = new MeshState(store, CoinbaseOf, First);
            Assert.Throws<InvalidOperationException>(() => state.Apply(new LayerId(9), null, true));
            state.Apply(First, null, true);
            Assert.Throws<InvalidOperationException>(() => state.Apply(First, null, true));
            Assert.Throws<ArgumentException>(() => state.Apply(new LayerId(9), Chain[0], true));
        }
    }

    [Fact]
    public void A_reward_for_an_unknown_atx_applies_nothing()
    {
        var store = NewStore(out var kv);
        using (kv)
        {
            var state = new MeshState(store, _ => null, First);
            Assert.Throws<InvalidOperationException>(() => state.Apply(First, Chain[0], true));
            Assert.Null(store.LastLayer);
            Assert.Empty(Dump(kv, NodeColumns.Accounts));
        }
    }
}
