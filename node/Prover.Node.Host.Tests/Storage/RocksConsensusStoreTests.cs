using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage.Rocks;
using Xunit;

namespace Prover.Node.Host.Tests.Storage;

/// <summary>The consensus records over RocksDB: they survive reopening, and a part-1 database (made before the
/// consensus column families existed) opens with them.</summary>
public sealed class RocksConsensusStoreTests : IDisposable
{
    /// <summary>The column families a part-1 node created.</summary>
    private static readonly string[] PartOneColumns =
        ["atx_blob", "atx", "atx_by_epoch", "atx_by_node", "atx_by_prev", "poet", "nipost_state", "malicious", "beacon", "layer", "block", "ballot"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "consensus-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static Address Coinbase(byte tag) => new([0, 0, 0, 0, .. Enumerable.Repeat(tag, 20)]);

    [Fact]
    public void A_part_one_database_opens_with_the_consensus_columns_and_keeps_applied_layers_across_reopening()
    {
        var atx = new AtxId(Enumerable.Repeat((byte)7, 32).ToArray());
        using (var kv = RocksKeyValueStore.Open(_root, PartOneColumns))
        {
            // What a part-1 node wrote: its schema version and a beacon (NodeStore.Open of this build would look for
            // the consensus columns, which this database does not have yet).
            kv.GetColumn(NodeColumns.Meta).Put(NodeStore.SchemaVersionKey, [0, 0, 0, (byte)NodeStore.SchemaVersion]);
            kv.GetColumn(NodeColumns.Beacons).Put([0, 0, 0, 2], [1, 2, 3, 4]);
        }

        var block = BlockBuilder.Build(new LayerId(8), [new HareProposal(new Genesis.Hash20(new byte[20]), atx, 100, 0, 10, 4, 1)])!;
        LayerRecord applied;
        using (var kv = RocksKeyValueStore.Open(_root, NodeColumns.All))
        {
            var store = ConsensusStore.Open(kv);
            Assert.Equal([1, 2, 3, 4], NodeStore.Open(kv).GetBeacon(2));
            store.AddBlock(block);
            var state = new MeshState(store, id => id == atx ? Coinbase(7) : null, new LayerId(8));
            applied = state.Apply(new LayerId(8), block, valid: true);
            state.Apply(new LayerId(9), null, valid: false);
        }

        using (var kv = RocksKeyValueStore.Open(_root, NodeColumns.All))
        {
            var store = ConsensusStore.Open(kv);
            Assert.Equal(applied, store.GetLayer(new LayerId(8)));
            Assert.Equal(new LayerId(9), store.LastLayer!.Layer);
            Assert.Equal(MeshState.LayerReward, store.Balance(Coinbase(7)));
            Assert.Equal(block.Id, store.GetBlock(block.Id)!.Id);
            Assert.NotNull(store.RevertLastLayer());
            Assert.Equal(new LayerId(8), store.LastLayer!.Layer);
        }
    }
}
