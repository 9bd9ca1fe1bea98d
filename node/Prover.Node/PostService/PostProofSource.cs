using Prover.Core.Primitives;
using Prover.Core.Proving;

namespace Prover.Node.PostService;

/// <summary>
/// Where the node's ATX builder gets PoST proofs (go-spacemesh's <c>postService.Client(nodeID).Proof</c>, NODE.md §4.4):
/// the node-side PostService server for remote provers, or a local prover.
/// </summary>
public interface IPostProofSource
{
    /// <summary>Whether a prover for <paramref name="identity"/> is connected now.</summary>
    bool Connected(NodeId identity);

    /// <summary>Resolves when a prover for <paramref name="identity"/> is connected (at once if it is).</summary>
    Task WaitForConnectionAsync(NodeId identity, CancellationToken cancellationToken);

    /// <summary>The connected prover's PoST metadata (a <c>MetadataRequest</c> round trip).</summary>
    /// <exception cref="PostServiceUnavailableException">No prover for the identity is connected, or it went away.</exception>
    Task<PostInfo> InfoAsync(NodeId identity, CancellationToken cancellationToken);

    /// <summary>Asks the prover of <paramref name="identity"/> for a proof of <paramref name="challenge"/> and waits
    /// for it.</summary>
    /// <exception cref="PostServiceUnavailableException">No prover for the identity is connected, or it went away
    /// before the proof came.</exception>
    /// <exception cref="PostProofFailedException">The prover answered with an error or a malformed proof.</exception>
    Task<PostProofResult> GenerateProofAsync(NodeId identity, Challenge challenge, CancellationToken cancellationToken);
}

/// <summary>A prover's PoST metadata (the service's <c>postdata_metadata.json</c>, as <c>MetadataResponse</c>).</summary>
/// <param name="NodeId">The identity the data was initialized for.</param>
/// <param name="CommitmentAtxId">The commitment ATX of the data.</param>
/// <param name="VrfNonce">The VRF nonce found at initialization, when the data has one.</param>
/// <param name="NumUnits">Space units.</param>
/// <param name="LabelsPerUnit">Labels per unit.</param>
public sealed record PostInfo(NodeId NodeId, AtxId CommitmentAtxId, ulong? VrfNonce, uint NumUnits, ulong LabelsPerUnit);

/// <summary>A proof for a challenge, with the metadata the prover sent with it.</summary>
/// <param name="Challenge">The challenge proven (echoed by the prover and checked).</param>
/// <param name="Proof">The PoST proof.</param>
/// <param name="Info">The prover's metadata at proof time.</param>
public sealed record PostProofResult(Challenge Challenge, Proof Proof, PostInfo Info);

/// <summary>No prover is connected for an identity, or it disconnected while the node waited on it (go-spacemesh's
/// <c>ErrPostClientClosed</c> / not connected); the builder waits for a reconnection and asks again.</summary>
public sealed class PostServiceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostServiceUnavailableException() : base("no post service is connected") { }

    /// <summary>Creates the exception.</summary>
    public PostServiceUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public PostServiceUnavailableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The prover answered a proof request with an error status, a wrong challenge or a malformed proof.</summary>
public sealed class PostProofFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostProofFailedException() : base("the post service failed to generate a proof") { }

    /// <summary>Creates the exception.</summary>
    public PostProofFailedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public PostProofFailedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>What happened to a prover connection or a proof, for status displays and logs.</summary>
public enum PostServiceEventKind
{
    /// <summary>A prover registered (metadata received, identity keyed).</summary>
    Connected,

    /// <summary>A second prover for an already connected identity was refused.</summary>
    RefusedDuplicate,

    /// <summary>The prover's stream ended.</summary>
    Disconnected,

    /// <summary>The node asked for a proof.</summary>
    ProofStarted,

    /// <summary>A proof arrived and its challenge matched.</summary>
    ProofCompleted,

    /// <summary>Proving failed (error status, wrong challenge, disconnect).</summary>
    ProofFailed,
}

/// <summary>One event of the PostService server.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Identity">The identity concerned.</param>
/// <param name="Detail">Words for a log line (the failure's reason, for example).</param>
public sealed record PostServiceEvent(PostServiceEventKind Kind, NodeId Identity, string Detail);
