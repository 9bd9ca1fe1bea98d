using Grpc.Core;
using Prover.Node.Host.Transport;
using Prover.Node.Host.Transport.Wire;
using Prover.Node.Transport;
using Xunit;
using static Prover.Node.Host.Tests.Transport.TransportTestKit;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>Real <see cref="PeerNetwork"/>s on 127.0.0.1: relay, dedup, handler-before-relay, limits, drops,
/// reconnects and requests.</summary>
public sealed class PeerNetworkTests : IAsyncLifetime
{
    private readonly List<PeerNetwork> _networks = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var network in _networks) await network.DisposeAsync();
    }

    private async Task<(PeerNetwork Network, RecordingHandler Handler)> StartAsync(PeerNetworkOptions options)
    {
        var network = await PeerNetwork.StartAsync(options);
        _networks.Add(network);
        var handler = new RecordingHandler();
        network.Subscribe(Topic, handler.Handle);
        return (network, handler);
    }

    /// <summary>A, B, C, D in a line (each dials the one before it).</summary>
    private async Task<(PeerNetwork Network, RecordingHandler Handler)[]> LineAsync(int count, Func<PeerNetworkOptions, PeerNetworkOptions>? edit = null)
    {
        var nodes = new List<(PeerNetwork, RecordingHandler)>();
        for (int i = 0; i < count; i++)
        {
            var options = i == 0 ? Options() : Options(nodes[i - 1].Item1);
            nodes.Add(await StartAsync(edit?.Invoke(options) ?? options));
        }

        for (int i = 0; i < count; i++)
        {
            await nodes[i].Item1.WaitForPeersAsync(i == 0 || i == count - 1 ? 1 : 2, Timeout());
        }

        return [.. nodes];
    }

    [Fact]
    public async Task A_message_published_at_one_end_of_a_line_reaches_every_node_once_through_relays()
    {
        var line = await LineAsync(4);
        byte[] message = [1, 2, 3];

        Assert.Equal(GossipVerdict.Accept, await line[0].Network.PublishAsync(Topic, message, Timeout()));

        await Eventually(() => line.All(n => n.Handler.Count(message) == 1), "every node handled the message");
        await Task.Delay(200);
        Assert.All(line, n => Assert.Equal(1, n.Handler.Count(message)));
        Assert.Null(Assert.Single(line[0].Handler.Senders));
        Assert.Equal(line[2].Network.Self, Assert.Single(line[3].Handler.Senders));
        Assert.Equal(1, line[0].Network.Relayed);
        Assert.Equal(1, line[1].Network.Relayed);
        Assert.Equal(0, line[3].Network.Relayed);
    }

    [Fact]
    public async Task Each_handler_runs_once_per_message_in_a_cycle_and_a_replay_is_ignored()
    {
        var (a, ha) = await StartAsync(Options());
        var (b, hb) = await StartAsync(Options(a));
        var (c, hc) = await StartAsync(Options(a, b));
        await a.WaitForPeersAsync(2, Timeout());
        await b.WaitForPeersAsync(2, Timeout());
        await c.WaitForPeersAsync(2, Timeout());
        byte[] message = [9, 9];

        await a.PublishAsync(Topic, message, Timeout());
        await Eventually(() => hb.Count(message) == 1 && hc.Count(message) == 1, "B and C handled the message");
        await Eventually(() => a.Duplicates + b.Duplicates + c.Duplicates >= 1, "a second copy arrived and was dropped");
        Assert.Equal([1, 1, 1], new[] { ha.Count(message), hb.Count(message), hc.Count(message) });

        // The same bytes again, from the publisher and from a peer replaying them: nobody handles them twice.
        Assert.Equal(GossipVerdict.Ignore, await c.PublishAsync(Topic, message, Timeout()));
        await using var replayer = await RawPeer.ConnectAsync(b, "127.0.0.1:9");
        await replayer.PublishAsync(Topic, message);
        byte[] marker = [7];
        await replayer.PublishAsync(Topic, marker);
        await Eventually(() => hc.Count(marker) == 1, "the marker sent after the replay arrived everywhere");
        Assert.Equal([1, 1, 1], new[] { ha.Count(message), hb.Count(message), hc.Count(message) });
    }

    [Fact]
    public async Task A_message_the_handler_rejects_is_not_relayed_and_counts_against_its_sender()
    {
        var line = await LineAsync(3);
        line[1].Handler.Verdict = payload => payload.Span[0] == 0xff ? GossipVerdict.Reject : GossipVerdict.Accept;
        byte[] bad = [0xff, 1], good = [0x01, 1];

        await line[0].Network.PublishAsync(Topic, bad, Timeout());
        await line[0].Network.PublishAsync(Topic, good, Timeout());

        // Frames keep their order on a connection: once the good one reached C, the bad one would have too.
        await Eventually(() => line[2].Handler.Count(good) == 1, "the accepted message reached C");
        Assert.Equal(1, line[1].Handler.Count(bad));
        Assert.Equal(0, line[2].Handler.Count(bad));
        Assert.Equal(1, line[1].Network.Rejected);
        Assert.Equal(1, line[1].Network.Penalties);
        Assert.False(line[1].Network.IsDropped(line[0].Network.Self));
    }

    [Fact]
    public async Task A_peer_sending_oversized_messages_is_dropped_and_refused_while_the_others_keep_working()
    {
        var (victim, hv) = await StartAsync(Options());
        var (other, _) = await StartAsync(Options(victim));
        await victim.WaitForPeersAsync(1, Timeout());
        var rogue = await RawPeer.ConnectAsync(victim, "127.0.0.1:11");
        await Eventually(() => victim.Peers.Count == 2, "the rogue peer is connected");

        byte[] big = new byte[PeerNetworkOptions.DefaultTopicLimits[Topics.Atx] + 1];
        victim.Subscribe(Topics.Atx, hv.Handle);
        await rogue.PublishAsync(Topics.Atx, big);
        await rogue.PublishAsync(Topics.Atx, big);

        await Eventually(() => victim.IsDropped(new PeerId("127.0.0.1:11")), "the rogue peer is dropped");
        Assert.True(await rogue.ClosedByTargetAsync());
        Assert.Equal(1, victim.DroppedPeers);
        Assert.Equal(0, hv.Calls);
        await rogue.DisposeAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => RawPeer.ConnectAsync(victim, "127.0.0.1:11"));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        byte[] message = [4, 2];
        await other.PublishAsync(Topic, message, Timeout());
        await Eventually(() => hv.Count(message) == 1, "the well-behaved peer's message arrived");
        Assert.Equal([other.Self], victim.Peers);
    }

    [Fact]
    public async Task A_peer_sending_malformed_frames_is_dropped()
    {
        var (victim, _) = await StartAsync(Options());
        await using var rogue = await RawPeer.ConnectAsync(victim, "127.0.0.1:12");

        await rogue.SendAsync(new Frame());
        await rogue.SendAsync(new Frame { Publish = new Publish { Topic = "" } });

        await Eventually(() => victim.IsDropped(new PeerId("127.0.0.1:12")), "the rogue peer is dropped");
        Assert.True(await rogue.ClosedByTargetAsync());
    }

    [Fact]
    public async Task A_flooding_peer_is_dropped_while_the_others_keep_working()
    {
        var (victim, hv) = await StartAsync(Options() with { MessagesPerSecond = 50, MessageBurst = 50 });
        var (flooder, _) = await StartAsync(Options(victim));
        var (other, _) = await StartAsync(Options(victim));
        await victim.WaitForPeersAsync(2, Timeout());

        for (int i = 0; i < 300; i++)
        {
            await flooder.PublishAsync(Topic, BitConverter.GetBytes(i), Timeout());
        }

        await Eventually(() => victim.IsDropped(flooder.Self), "the flooder is dropped");
        Assert.Equal(1, victim.DroppedPeers);
        Assert.InRange(hv.Calls, 1, 299);
        await Eventually(() => !victim.Peers.Contains(flooder.Self), "the flooder's connection is closed");

        byte[] message = [5, 5, 5, 5, 5];
        await other.PublishAsync(Topic, message, Timeout());
        await Eventually(() => hv.Count(message) == 1, "the other peer's message arrived");
        Assert.False(victim.IsDropped(other.Self));
    }

    [Fact]
    public async Task A_stopped_then_restarted_peer_is_redialed_and_gossip_flows_again()
    {
        var (b, _) = await StartAsync(Options());
        var endpoint = System.Net.IPEndPoint.Parse(b.Self.Address);
        var (a, ha) = await StartAsync(Options(b));
        int connects = 0;
        a.PeerConnected += (_, _) => Interlocked.Increment(ref connects);
        await a.WaitForPeersAsync(1, Timeout());

        await b.DisposeAsync();
        _networks.Remove(b);
        await Eventually(() => a.Peers.Count == 0, "A noticed B is gone");
        await Task.Delay(300);

        var (restarted, _) = await StartAsync(Options() with { Listen = endpoint });
        await Eventually(() => a.Peers.Count == 1, "A reconnected to B");
        Assert.Equal(restarted.Self, Assert.Single(a.Peers));
        await Eventually(() => connects >= 1, "PeerConnected was raised for the reconnect");

        byte[] message = [3, 1, 4];
        await restarted.PublishAsync(Topic, message, Timeout());
        await Eventually(() => ha.Count(message) == 1, "B's message reached A over the new connection");
    }

    [Fact]
    public async Task A_peer_of_another_genesis_is_refused()
    {
        var (a, _) = await StartAsync(Options());
        var stranger = await PeerNetwork.StartAsync(Options(a) with { GenesisId = new Genesis.GenesisId(new byte[20]) });
        _networks.Add(stranger);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            RawPeer.ConnectAsync(a, "127.0.0.1:13", Google.Protobuf.ByteString.CopyFrom(new byte[20])));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        await Task.Delay(500);
        Assert.Empty(a.Peers);
        Assert.Empty(stranger.Peers);
    }

    [Fact]
    public async Task Requests_get_their_response_and_fail_cleanly_on_unknown_protocols_handler_errors_and_timeouts()
    {
        var (a, _) = await StartAsync(Options() with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var (b, _) = await StartAsync(Options(a));
        await a.WaitForPeersAsync(1, Timeout());
        b.Handle("echo/1", (sender, request, _) => ValueTask.FromResult<byte[]>([.. request.Span, .. System.Text.Encoding.UTF8.GetBytes(sender.Address)]));
        b.Handle("fail/1", (_, _, _) => throw new InvalidDataException("bad request"));
        b.Handle("slow/1", async (_, _, ct) =>
        {
            await Task.Delay(2000, ct);
            return [];
        });
        var peer = Assert.Single(a.Peers);

        var response = await a.RequestAsync(peer, "echo/1", new byte[] { 1, 2 }, Timeout());
        Assert.Equal([1, 2, .. System.Text.Encoding.UTF8.GetBytes(a.Self.Address)], response);
        var unknown = await Assert.ThrowsAsync<PeerRequestException>(() => a.RequestAsync(peer, "nope/1", new byte[] { 1 }, Timeout()));
        Assert.Contains("unknown protocol", unknown.Message);
        var failed = await Assert.ThrowsAsync<PeerRequestException>(() => a.RequestAsync(peer, "fail/1", new byte[] { 1 }, Timeout()));
        Assert.Contains("bad request", failed.Message);
        var slow = await Assert.ThrowsAsync<PeerRequestException>(() => a.RequestAsync(peer, "slow/1", new byte[] { 1 }, Timeout()));
        Assert.Contains("timed out", slow.Message);
        await Assert.ThrowsAsync<PeerRequestException>(() => a.RequestAsync(new PeerId("127.0.0.1:1"), "echo/1", new byte[] { 1 }, Timeout()));
    }

    [Fact]
    public async Task An_own_message_goes_through_the_local_handler_first_and_is_not_sent_when_rejected()
    {
        var line = await LineAsync(2);
        line[0].Handler.Verdict = _ => GossipVerdict.Reject;
        byte[] message = [6];

        Assert.Equal(GossipVerdict.Reject, await line[0].Network.PublishAsync(Topic, message, Timeout()));
        Assert.Equal(GossipVerdict.Reject, await line[0].Network.PublishAsync(Topics.Atx, new byte[(64 << 10) + 1], Timeout()));
        line[0].Handler.Verdict = _ => GossipVerdict.Accept;
        byte[] next = [7];
        await line[0].Network.PublishAsync(Topic, next, Timeout());
        await Eventually(() => line[1].Handler.Count(next) == 1, "the accepted message arrived");
        Assert.Equal(0, line[1].Handler.Count(message));
        Assert.Equal(1, line[0].Handler.Count(message));
    }
}
