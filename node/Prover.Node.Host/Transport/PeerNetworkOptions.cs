using System.Net;
using Prover.Node.Genesis;
using Prover.Node.Transport;

namespace Prover.Node.Host.Transport;

/// <summary>
/// Settings of a <see cref="PeerNetwork"/>. The defaults suit a small devnet of trusted machines; tests shorten the
/// timings.
/// <para>
/// Size limits per topic (a larger payload is refused and counts against its sender): <see cref="Topics.Atx"/> 64 KiB
/// (a V1 ATX with its NIPoST is a few KiB; V2 with marriages more), <see cref="Topics.Proposal"/> 32 KiB,
/// <see cref="Topics.Malfeasance"/> 32 KiB (an invalid-PoST-index proof carries an ATX), <see cref="Topics.Hare"/>
/// 16 KiB, any other topic <see cref="DefaultTopicLimit"/> (16 KiB). Requests are at most
/// <see cref="MaxRequestSize"/> (64 KiB), responses <see cref="MaxResponseSize"/> (8 MiB: an epoch's ATX ids).
/// </para>
/// </summary>
public sealed record PeerNetworkOptions
{
    /// <summary>The network's genesis id: a peer that says another one is refused.</summary>
    public required GenesisId GenesisId { get; init; }

    /// <summary>Where to accept connections (port 0: any free port; the bound one is <see cref="PeerNetwork.Self"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The peers to dial, as <c>host:port</c> (each is also its <see cref="PeerId"/>). Dialed with backoff and
    /// redialed whenever the connection ends.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>Size limits by topic, in bytes (see the type's remarks).</summary>
    public IReadOnlyDictionary<string, int> TopicLimits { get; init; } = DefaultTopicLimits;

    /// <summary>The size limit of a topic missing from <see cref="TopicLimits"/>.</summary>
    public int DefaultTopicLimit { get; init; } = 16 << 10;

    /// <summary>The largest request payload accepted.</summary>
    public int MaxRequestSize { get; init; } = 64 << 10;

    /// <summary>The largest response payload sent or accepted.</summary>
    public int MaxResponseSize { get; init; } = 8 << 20;

    /// <summary>How long a request waits for its response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before redialing a peer; doubled after each failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between dials of one peer.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2 keep-alive ping interval and timeout: how soon a dead connection (a partition) is noticed.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Per-peer sustained rate of inbound messages (gossip and requests) per second.</summary>
    public double MessagesPerSecond { get; init; } = 1000;

    /// <summary>Per-peer burst of inbound messages.</summary>
    public double MessageBurst { get; init; } = 2000;

    /// <summary>Per-peer sustained inbound bytes per second.</summary>
    public double BytesPerSecond { get; init; } = 16 << 20;

    /// <summary>Per-peer burst of inbound bytes.</summary>
    public double ByteBurst { get; init; } = 32 << 20;

    /// <summary>Penalty of a message its topic handler rejected (or whose handler threw).</summary>
    public double RejectPenalty { get; init; } = 1;

    /// <summary>Penalty of a message over the peer's rate limit.</summary>
    public double OverRatePenalty { get; init; } = 1;

    /// <summary>Penalty of a payload over its size limit.</summary>
    public double OversizedPenalty { get; init; } = 5;

    /// <summary>Penalty of a malformed frame (no kind, a second Hello, an empty or overlong topic).</summary>
    public double MalformedPenalty { get; init; } = 5;

    /// <summary>A peer whose penalty score reaches this is dropped and refused for <see cref="DropCooldown"/>.</summary>
    public double DropThreshold { get; init; } = 10;

    /// <summary>The half-life of a peer's penalty score (old offences fade).</summary>
    public TimeSpan PenaltyHalfLife { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a dropped peer is refused (and not dialed).</summary>
    public TimeSpan DropCooldown { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many message ids the seen set keeps at most (the oldest go first).</summary>
    public int SeenCapacity { get; init; } = 200_000;

    /// <summary>How long a message id stays in the seen set: a replay within this window is ignored.</summary>
    public TimeSpan SeenTtl { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Frames queued per connection, each way, before gossip to or from it is dropped.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>The clock (tests may pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The documented default topic limits.</summary>
    public static IReadOnlyDictionary<string, int> DefaultTopicLimits { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [Topics.Atx] = 64 << 10,
        [Topics.Proposal] = 32 << 10,
        [Topics.Malfeasance] = 32 << 10,
        [Topics.Hare] = 16 << 10,
    };

    /// <summary>The size limit of <paramref name="topic"/>.</summary>
    public int LimitOf(string topic) => TopicLimits.TryGetValue(topic, out int limit) ? limit : DefaultTopicLimit;
}
