namespace Prover.Node.Transport;

/// <summary>
/// Connection events of a transport, for sync: a transport that implements it raises <see cref="PeerConnected"/> when a
/// peer becomes reachable (first connection or a reconnect after a restart or a healed partition).
/// </summary>
public interface IPeerEvents
{
    /// <summary>Raised when <c>peer</c> goes from no connection to a connection; handlers must not block.</summary>
    event EventHandler<PeerId>? PeerConnected;
}
