using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Primitives;
using Prover.Node.Host.Transport.Wire;
using Prover.Node.Transport;

namespace Prover.Node.Host.Transport;

/// <summary>
/// Gossip and request/response between our node processes over gRPC (<c>prover.node.v1.Peer</c>, one bidirectional
/// stream per connection; NODE.md §3.2 with gRPC in place of libp2p). It hosts the service on its own Kestrel listener
/// and dials the configured peers, redialing with exponential backoff whenever a connection ends (a peer restarted, a
/// partition healed). A handshake exchanges <c>Hello</c>; a peer of another genesis or protocol version is refused.
/// <para>
/// Gossip: a message is identified by BLAKE3(topic ‖ payload) and handled once: a bounded, time-limited seen set drops
/// duplicates and replays. The topic's handler runs before any relay, and only an accepted message is relayed, to
/// every peer but the one it came from; this node's own publications go through its handler first. Per-topic size
/// limits and per-peer token buckets (messages/s, bytes/s) guard the handlers. A rejected, malformed, oversized or
/// over-rate message adds to the sender's penalty score (which halves every <see cref="PeerNetworkOptions.PenaltyHalfLife"/>);
/// at <see cref="PeerNetworkOptions.DropThreshold"/> the peer is disconnected and refused for
/// <see cref="PeerNetworkOptions.DropCooldown"/>.
/// </para>
/// </summary>
public sealed partial class PeerNetwork : IGossip, IRequester, IPeerEvents, IAsyncDisposable
{
    /// <summary>The transport protocol version sent in <c>Hello</c>; a peer with another one is refused.</summary>
    public const uint ProtocolVersion = 1;

    /// <summary>The longest topic or protocol name accepted.</summary>
    public const int MaxNameLength = 64;

    private readonly PeerNetworkOptions _o;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, GossipHandler> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RequestHandler> _protocols = new(StringComparer.Ordinal);
    private readonly SeenSet _seen;
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerId, PeerState> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _dialers = [];
    private readonly List<GrpcChannel> _channels = [];
    private WebApplication? _app;
    private Hello _hello = null!;
    private long _nextRequestId, _accepted, _ignored, _rejected, _duplicates, _relayed, _dropped, _penalties;

    private PeerNetwork(PeerNetworkOptions options, ILoggerFactory? loggers)
    {
        _o = options;
        _time = options.Time;
        _log = loggers?.CreateLogger<PeerNetwork>() ?? (ILogger)NullLogger.Instance;
        _seen = new SeenSet(options.SeenCapacity, options.SeenTtl, _time);
    }

    /// <summary>This node's peer id: the bound listen address (<c>host:port</c>).</summary>
    public PeerId Self { get; private set; }

    /// <inheritdoc />
    public event EventHandler<PeerId>? PeerConnected;

    /// <summary>Received messages the topic handler accepted (and that were relayed), plus own accepted publications.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Messages the handler ignored, or on a topic without a handler.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Messages the handler rejected (or whose handler threw).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Messages dropped unhandled because their id was already in the seen set (duplicates, replays).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Copies of accepted messages sent to peers (one per peer).</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Peers dropped for misbehaviour.</summary>
    public long DroppedPeers => Interlocked.Read(ref _dropped);

    /// <summary>Penalties given (rejected, malformed, oversized, over-rate).</summary>
    public long Penalties => Interlocked.Read(ref _penalties);

    /// <inheritdoc />
    public IReadOnlyList<PeerId> Peers
    {
        get
        {
            lock (_gate) return [.. _peers.Values.Where(p => p.Links.Count > 0).Select(p => p.Id).OrderBy(p => p.Address, StringComparer.Ordinal)];
        }
    }

    /// <summary>Starts listening on <see cref="PeerNetworkOptions.Listen"/> and dialing the configured peers.</summary>
    public static async Task<PeerNetwork> StartAsync(PeerNetworkOptions options, ILoggerFactory? loggers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var network = new PeerNetwork(options, loggers);
        await network.ListenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var address in options.Peers.Distinct(StringComparer.Ordinal))
        {
            if (address != network.Self.Address) network._dialers.Add(network.DialLoopAsync(new PeerId(address)));
        }

        return network;
    }

    /// <summary>The gossip message id: BLAKE3(UTF-8 topic ‖ payload).</summary>
    public static Hash32 MessageId(string topic, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Span<byte> id = stackalloc byte[Hash32.Length];
        using var hasher = Prover.Core.Crypto.Blake3.CreateHasher();
        hasher.Update(Encoding.UTF8.GetBytes(topic));
        hasher.Update(payload);
        hasher.Finalize(id);
        return new Hash32(id);
    }

    /// <summary>Whether <paramref name="peer"/> is dropped (refused) now.</summary>
    public bool IsDropped(PeerId peer)
    {
        lock (_gate) return _peers.TryGetValue(peer, out var state) && state.BannedUntil > _time.GetTimestamp();
    }

    /// <summary>Waits until at least <paramref name="count"/> peers are connected.</summary>
    public async Task WaitForPeersAsync(int count, CancellationToken cancellationToken)
    {
        while (Peers.Count < count) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Subscribe(string topic, GossipHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_topics.TryAdd(topic, handler)) throw new InvalidOperationException($"topic {topic} already has a handler");
    }

    /// <inheritdoc />
    public void Handle(string protocol, RequestHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_protocols.TryAdd(protocol, handler)) throw new InvalidOperationException($"protocol {protocol} already has a handler");
    }

    /// <inheritdoc />
    public async ValueTask<GossipVerdict> PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (payload.Length > _o.LimitOf(topic))
        {
            LogOwnOversized(_log, topic, payload.Length, _o.LimitOf(topic));
            return GossipVerdict.Reject;
        }

        if (!_seen.TryAdd(MessageId(topic, payload.Span)))
        {
            Interlocked.Increment(ref _duplicates);
            return GossipVerdict.Ignore;
        }

        var verdict = await RunHandlerAsync(null, topic, payload, cancellationToken).ConfigureAwait(false);
        if (verdict == GossipVerdict.Accept) Relay(topic, ByteString.CopyFrom(payload.Span), null);
        return verdict;
    }

    /// <inheritdoc />
    public async Task<byte[]> RequestAsync(PeerId peer, string protocol, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        if (request.Length > _o.MaxRequestSize)
        {
            throw new PeerRequestException($"a {protocol} request of {request.Length} bytes is over the {_o.MaxRequestSize}-byte limit");
        }

        Link? link;
        lock (_gate) link = _peers.TryGetValue(peer, out var state) && state.Links.Count > 0 ? state.Links[^1] : null;
        if (link is null) throw new PeerRequestException($"peer {peer} is not connected");

        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        var response = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Pending[id] = response;
        try
        {
            if (link.Closed) throw new PeerRequestException($"the connection to {peer} closed");
            var frame = new Frame { Request = new Request { Id = id, Protocol = protocol, Payload = ByteString.CopyFrom(request.Span) } };
            await link.Outgoing.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            return await response.Task.WaitAsync(_o.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new PeerRequestException($"{protocol} request to {peer} timed out after {_o.RequestTimeout.TotalSeconds:0.###} s", e);
        }
        catch (ChannelClosedException e)
        {
            throw new PeerRequestException($"the connection to {peer} closed", e);
        }
        finally
        {
            link.Pending.TryRemove(id, out _);
        }
    }

    /// <summary>Stops dialing, closes every connection and the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        List<Link> links;
        lock (_gate) links = [.. _peers.Values.SelectMany(p => p.Links)];
        foreach (var link in links) link.Close();
        try
        {
            await Task.WhenAll(_dialers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_app is not null)
        {
            using (var now = new CancellationTokenSource())
            {
                await now.CancelAsync().ConfigureAwait(false);
                try
                {
                    await _app.StopAsync(now.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var channel in _channels) channel.Dispose();
        _stop.Dispose();
    }

    // ---- listening and dialing ----

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        int frameLimit = Math.Max(_o.MaxResponseSize, Math.Max(_o.DefaultTopicLimit, _o.TopicLimits.Values.DefaultIfEmpty(0).Max())) + 4096;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(_o.Listen, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.KeepAlivePingDelay = _o.KeepAlive;
            kestrel.Limits.Http2.KeepAlivePingTimeout = _o.KeepAlive;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = frameLimit;
            grpc.MaxSendMessageSize = frameLimit;
        });
        builder.Services.AddSingleton(this);
        var app = builder.Build();
        app.MapGrpcService<PeerEndpoint>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Self = new PeerId(new IPEndPoint(_o.Listen.Address, bound.Port).ToString());
        _hello = new Hello { GenesisId = ByteString.CopyFrom(_o.GenesisId.Span), ListenAddress = Self.Address, Version = ProtocolVersion };
        LogListening(_log, Self.Address);
    }

    private async Task DialLoopAsync(PeerId peer)
    {
        await Task.Yield();
        int frameLimit = Math.Max(_o.MaxResponseSize, Math.Max(_o.DefaultTopicLimit, _o.TopicLimits.Values.DefaultIfEmpty(0).Max())) + 4096;
        var channel = GrpcChannel.ForAddress("http://" + peer.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = _o.HandshakeTimeout,
                KeepAlivePingDelay = _o.KeepAlive,
                KeepAlivePingTimeout = _o.KeepAlive,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = frameLimit,
            MaxSendMessageSize = frameLimit,
        });
        lock (_gate) _channels.Add(channel);
        var client = new Wire.Peer.PeerClient(channel);
        var stop = _stop.Token;
        var backoff = _o.InitialBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var banned = BannedFor(peer);
                if (banned > TimeSpan.Zero)
                {
                    await Task.Delay(banned, _time, stop).ConfigureAwait(false);
                    continue;
                }

                using var call = client.Connect(cancellationToken: stop);
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    handshake.CancelAfter(_o.HandshakeTimeout);
                    await call.RequestStream.WriteAsync(new Frame { Hello = _hello }, handshake.Token).ConfigureAwait(false);
                    if (!await call.ResponseStream.MoveNext(handshake.Token).ConfigureAwait(false)) throw new IOException("the peer closed the stream during the handshake");
                    var refusal = Refusal(call.ResponseStream.Current.Hello);
                    if (refusal is not null)
                    {
                        LogRefusedPeer(_log, peer.Address, refusal);
                        throw new IOException(refusal);
                    }
                }

                var link = new Link(GetState(peer), outbound: true, _o.QueueCapacity, stop);
                if (Register(link))
                {
                    backoff = _o.InitialBackoff;
                    await RunLinkAsync(link, call.ResponseStream, call.RequestStream).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // any failure of one dial (refused, reset, timed out) just means: wait and dial again
            catch (Exception e)
            {
                LogDialFailed(_log, peer.Address, e);
            }
#pragma warning restore CA1031

            try
            {
                await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _o.MaxBackoff.Ticks));
        }
    }

    private async Task AcceptAsync(IAsyncStreamReader<Frame> requests, IServerStreamWriter<Frame> responses, ServerCallContext context)
    {
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stop.Token);
        handshake.CancelAfter(_o.HandshakeTimeout);
        Hello? hello;
        try
        {
            if (!await requests.MoveNext(handshake.Token).ConfigureAwait(false)) return;
            hello = requests.Current.Hello;
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "no Hello within the handshake timeout"));
        }

        var refusal = Refusal(hello);
        if (refusal is not null)
        {
            LogRefusedPeer(_log, hello?.ListenAddress ?? context.Peer, refusal);
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }

        var peer = new PeerId(hello!.ListenAddress);
        var banned = BannedFor(peer);
        if (banned > TimeSpan.Zero)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{peer} is dropped for another {banned.TotalSeconds:0} s"));
        }

        await responses.WriteAsync(new Frame { Hello = _hello }, handshake.Token).ConfigureAwait(false);
        var link = new Link(GetState(peer), outbound: false, _o.QueueCapacity, CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stop.Token).Token);
        if (!Register(link)) throw new RpcException(new Status(StatusCode.PermissionDenied, $"{peer} is dropped"));
        await RunLinkAsync(link, requests, responses).ConfigureAwait(false);
    }

    private string? Refusal(Hello? hello)
    {
        if (hello is null) return "the first frame is not a Hello";
        if (!hello.GenesisId.Span.SequenceEqual(_o.GenesisId.Span))
        {
            return $"genesis {Convert.ToHexStringLower(hello.GenesisId.Span)} is not this network's {_o.GenesisId}";
        }

        if (hello.Version != ProtocolVersion) return $"protocol version {hello.Version}, expected {ProtocolVersion}";
        if (string.IsNullOrEmpty(hello.ListenAddress) || hello.ListenAddress.Length > 256) return "no listen address";
        if (hello.ListenAddress == Self.Address) return "a connection to itself";
        return null;
    }

    // ---- connections ----

    private PeerState GetState(PeerId peer)
    {
        lock (_gate)
        {
            if (!_peers.TryGetValue(peer, out var state))
            {
                state = new PeerState(peer, _o);
                _peers[peer] = state;
            }

            return state;
        }
    }

    private TimeSpan BannedFor(PeerId peer)
    {
        lock (_gate)
        {
            if (!_peers.TryGetValue(peer, out var state)) return TimeSpan.Zero;
            long now = _time.GetTimestamp();
            return state.BannedUntil > now ? _time.GetElapsedTime(now, state.BannedUntil) : TimeSpan.Zero;
        }
    }

    private bool Register(Link link)
    {
        bool first;
        lock (_gate)
        {
            if (link.Peer.BannedUntil > _time.GetTimestamp() || _stop.IsCancellationRequested) return false;
            link.Peer.Links.Add(link);
            first = link.Peer.Links.Count == 1;
        }

        LogConnected(_log, link.Peer.Id.Address, link.Outbound ? "dialed" : "accepted");
        if (first && PeerConnected is { } handlers)
        {
            var peer = link.Peer.Id;
            _ = Task.Run(() =>
            {
                try
                {
                    handlers(this, peer);
                }
#pragma warning disable CA1031 // a subscriber's failure must not end the transport
                catch (Exception e)
                {
                    LogEventFailed(_log, peer.Address, e);
                }
#pragma warning restore CA1031
            });
        }

        return true;
    }

    private async Task RunLinkAsync(Link link, IAsyncStreamReader<Frame> reader, IAsyncStreamWriter<Frame> writer)
    {
        var writing = WriteLoopAsync(link, writer);
        var handling = GossipLoopAsync(link);
        try
        {
            while (await reader.MoveNext(link.Token).ConfigureAwait(false))
            {
                Dispatch(link, reader.Current);
                if (link.Closed) break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            Penalize(link.Peer, _o.OversizedPenalty, "a frame over the message size limit");
        }
#pragma warning disable CA1031 // a reset or aborted stream ends this connection; the dial loop redials
        catch (Exception e)
        {
            LogLinkFailed(_log, link.Peer.Id.Address, e);
        }
#pragma warning restore CA1031
        finally
        {
            bool last;
            lock (_gate)
            {
                link.Peer.Links.Remove(link);
                last = link.Peer.Links.Count == 0;
            }

            link.Close();
            await Task.WhenAll(writing, handling).ConfigureAwait(false);
            LogDisconnected(_log, link.Peer.Id.Address, last);
        }
    }

    private static async Task WriteLoopAsync(Link link, IAsyncStreamWriter<Frame> writer)
    {
        try
        {
            await foreach (var frame in link.Outgoing.Reader.ReadAllAsync(link.Token).ConfigureAwait(false))
            {
                await writer.WriteAsync(frame, link.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // the stream failed or closed: the reader side ends the connection
        catch (Exception)
        {
            link.Close();
        }
#pragma warning restore CA1031
    }

    private async Task GossipLoopAsync(Link link)
    {
        try
        {
            await foreach (var (topic, payload) in link.Inbox.Reader.ReadAllAsync(link.Token).ConfigureAwait(false))
            {
                var verdict = await RunHandlerAsync(link.Peer.Id, topic, payload.Memory, link.Token).ConfigureAwait(false);
                if (verdict == GossipVerdict.Accept) Relay(topic, payload, link.Peer.Id);
                else if (verdict == GossipVerdict.Reject) Penalize(link.Peer, _o.RejectPenalty, $"a rejected {topic} message");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- frames ----

    private void Dispatch(Link link, Frame frame)
    {
        switch (frame.KindCase)
        {
            case Frame.KindOneofCase.Publish:
                OnPublish(link, frame.Publish);
                break;
            case Frame.KindOneofCase.Request:
                OnRequest(link, frame.Request);
                break;
            case Frame.KindOneofCase.Response:
                if (link.Pending.TryRemove(frame.Response.Id, out var pending))
                {
                    if (frame.Response.Error.Length > 0) pending.TrySetException(new PeerRequestException($"{link.Peer.Id}: {frame.Response.Error}"));
                    else pending.TrySetResult(frame.Response.Payload.ToByteArray());
                }

                break;
            default:
                Penalize(link.Peer, _o.MalformedPenalty, $"a frame of kind {frame.KindCase}");
                break;
        }
    }

    private void OnPublish(Link link, Publish publish)
    {
        string topic = publish.Topic;
        int size = publish.Payload.Length;
        if (topic.Length is 0 or > MaxNameLength)
        {
            Penalize(link.Peer, _o.MalformedPenalty, "a message without a valid topic");
            return;
        }

        if (size > _o.LimitOf(topic))
        {
            Penalize(link.Peer, _o.OversizedPenalty, $"a {topic} message of {size} bytes (limit {_o.LimitOf(topic)})");
            return;
        }

        if (!WithinRate(link.Peer, size))
        {
            Penalize(link.Peer, _o.OverRatePenalty, "messages over its rate limit");
            return;
        }

        if (!_seen.TryAdd(MessageId(topic, publish.Payload.Span)))
        {
            Interlocked.Increment(ref _duplicates);
            return;
        }

        if (!link.Inbox.Writer.TryWrite((topic, publish.Payload)))
        {
            Penalize(link.Peer, _o.OverRatePenalty, "messages faster than they are handled");
        }
    }

    private void OnRequest(Link link, Request request)
    {
        if (!WithinRate(link.Peer, request.Payload.Length))
        {
            Penalize(link.Peer, _o.OverRatePenalty, "requests over its rate limit");
            Respond(link, request.Id, null, "rate limited");
            return;
        }

        if (request.Payload.Length > _o.MaxRequestSize || request.Protocol.Length is 0 or > MaxNameLength)
        {
            Penalize(link.Peer, _o.OversizedPenalty, $"a request of {request.Payload.Length} bytes");
            Respond(link, request.Id, null, "request too large");
            return;
        }

        _ = ServeAsync(link, request);
    }

    private async Task ServeAsync(Link link, Request request)
    {
        await Task.Yield();
        if (!_protocols.TryGetValue(request.Protocol, out var handler))
        {
            Respond(link, request.Id, null, $"unknown protocol {request.Protocol}");
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(link.Token);
            timeout.CancelAfter(_o.RequestTimeout);
            var response = await handler(link.Peer.Id, request.Payload.Memory, timeout.Token).ConfigureAwait(false);
            if (response.Length > _o.MaxResponseSize) Respond(link, request.Id, null, $"response of {response.Length} bytes over the limit");
            else Respond(link, request.Id, response, null);
        }
        catch (OperationCanceledException) when (link.Closed)
        {
        }
#pragma warning disable CA1031 // a failing handler answers with an error, the requester gets a PeerRequestException
        catch (Exception e)
        {
            LogHandlerFailed(_log, request.Protocol, link.Peer.Id.Address, e);
            Respond(link, request.Id, null, $"{request.Protocol} failed: {e.GetType().Name}: {e.Message}");
        }
#pragma warning restore CA1031
    }

    private static void Respond(Link link, ulong id, byte[]? payload, string? error)
    {
        var response = new Response { Id = id };
        if (payload is not null) response.Payload = ByteString.CopyFrom(payload);
        if (error is not null) response.Error = error;
        link.Outgoing.Writer.TryWrite(new Frame { Response = response });
    }

    // ---- gossip ----

    private async ValueTask<GossipVerdict> RunHandlerAsync(PeerId? sender, string topic, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        GossipVerdict verdict;
        if (!_topics.TryGetValue(topic, out var handler))
        {
            verdict = GossipVerdict.Ignore;
        }
        else
        {
            try
            {
                verdict = await handler(sender, payload, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // a handler that throws on a payload has judged it malformed
            catch (Exception e)
            {
                LogTopicHandlerFailed(_log, topic, sender?.Address ?? "self", e);
                verdict = GossipVerdict.Reject;
            }
#pragma warning restore CA1031
        }

        if (verdict == GossipVerdict.Accept) Interlocked.Increment(ref _accepted);
        else if (verdict == GossipVerdict.Ignore) Interlocked.Increment(ref _ignored);
        else Interlocked.Increment(ref _rejected);
        return verdict;
    }

    private void Relay(string topic, ByteString payload, PeerId? except)
    {
        List<Link> targets;
        lock (_gate) targets = [.. _peers.Values.Where(p => p.Links.Count > 0 && p.Id != except).Select(p => p.Links[^1])];
        if (targets.Count == 0) return;
        var frame = new Frame { Publish = new Publish { Topic = topic, Payload = payload } };
        foreach (var link in targets)
        {
            if (link.Outgoing.Writer.TryWrite(frame)) Interlocked.Increment(ref _relayed);
            else LogQueueFull(_log, link.Peer.Id.Address, topic);
        }
    }

    private bool WithinRate(PeerState peer, int bytes)
    {
        lock (_gate) return peer.Messages.TryTake(1) & peer.Bytes.TryTake(bytes);
    }

    private void Penalize(PeerState peer, double weight, string what)
    {
        Interlocked.Increment(ref _penalties);
        List<Link>? drop = null;
        double score;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            // The score halves once per whole half-life elapsed (in steps, so that penalties close together add up
            // exactly).
            long halfLife = Math.Max(1, (long)(_o.PenaltyHalfLife.TotalSeconds * _time.TimestampFrequency));
            long periods = (now - peer.ScoreAt) / halfLife;
            if (periods > 0)
            {
                peer.Score = periods >= 64 ? 0 : peer.Score / Math.Pow(2, periods);
                peer.ScoreAt += periods * halfLife;
            }

            peer.Score += weight;
            score = peer.Score;
            if (score >= _o.DropThreshold && peer.BannedUntil <= now)
            {
                peer.BannedUntil = now + (long)(_o.DropCooldown.TotalSeconds * _time.TimestampFrequency);
                peer.Score = 0;
                drop = [.. peer.Links];
            }
        }

        LogPenalty(_log, peer.Id.Address, what, score);
        if (drop is null) return;
        Interlocked.Increment(ref _dropped);
        LogDropped(_log, peer.Id.Address, _o.DropCooldown.TotalSeconds);
        foreach (var link in drop) link.Close();
    }

    /// <summary>What this node knows about one peer across its connections.</summary>
    private sealed class PeerState(PeerId id, PeerNetworkOptions o)
    {
        public PeerId Id { get; } = id;

        public List<Link> Links { get; } = [];

        public TokenBucket Messages { get; } = new(o.MessagesPerSecond, o.MessageBurst, o.Time);

        public TokenBucket Bytes { get; } = new(o.BytesPerSecond, o.ByteBurst, o.Time);

        public double Score { get; set; }

        public long ScoreAt { get; set; } = o.Time.GetTimestamp();

        public long BannedUntil { get; set; }
    }

    /// <summary>One stream to a peer: its outgoing queue, its queue of gossip to handle, its pending requests.</summary>
    private sealed class Link
    {
        private readonly CancellationTokenSource _cts;

        public Link(PeerState peer, bool outbound, int capacity, CancellationToken stop)
        {
            Peer = peer;
            Outbound = outbound;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Token = _cts.Token;
            Outgoing = Channel.CreateBounded<Frame>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            Inbox = Channel.CreateBounded<(string, ByteString)>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        }

        public PeerState Peer { get; }

        public bool Outbound { get; }

        public CancellationToken Token { get; }

        public bool Closed => Token.IsCancellationRequested;

        public Channel<Frame> Outgoing { get; }

        public Channel<(string Topic, ByteString Payload)> Inbox { get; }

        public ConcurrentDictionary<ulong, TaskCompletionSource<byte[]>> Pending { get; } = new();

        public void Close()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            Outgoing.Writer.TryComplete();
            Inbox.Writer.TryComplete();
            foreach (var id in Pending.Keys)
            {
                if (Pending.TryRemove(id, out var pending)) pending.TrySetException(new PeerRequestException($"the connection to {Peer.Id} closed"));
            }
        }
    }

    /// <summary>The gRPC service: each <c>Connect</c> call is an inbound connection.</summary>
    private sealed class PeerEndpoint(PeerNetwork network) : Wire.Peer.PeerBase
    {
        public override Task Connect(IAsyncStreamReader<Frame> requestStream, IServerStreamWriter<Frame> responseStream, ServerCallContext context) =>
            network.AcceptAsync(requestStream, responseStream, context);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "peer transport listening on {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "peer {Peer} connected ({How})")]
    private static partial void LogConnected(ILogger logger, string peer, string how);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "peer {Peer}: a connection ended (last one: {Last})")]
    private static partial void LogDisconnected(ILogger logger, string peer, bool last);

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "dialing {Peer} failed")]
    private static partial void LogDialFailed(ILogger logger, string peer, Exception error);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "refused peer {Peer}: {Reason}")]
    private static partial void LogRefusedPeer(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 505, Level = LogLevel.Debug, Message = "peer {Peer} penalized for {What} (score {Score:0.##})")]
    private static partial void LogPenalty(ILogger logger, string peer, string what, double score);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "dropped peer {Peer} for misbehaviour; refused for {Seconds} s")]
    private static partial void LogDropped(ILogger logger, string peer, double seconds);

    [LoggerMessage(EventId = 507, Level = LogLevel.Debug, Message = "peer {Peer}: the connection failed")]
    private static partial void LogLinkFailed(ILogger logger, string peer, Exception error);

    [LoggerMessage(EventId = 508, Level = LogLevel.Warning, Message = "the {Protocol} handler failed on a request of {Peer}")]
    private static partial void LogHandlerFailed(ILogger logger, string protocol, string peer, Exception error);

    [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "the {Topic} handler threw on a message from {Peer}; counted as rejected")]
    private static partial void LogTopicHandlerFailed(ILogger logger, string topic, string peer, Exception error);

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "the queue to {Peer} is full: a {Topic} message was not relayed to it")]
    private static partial void LogQueueFull(ILogger logger, string peer, string topic);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "not publishing a {Topic} message of {Size} bytes: the topic's limit is {Limit}")]
    private static partial void LogOwnOversized(ILogger logger, string topic, int size, int limit);

    [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "a peer-connected subscriber failed for {Peer}")]
    private static partial void LogEventFailed(ILogger logger, string peer, Exception error);
}
