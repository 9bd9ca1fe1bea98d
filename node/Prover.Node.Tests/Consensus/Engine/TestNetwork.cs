using Prover.Node.Transport;
using Xunit;

namespace Prover.Node.Tests.Consensus.Engine;

/// <summary>
/// An in-process network of <see cref="TestPeer"/>s with the transport contract of <see cref="IGossip"/> and
/// <see cref="IRequester"/>: each peer handles a message once (by hash of topic and payload), runs its handler before
/// relaying, and relays only what the handler accepted. Delivery is synchronous (a publish returns when every reachable
/// peer has handled and relayed the message), so tests step consensus without clocks or sleeps. Links can be cut
/// (<see cref="Isolate"/>) and healed (<see cref="Heal"/>); a cut link drops gossip and fails requests.
/// </summary>
public sealed class TestNetwork
{
    private readonly List<TestPeer> _peers = [];
    private readonly HashSet<(TestPeer, TestPeer)> _cut = [];
    private readonly Lock _gate = new();

    /// <summary>Called for every message a peer handles, with the peer and the verdict.</summary>
    public event Action<TestPeer, string, byte[], GossipVerdict>? Handled;

    /// <summary>Adds a peer.</summary>
    public TestPeer Join(string name)
    {
        var peer = new TestPeer(this, new PeerId(name));
        lock (_gate) _peers.Add(peer);
        return peer;
    }

    /// <summary>Cuts every link between <paramref name="peer"/> and the others.</summary>
    public void Isolate(TestPeer peer)
    {
        lock (_gate)
        {
            foreach (var other in _peers.Where(p => p != peer))
            {
                _cut.Add((peer, other));
                _cut.Add((other, peer));
            }
        }
    }

    /// <summary>Restores every link.</summary>
    public void Heal()
    {
        lock (_gate) _cut.Clear();
    }

    /// <summary>Delivers one message from <paramref name="from"/> to <paramref name="to"/> alone (it relays it on if
    /// its handler accepts), as a peer that shows different messages to different peers would.</summary>
    public ValueTask<GossipVerdict> SendAsync(TestPeer from, TestPeer to, string topic, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(to);
        lock (_gate)
        {
            if (!_peers.Contains(from) || !_peers.Contains(to)) throw new ArgumentException("both peers must be on this network");
        }

        return to.DeliverAsync(from, topic, payload, CancellationToken.None);
    }

    internal IReadOnlyList<TestPeer> Reachable(TestPeer from)
    {
        lock (_gate) return [.. _peers.Where(p => p != from && !_cut.Contains((from, p)))];
    }

    internal TestPeer? Find(PeerId id)
    {
        lock (_gate) return _peers.FirstOrDefault(p => p.Id == id);
    }

    internal void OnHandled(TestPeer peer, string topic, byte[] payload, GossipVerdict verdict) => Handled?.Invoke(peer, topic, payload, verdict);
}

/// <summary>One node's end of a <see cref="TestNetwork"/>.</summary>
public sealed class TestPeer : IGossip, IRequester
{
    private readonly TestNetwork _network;
    private readonly Dictionary<string, GossipHandler> _topics = [];
    private readonly Dictionary<string, RequestHandler> _protocols = [];
    private readonly HashSet<string> _seen = [];
    private readonly Lock _gate = new();

    internal TestPeer(TestNetwork network, PeerId id)
    {
        _network = network;
        Id = id;
    }

    /// <summary>This peer's id.</summary>
    public PeerId Id { get; }

    /// <inheritdoc/>
    public IReadOnlyList<PeerId> Peers => [.. _network.Reachable(this).Select(p => p.Id)];

    /// <inheritdoc/>
    public void Subscribe(string topic, GossipHandler handler)
    {
        lock (_gate) _topics[topic] = handler;
    }

    /// <inheritdoc/>
    public void Handle(string protocol, RequestHandler handler)
    {
        lock (_gate) _protocols[protocol] = handler;
    }

    /// <summary>Removes every handler (the process is gone): messages are dropped, requests fail.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _topics.Clear();
            _protocols.Clear();
        }
    }

    /// <summary>Forgets which messages were handled (a restarted process).</summary>
    public void ForgetSeen()
    {
        lock (_gate) _seen.Clear();
    }

    /// <inheritdoc/>
    public ValueTask<GossipVerdict> PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        DeliverAsync(null, topic, payload.ToArray(), cancellationToken);

    /// <inheritdoc/>
    public async Task<byte[]> RequestAsync(PeerId peer, string protocol, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var target = _network.Reachable(this).FirstOrDefault(p => p.Id == peer)
            ?? throw new PeerRequestException($"peer {peer} is not reachable");
        RequestHandler? handler;
        lock (target._gate) target._protocols.TryGetValue(protocol, out handler);
        if (handler is null) throw new PeerRequestException($"peer {peer} has no protocol {protocol}");
        try
        {
            return await handler(Id, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PeerRequestException($"peer {peer} failed: {e.Message}", e);
        }
    }

    internal async ValueTask<GossipVerdict> DeliverAsync(TestPeer? from, string topic, byte[] payload, CancellationToken ct)
    {
        GossipHandler? handler;
        lock (_gate)
        {
            if (!_seen.Add(topic + ":" + Convert.ToHexString(Core.Crypto.Blake3.HashParts(payload)))) return GossipVerdict.Ignore;
            _topics.TryGetValue(topic, out handler);
        }

        if (handler is null) return GossipVerdict.Ignore;
        GossipVerdict verdict;
        try
        {
            verdict = await handler(from?.Id, payload, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Assert.Fail($"{Id}: the {topic} handler threw {e}");
            throw;
        }

        _network.OnHandled(this, topic, payload, verdict);
        if (verdict != GossipVerdict.Accept) return verdict;
        foreach (var peer in _network.Reachable(this))
        {
            if (peer != from) await peer.DeliverAsync(this, topic, payload, ct).ConfigureAwait(false);
        }

        return verdict;
    }

    /// <inheritdoc/>
    public override string ToString() => Id.ToString();
}
