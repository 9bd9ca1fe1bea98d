namespace Prover.Node.Transport;

/// <summary>
/// The hint byte of a <see cref="Protocols.ByHash"/> request: which database the hash names (go-spacemesh's fetch
/// hints ATXDB, BallotDB, BlocksDB, ProposalDB, POETDB, malfeasance, as one byte here). Request = hint ‖ hash (32 bytes
/// for ATXs, PoET refs and node ids, 20 for ballots, blocks and proposals); response = the blob, empty when unknown.
/// </summary>
public enum FetchHint : byte
{
    /// <summary>An ATX wire blob by ATX id.</summary>
    Atx = 1,

    /// <summary>A ballot by ballot id.</summary>
    Ballot = 2,

    /// <summary>A block by block id.</summary>
    Block = 3,

    /// <summary>A proposal by proposal id.</summary>
    Proposal = 4,

    /// <summary>A PoET proof message by its reference (the PoST challenge of the ATXs that used it).</summary>
    PoetProof = 5,

    /// <summary>The malfeasance proof against a node id.</summary>
    Malfeasance = 6,
}
