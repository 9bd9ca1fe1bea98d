namespace Prover.Node;

/// <summary>
/// The column families of the node's database, one per kind of record (as go-spacemesh keeps one table per kind).
/// The names are part of the on-disk format: renaming one orphans its data.
/// </summary>
public static class NodeColumns
{
    /// <summary>Activation transactions by ATX id.</summary>
    public const string Atxs = "atxs";

    /// <summary>PoET proofs by PoET reference.</summary>
    public const string PoetProofs = "poet-proofs";

    /// <summary>This node's NIPoST build state per identity, so a restart resumes where it stopped.</summary>
    public const string NipostState = "nipost-state";

    /// <summary>Ballots and blocks by layer and id.</summary>
    public const string Consensus = "consensus";

    /// <summary>Every column family the node opens, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } = [Atxs, PoetProofs, NipostState, Consensus];
}
