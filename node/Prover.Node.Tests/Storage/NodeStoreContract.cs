using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Storage;
using Prover.Storage;
using Xunit;
using static Prover.Node.Tests.Storage.NodeStoreFixtures;

namespace Prover.Node.Tests.Storage;

/// <summary>
/// What <see cref="NodeStore"/> owes its callers over any <see cref="IKeyValueStore"/>. The in-memory store runs it
/// here; Prover.Node.Host.Tests links this file and runs it over RocksDB.
/// </summary>
public abstract class NodeStoreContract : IDisposable
{
    private readonly List<IKeyValueStore> _opened = [];

    /// <summary>Opens a fresh, empty store with <see cref="NodeColumns.All"/>.</summary>
    protected abstract IKeyValueStore CreateStore();

    protected IKeyValueStore Fresh()
    {
        var store = CreateStore();
        _opened.Add(store);
        return store;
    }

    public virtual void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static NodeId Smesher(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    [Fact]
    public void A_fresh_database_gets_the_current_schema_version()
    {
        var kv = Fresh();
        NodeStore.Open(kv);
        Assert.Equal(NodeStore.SchemaVersion, BinaryPrimitives.ReadUInt32BigEndian(kv.GetColumn(NodeColumns.Meta).Get(NodeStore.SchemaVersionKey)));
    }

    [Fact]
    public void A_database_of_another_schema_version_is_refused_with_both_versions_named_and_left_untouched()
    {
        var kv = Fresh();
        var meta = kv.GetColumn(NodeColumns.Meta);
        meta.Put(NodeStore.SchemaVersionKey, [0, 0, 0, 7]);
        kv.GetColumn(NodeColumns.Atxs).Put([1], [2]);
        var e = Assert.Throws<IncompatibleSchemaException>(() => NodeStore.Open(kv));
        Assert.Equal(7u, e.Found);
        Assert.Equal(NodeStore.SchemaVersion, e.Expected);
        Assert.Contains("schema version 7", e.Message);
        Assert.Contains($"expects schema version {NodeStore.SchemaVersion}", e.Message);
        Assert.Equal([0, 0, 0, 7], meta.Get(NodeStore.SchemaVersionKey));
        Assert.Equal([2], kv.GetColumn(NodeColumns.Atxs).Get([1]));
    }

    [Fact]
    public void A_database_with_records_but_no_schema_version_is_refused_not_stamped()
    {
        var kv = Fresh();
        kv.GetColumn(NodeColumns.PoetProofs).Put([9], [9]);
        var e = Assert.Throws<IncompatibleSchemaException>(() => NodeStore.Open(kv));
        Assert.Null(e.Found);
        Assert.Contains("no schema version", e.Message);
        Assert.Null(kv.GetColumn(NodeColumns.Meta).Get(NodeStore.SchemaVersionKey));
    }

    [Fact]
    public void A_store_without_the_node_columns_is_refused()
    {
        var kv = new InMemoryKeyValueStore(NodeColumns.AtxBlobs);
        _opened.Add(kv);
        Assert.Throws<KeyNotFoundException>(() => NodeStore.Open(kv));
    }

    [Fact]
    public void An_atx_reads_back_header_and_blob_byte_for_byte()
    {
        var node = NodeStore.Open(Fresh());
        var initial = Header(1, 3, 0xa1, initial: true);
        var next = Header(2, 4, 0xa1, previous: initial.Id);
        Assert.True(node.AddAtx(initial, 1, Blob(1)));
        Assert.True(node.AddAtx(next, 2, Blob(2, 900)));

        Assert.Equal(initial, node.GetAtx(initial.Id));
        Assert.Equal(next, node.GetAtx(next.Id));
        Assert.Null(node.GetAtx(next.Id)!.CommitmentAtxId);
        Assert.Null(node.GetAtx(initial.Id)!.PreviousAtxId);
        var blob = node.GetAtxBlob(next.Id)!;
        Assert.Equal(2, blob.Format);
        Assert.Equal(Blob(2, 900), blob.Bytes.ToArray());
        Assert.True(node.ContainsAtx(initial.Id));
        Assert.False(node.ContainsAtx(Id(3)));
        Assert.Null(node.GetAtxBlob(Id(3)));
    }

    [Fact]
    public void A_second_insert_of_one_id_is_refused_and_changes_nothing()
    {
        var node = NodeStore.Open(Fresh());
        var header = Header(5, 3, 0xa2);
        Assert.True(node.AddAtx(header, 1, Blob(5)));
        Assert.False(node.AddAtx(header with { PublishEpoch = 9 }, 1, Blob(6)));
        Assert.Equal(3u, node.GetAtx(header.Id)!.PublishEpoch);
        Assert.Equal(Blob(5), node.GetAtxBlob(header.Id)!.Bytes.ToArray());
        Assert.Empty(node.AtxIdsInEpoch(9));
        Assert.True(node.CheckConsistency().IsConsistent);
    }

    [Fact]
    public void Epoch_index_lists_exactly_that_epochs_atxs_in_id_order_across_epoch_byte_boundaries()
    {
        var node = NodeStore.Open(Fresh());
        // Epochs 255 and 256 differ in their low byte order: little-endian keys would sort 256 before 255.
        var inEpoch = new[] { Header(10, 256, 1), Header(11, 256, 2), Header(12, 256, 3) };
        foreach (var h in inEpoch) node.AddAtx(h, 1, Blob(1));
        node.AddAtx(Header(13, 255, 1), 1, Blob(1));
        node.AddAtx(Header(14, 257, 1), 1, Blob(1));
        node.AddAtx(Header(15, 65_536 + 256, 1), 1, Blob(1));

        Assert.Equal(inEpoch.Select(h => h.Id).OrderBy(id => id.Value), node.AtxIdsInEpoch(256));
        Assert.Equal([Id(13)], node.AtxIdsInEpoch(255));
        Assert.Empty(node.AtxIdsInEpoch(258));
    }

    [Fact]
    public void Smesher_index_orders_by_epoch_numerically_and_finds_the_last_and_a_double_publication()
    {
        var node = NodeStore.Open(Fresh());
        var me = Smesher(0x44);
        node.AddAtx(Header(20, 256, 0x44), 1, Blob(1));
        node.AddAtx(Header(21, 2, 0x44), 1, Blob(1));
        node.AddAtx(Header(22, 255, 0x44), 1, Blob(1));
        node.AddAtx(Header(23, 300, 0x45), 1, Blob(1)); // another smesher, later epoch
        node.AddAtx(Header(24, 255, 0x44), 1, Blob(1)); // a second ATX for epoch 255

        Assert.Equal([2u, 255u, 255u, 256u], node.AtxsBySmesher(me).Select(h => h.PublishEpoch));
        Assert.Equal(Id(20), node.LastAtx(me)!.Id);
        Assert.Equal(2, node.AtxIdsBySmesherInEpoch(me, 255).Count);
        Assert.Equal([Id(20)], node.AtxIdsBySmesherInEpoch(me, 256));
        Assert.Null(node.LastAtx(Smesher(0x46)));
    }

    [Fact]
    public void Previous_atx_index_finds_two_atxs_that_name_the_same_previous()
    {
        var node = NodeStore.Open(Fresh());
        var first = Header(30, 2, 0x50, initial: true);
        node.AddAtx(first, 1, Blob(1));
        node.AddAtx(Header(31, 3, 0x50, previous: first.Id), 1, Blob(1));
        Assert.Equal([Id(31)], node.AtxIdsWithPrevious(Smesher(0x50), first.Id));
        node.AddAtx(Header(32, 4, 0x50, previous: first.Id), 1, Blob(1));
        Assert.Equal(2, node.AtxIdsWithPrevious(Smesher(0x50), first.Id).Count);
        Assert.Empty(node.AtxIdsWithPrevious(Smesher(0x51), first.Id));
    }

    [Fact]
    public void Validity_update_rewrites_only_the_verdict()
    {
        var node = NodeStore.Open(Fresh());
        var header = Header(40, 5, 0x60) with { Validity = AtxValidity.Unknown };
        node.AddAtx(header, 1, Blob(40));
        Assert.True(node.SetValidity(header.Id, AtxValidity.Invalid));
        Assert.Equal(header with { Validity = AtxValidity.Invalid }, node.GetAtx(header.Id));
        Assert.False(node.SetValidity(Id(41), AtxValidity.Valid));
    }

    [Fact]
    public void Poet_proofs_builder_state_malfeasance_and_beacons_round_trip()
    {
        var node = NodeStore.Open(Fresh());
        var reference = new Hash32(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        node.PutPoetProof(reference, [1, 2, 3]);
        Assert.Equal([1, 2, 3], node.GetPoetProof(reference));
        Assert.Null(node.GetPoetProof(Hash32.Zero));

        var me = Smesher(0x70);
        Assert.Null(node.GetBuilderState(me));
        node.PutBuilderState(me, 3, [9, 8]);
        node.PutBuilderState(me, 4, [7]);
        var state = node.GetBuilderState(me)!;
        Assert.Equal(4u, state.Version);
        Assert.Equal([7], state.State.ToArray());
        node.DeleteBuilderState(me);
        Assert.Null(node.GetBuilderState(me));

        var when = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_123_456);
        Assert.False(node.IsMalicious(me));
        Assert.True(node.AddMalfeasanceProof(me, 1, when, [5, 5]));
        Assert.False(node.AddMalfeasanceProof(me, 2, when, [6]));
        var proof = node.GetMalfeasanceProof(me)!;
        Assert.Equal((1, when), (proof.Domain, proof.Received));
        Assert.Equal([5, 5], proof.Proof.ToArray());
        Assert.True(node.IsMalicious(me));

        node.PutBeacon(300, [1, 2, 3, 4]);
        Assert.Equal([1, 2, 3, 4], node.GetBeacon(300));
        Assert.Null(node.GetBeacon(301));
        Assert.Throws<ArgumentException>(() => node.PutBeacon(1, [1, 2, 3]));
    }

    [Fact]
    public void Consistency_check_passes_on_a_store_the_node_wrote_and_names_each_kind_of_damage()
    {
        var kv = Fresh();
        var node = NodeStore.Open(kv);
        var a = Header(50, 7, 0x80, initial: true);
        var b = Header(51, 8, 0x80, previous: a.Id);
        node.AddAtx(a, 1, Blob(50));
        node.AddAtx(b, 1, Blob(51));
        var report = node.CheckConsistency();
        Assert.True(report.IsConsistent, string.Join("; ", report.Problems));
        Assert.Equal(2, report.AtxCount);

        kv.GetColumn(NodeColumns.AtxBlobs).Delete(a.Id.Span);                       // header without blob
        kv.GetColumn(NodeColumns.AtxsByPrevious).Put([.. b.SmesherId.Span, .. Id(99).Span, .. Id(98).Span], []); // dangling index
        var e = Header(52, 9, 0x80);
        kv.GetColumn(NodeColumns.Atxs).Put(e.Id.Span, e.Encode());                   // header without indexes or blob
        report = node.CheckConsistency();
        Assert.False(report.IsConsistent);
        Assert.Contains(report.Problems, p => p.Contains($"ATX {a.Id} has a header but no blob"));
        Assert.Contains(report.Problems, p => p.Contains($"previous-ATX index entry of {Id(98)} has no header"));
        Assert.Contains(report.Problems, p => p.Contains($"ATX {e.Id} is missing from the epoch index"));
        Assert.Contains(report.Problems, p => p.Contains($"ATX {e.Id} is missing from the smesher index"));
    }

    [Fact]
    public void Header_decoding_refuses_an_unknown_format_or_length()
    {
        var bytes = Header(60, 1, 1).Encode();
        bytes[0] = 9;
        Assert.Throws<InvalidDataException>(() => AtxHeader.Decode(bytes));
        Assert.Throws<InvalidDataException>(() => AtxHeader.Decode(Header(60, 1, 1).Encode().AsSpan(1)));
    }
}

/// <summary>The contract over <see cref="InMemoryKeyValueStore"/>.</summary>
public sealed class InMemoryNodeStoreTests : NodeStoreContract
{
    protected override IKeyValueStore CreateStore() => new InMemoryKeyValueStore(NodeColumns.All);
}
