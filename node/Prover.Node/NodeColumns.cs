namespace Prover.Node;

/// <summary>
/// The column families of the node's database, one per kind of record and one per index (NODE.md §5.2; go-spacemesh
/// keeps one SQLite table per kind). The names are part of the on-disk format: renaming one orphans its data, so a
/// rename goes with a new <see cref="Storage.NodeStore.SchemaVersion"/>. Integers inside keys are big-endian so that
/// key order is numeric order.
/// </summary>
public static class NodeColumns
{
    /// <summary>Database-wide records such as the schema version (RocksDB's own default column family).</summary>
    public const string Meta = "default";

    /// <summary>ATX wire blobs: atxid[32] → blob format u8 ‖ wire bytes.</summary>
    public const string AtxBlobs = "atx_blob";

    /// <summary>ATX header records (<see cref="Storage.AtxHeader"/>): atxid[32] → header.</summary>
    public const string Atxs = "atx";

    /// <summary>Index: publishEpoch u32 BE ‖ atxid[32] → empty.</summary>
    public const string AtxsByEpoch = "atx_by_epoch";

    /// <summary>Index: smesher node id[32] ‖ publishEpoch u32 BE ‖ atxid[32] → empty.</summary>
    public const string AtxsBySmesher = "atx_by_node";

    /// <summary>Index: smesher node id[32] ‖ previous atxid[32] ‖ atxid[32] → empty (two entries on one prefix:
    /// malfeasance).</summary>
    public const string AtxsByPrevious = "atx_by_prev";

    /// <summary>PoET proofs by PoET reference: ref[32] → proof bytes.</summary>
    public const string PoetProofs = "poet";

    /// <summary>This node's NIPoST/ATX builder state per identity: node id[32] → version u32 BE ‖ state bytes, so a
    /// restart resumes where it stopped.</summary>
    public const string NipostState = "nipost_state";

    /// <summary>Malfeasance proofs by identity: node id[32] → domain u8 ‖ received i64 BE ‖ proof.</summary>
    public const string Malicious = "malicious";

    /// <summary>Beacons by epoch: epoch u32 BE → beacon[4].</summary>
    public const string Beacons = "beacon";

    /// <summary>Layers by layer number (reserved for consensus): layer u32 BE → layer record.</summary>
    public const string Layers = "layer";

    /// <summary>Blocks by id (reserved for consensus): blockId[20] → validity u8 ‖ blob.</summary>
    public const string Blocks = "block";

    /// <summary>Ballots by id (reserved for consensus): ballotId[20] → blob.</summary>
    public const string Ballots = "ballot";

    /// <summary>Every column family the node opens, in a fixed order (the default column is implicit).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        AtxBlobs, Atxs, AtxsByEpoch, AtxsBySmesher, AtxsByPrevious, PoetProofs, NipostState, Malicious, Beacons,
        Layers, Blocks, Ballots,
    ];
}
