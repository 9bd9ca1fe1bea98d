namespace Prover.Node.Transport;

/// <summary>What a topic's validator says about a gossiped message (libp2p pubsub's accept/ignore/reject).</summary>
public enum GossipVerdict
{
    /// <summary>Valid and new: store it, and relay it to the other peers.</summary>
    Accept,

    /// <summary>Not relayed, but the sender did nothing wrong (a duplicate, a message for a layer long past).</summary>
    Ignore,

    /// <summary>Invalid: not relayed, and it counts against the peer that sent it (enough of these drop the peer).</summary>
    Reject,
}

/// <summary>The identity of a connected peer: its listen address as configured (host:port).</summary>
public readonly record struct PeerId(string Address)
{
    /// <inheritdoc />
    public override string ToString() => Address;
}

/// <summary>Validates (and on <see cref="GossipVerdict.Accept"/> stores) one message of a topic. The sender is null
/// for a message this node publishes itself.</summary>
public delegate ValueTask<GossipVerdict> GossipHandler(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

/// <summary>Answers one request of a request/response protocol; the bytes returned are the response.</summary>
public delegate ValueTask<byte[]> RequestHandler(PeerId sender, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

/// <summary>
/// Gossip among the node's peers (go-spacemesh's pubsub, NODE.md §3.2). A message is identified by the BLAKE3 hash of
/// its topic and payload; each node handles a message once, runs the topic's handler before relaying, and relays only
/// what the handler accepted. Payloads keep go-spacemesh's SCALE encodings.
/// </summary>
public interface IGossip
{
    /// <summary>Sets the handler for <paramref name="topic"/> (one per topic). Messages on a topic without a handler
    /// are ignored.</summary>
    void Subscribe(string topic, GossipHandler handler);

    /// <summary>Runs the local handler on <paramref name="payload"/> and, if it accepts, sends it to every peer.
    /// Returns the local verdict.</summary>
    ValueTask<GossipVerdict> PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

/// <summary>Request/response between peers (go-spacemesh's fetch protocols, NODE.md §3.2), used to sync.</summary>
public interface IRequester
{
    /// <summary>The peers connected now.</summary>
    IReadOnlyList<PeerId> Peers { get; }

    /// <summary>Registers the handler of <paramref name="protocol"/> (one per protocol).</summary>
    void Handle(string protocol, RequestHandler handler);

    /// <summary>Sends <paramref name="request"/> to <paramref name="peer"/> and returns its response. Throws
    /// <see cref="PeerRequestException"/> when the peer is gone, times out, has no such protocol or fails.</summary>
    Task<byte[]> RequestAsync(PeerId peer, string protocol, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);
}

/// <summary>A request to a peer failed (unreachable, timed out, unknown protocol, or the handler threw).</summary>
public sealed class PeerRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerRequestException() { }

    /// <summary>Creates the exception with a message.</summary>
    public PeerRequestException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PeerRequestException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Gossip topics (go-spacemesh's names, NODE.md §3.2).</summary>
public static class Topics
{
    /// <summary>ATX blobs.</summary>
    public const string Atx = "ax1";

    /// <summary>Proposals (each carries its ballot).</summary>
    public const string Proposal = "pp1";

    /// <summary>Hare3 messages.</summary>
    public const string Hare = "/h/3.0";

    /// <summary>Malfeasance proofs.</summary>
    public const string Malfeasance = "mp1";
}

/// <summary>Request/response protocols (go-spacemesh's names where one exists, NODE.md §3.2).</summary>
public static class Protocols
{
    /// <summary>Fetch by hash with a hint (ATX, ballot, block, proposal, PoET proof, malfeasance): request = hint u8 ‖
    /// hash; response = the blob or empty.</summary>
    public const string ByHash = "hs/1";

    /// <summary>The ATX ids of a publish epoch: request = epoch u32 LE; response = SCALE vector of 32-byte ids.</summary>
    public const string AtxIdsByEpoch = "ax/1";

    /// <summary>A layer's ballots and block ids: request = layer u32 LE.</summary>
    public const string LayerData = "ld/1";

    /// <summary>The identities with a malfeasance proof: response = SCALE vector of 32-byte node ids.</summary>
    public const string MalfeasanceIds = "ml/1";
}
