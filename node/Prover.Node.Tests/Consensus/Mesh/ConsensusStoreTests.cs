using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage;
using Xunit;
using static Prover.Node.Tests.Consensus.Mesh.MeshFixtures;

namespace Prover.Node.Tests.Consensus.Mesh;

public class ConsensusStoreTests
{
    [Fact]
    public void Everything_stored_is_read_back_after_reopening_the_store()
    {
        using var kv = new InMemoryKeyValueStore(NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        var block = BlockBuilder.Build(new LayerId(8), [Proposal(1, 1, 100), Proposal(2, 2, 300)])!;
        Assert.True(store.AddBlock(block));
        Assert.False(store.AddBlock(block));
        Assert.True(store.AddBallot(Id20(1), new LayerId(8), [1, 2, 3]));
        Assert.False(store.AddBallot(Id20(1), new LayerId(8), [9]));
        Assert.True(store.AddBallot(Id20(2), new LayerId(9), [4]));
        Assert.True(store.AddProposal(Id20(3), new LayerId(8), [5, 6]));
        store.PutHareOutput(new LayerId(8), block.Id);
        store.PutHareOutput(new LayerId(9), BlockId.Empty);
        var state = new MeshState(store, CoinbaseOf, new LayerId(8));
        var applied = state.Apply(new LayerId(8), block, valid: true);
        state.Apply(new LayerId(9), null, valid: false);

        var again = ConsensusStore.Open(kv);
        Assert.Equal(block.ToBytes(), again.GetBlock(block.Id)!.ToBytes());
        Assert.True(again.IsBlockValid(block.Id));
        Assert.Equal([block.Id], again.BlockIdsInLayer(new LayerId(8)));
        Assert.Equal([1, 2, 3], again.GetBallot(Id20(1))!.Blob.ToArray());
        Assert.Equal([Id20(1)], again.BallotIdsInLayer(new LayerId(8)));
        Assert.Equal([Id20(3)], again.ProposalIdsInLayer(new LayerId(8)));
        Assert.Equal(new LayerId(8), again.GetProposal(Id20(3))!.Layer);
        Assert.Equal(block.Id, again.GetHareOutput(new LayerId(8)));
        Assert.Equal(BlockId.Empty, again.GetHareOutput(new LayerId(9)));
        Assert.Null(again.GetHareOutput(new LayerId(10)));
        Assert.Equal(new LayerId(9), again.LastLayer!.Layer);
        Assert.Equal(applied, again.GetLayer(new LayerId(8)));
        Assert.Equal(250_000_000UL, again.Balance(Coinbase(1)));
        Assert.Equal(750_000_000UL, again.Balance(Coinbase(2)));
        Assert.Equal(new LayerId(10), new MeshState(again, CoinbaseOf, new LayerId(8)).NextLayer);
    }

    [Fact]
    public void Layers_query_returns_the_inclusive_range_in_order()
    {
        using var kv = new InMemoryKeyValueStore(NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        var state = new MeshState(store, CoinbaseOf, new LayerId(8));
        for (uint l = 8; l < 14; l++) state.Apply(new LayerId(l), null, valid: l < 12);
        var layers = store.Layers(new LayerId(10), new LayerId(12));
        Assert.Equal([10u, 11, 12], layers.Select(l => l.Layer.Value));
        Assert.Equal([true, true, false], layers.Select(l => l.Valid));
        Assert.True(store.MarkLayerValid(new LayerId(12), true));
        Assert.True(store.GetLayer(new LayerId(12))!.Valid);
        Assert.Equal(layers[2].StateHash, store.GetLayer(new LayerId(12))!.StateHash);
        Assert.False(store.MarkLayerValid(new LayerId(20), true));
    }

    [Fact]
    public void A_commit_whose_delta_does_not_match_the_stored_balances_is_refused()
    {
        using var kv = new InMemoryKeyValueStore(NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        var record = new LayerRecord(new LayerId(8), BlockId.Empty, true, default);
        Assert.Throws<InvalidOperationException>(() =>
            store.CommitLayer(new AppliedLayer(record, [new AccountChange(Coinbase(1), 5, 10)], [])));
        Assert.Null(store.LastLayer);
    }
}
