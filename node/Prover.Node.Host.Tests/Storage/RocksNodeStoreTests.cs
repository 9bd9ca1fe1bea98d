using Prover.Node.Storage;
using Prover.Node.Tests.Storage;
using Prover.Storage;
using Prover.Storage.Rocks;
using Xunit;
using static Prover.Node.Tests.Storage.NodeStoreFixtures;

namespace Prover.Node.Host.Tests.Storage;

/// <summary>The node store contract over RocksDB, plus what only a real database can show: reopening.</summary>
public sealed class RocksNodeStoreTests : NodeStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "node-store-" + Guid.NewGuid().ToString("N"));

    protected override IKeyValueStore CreateStore() =>
        RocksKeyValueStore.Open(Path.Combine(_root, Guid.NewGuid().ToString("N")), NodeColumns.All);

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Records_and_the_schema_version_survive_closing_and_reopening_the_database()
    {
        var dir = Path.Combine(_root, "reopen");
        var header = Header(70, 12, 0x90, initial: true);
        using (var kv = RocksKeyValueStore.Open(dir, NodeColumns.All))
        {
            var node = NodeStore.Open(kv);
            node.AddAtx(header, 1, Blob(70));
            node.PutBuilderState(header.SmesherId, 1, [4, 2]);
        }

        using (var kv = RocksKeyValueStore.Open(dir, NodeColumns.All))
        {
            var node = NodeStore.Open(kv);
            Assert.Equal(header, node.GetAtx(header.Id));
            Assert.Equal(Blob(70), node.GetAtxBlob(header.Id)!.Bytes.ToArray());
            Assert.Equal([4, 2], node.GetBuilderState(header.SmesherId)!.State.ToArray());
            Assert.True(node.CheckConsistency().IsConsistent);
        }
    }

    [Fact]
    public void A_database_stamped_by_a_future_version_is_refused_after_reopening()
    {
        var dir = Path.Combine(_root, "future");
        using (var kv = RocksKeyValueStore.Open(dir, NodeColumns.All))
        {
            NodeStore.Open(kv).AddAtx(Header(1, 1, 1), 1, Blob(1));
            kv.GetColumn(NodeColumns.Meta).Put(NodeStore.SchemaVersionKey, [0, 0, 0, (byte)(NodeStore.SchemaVersion + 1)]);
        }

        using (var kv = RocksKeyValueStore.Open(dir, NodeColumns.All))
        {
            var e = Assert.Throws<IncompatibleSchemaException>(() => NodeStore.Open(kv));
            Assert.Contains($"schema version {NodeStore.SchemaVersion + 1}", e.Message);
            Assert.True(kv.GetColumn(NodeColumns.Atxs).ContainsKey(Id(1).Span));
        }
    }
}
