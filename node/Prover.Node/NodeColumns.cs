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

    /// <summary>Applied layers (<see cref="Storage.ConsensusStore"/>): layer u32 BE → format u8 ‖ flags u8 ‖ blockId[20] ‖
    /// stateHash[32] ‖ the layer's delta (account changes and rewards, so the layer can be reverted exactly).</summary>
    public const string Layers = "layer";

    /// <summary>Blocks by id: blockId[20] → validity u8 ‖ SCALE block.</summary>
    public const string Blocks = "block";

    /// <summary>Index: layer u32 BE ‖ blockId[20] → empty.</summary>
    public const string BlocksByLayer = "block_by_layer";

    /// <summary>Ballots by id: ballotId[20] → layer u32 BE ‖ wire blob.</summary>
    public const string Ballots = "ballot";

    /// <summary>Index: layer u32 BE ‖ ballotId[20] → empty.</summary>
    public const string BallotsByLayer = "ballot_by_layer";

    /// <summary>Proposals by id: proposalId[20] → layer u32 BE ‖ wire blob (go-spacemesh keeps them in memory only;
    /// here they survive a restart within the layers not yet applied).</summary>
    public const string Proposals = "proposal";

    /// <summary>Index: layer u32 BE ‖ proposalId[20] → empty.</summary>
    public const string ProposalsByLayer = "proposal_by_layer";

    /// <summary>Hare outputs: layer u32 BE → blockId[20] of the block built from it (all zero: empty layer).</summary>
    public const string HareOutputs = "hare_output";

    /// <summary>Account balances: address[24] → balance u64 BE (absent: 0).</summary>
    public const string Accounts = "account";

    /// <summary>Rewards paid: address[24] ‖ layer u32 BE ‖ atxid[32] → amount u64 BE.</summary>
    public const string Rewards = "reward";

    /// <summary>Every column family the node opens, in a fixed order (the default column is implicit).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        AtxBlobs, Atxs, AtxsByEpoch, AtxsBySmesher, AtxsByPrevious, PoetProofs, NipostState, Malicious, Beacons,
        Layers, Blocks, Ballots, BlocksByLayer, BallotsByLayer, Proposals, ProposalsByLayer, HareOutputs, Accounts,
        Rewards,
    ];
}
