using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Prover.Node.Genesis;
using Prover.Node.Host.Transport;
using Prover.Node.Host.Transport.Wire;
using Prover.Node.Transport;
using Xunit;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>Short timings for real networks on 127.0.0.1, a polling wait, a recording handler and a hand-driven raw
/// peer (a gRPC client that speaks the wire protocol directly, to misbehave).</summary>
internal static class TransportTestKit
{
    public static readonly GenesisId Genesis = new(Enumerable.Repeat((byte)7, GenesisId.Length).ToArray());

    public const string Topic = "t1";

    public static PeerNetworkOptions Options(params PeerNetwork[] peers) => new()
    {
        GenesisId = Genesis,
        Peers = [.. peers.Select(p => p.Self.Address)],
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        HandshakeTimeout = TimeSpan.FromSeconds(3),
        RequestTimeout = TimeSpan.FromSeconds(3),
        KeepAlive = TimeSpan.FromSeconds(2),
    };

    public static async Task Eventually(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    public static CancellationToken Timeout(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}

/// <summary>A topic handler that counts how often it saw each payload and answers with <see cref="Verdict"/>.</summary>
internal sealed class RecordingHandler
{
    private readonly ConcurrentDictionary<string, int> _seen = new();

    public Func<ReadOnlyMemory<byte>, GossipVerdict> Verdict { get; set; } = _ => GossipVerdict.Accept;

    public ConcurrentQueue<PeerId?> Senders { get; } = new();

    public int Calls => _seen.Values.Sum();

    public int Count(byte[] payload) => _seen.TryGetValue(Convert.ToHexString(payload), out int n) ? n : 0;

    public ValueTask<GossipVerdict> Handle(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        _seen.AddOrUpdate(Convert.ToHexString(payload.Span), 1, (_, n) => n + 1);
        Senders.Enqueue(sender);
        return ValueTask.FromResult(Verdict(payload));
    }
}

/// <summary>A peer driven by hand over the wire protocol: it says Hello, then sends whatever frames a test wants.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private RawPeer(GrpcChannel channel, AsyncDuplexStreamingCall<Frame, Frame> call)
    {
        _channel = channel;
        Call = call;
    }

    public AsyncDuplexStreamingCall<Frame, Frame> Call { get; }

    /// <summary>Connects to <paramref name="target"/> claiming <paramref name="listenAddress"/>; returns the peer once
    /// the target answered its Hello (throws the target's refusal).</summary>
    public static async Task<RawPeer> ConnectAsync(PeerNetwork target, string listenAddress, Google.Protobuf.ByteString? genesis = null)
    {
        var channel = GrpcChannel.ForAddress("http://" + target.Self.Address);
        var call = new Prover.Node.Host.Transport.Wire.Peer.PeerClient(channel).Connect();
        var peer = new RawPeer(channel, call);
        try
        {
            await call.RequestStream.WriteAsync(new Frame
            {
                Hello = new Hello
                {
                    GenesisId = genesis ?? Google.Protobuf.ByteString.CopyFrom(TransportTestKit.Genesis.Span),
                    ListenAddress = listenAddress,
                    Version = PeerNetwork.ProtocolVersion,
                },
            });
            Assert.True(await call.ResponseStream.MoveNext(TransportTestKit.Timeout()));
            Assert.Equal(Frame.KindOneofCase.Hello, call.ResponseStream.Current.KindCase);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public Task SendAsync(Frame frame) => Call.RequestStream.WriteAsync(frame);

    public Task PublishAsync(string topic, byte[] payload) =>
        SendAsync(new Frame { Publish = new Publish { Topic = topic, Payload = Google.Protobuf.ByteString.CopyFrom(payload) } });

    /// <summary>True once the target ended the stream (it dropped this peer).</summary>
    public async Task<bool> ClosedByTargetAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            while (await Call.ResponseStream.MoveNext(timeout.Token))
            {
            }

            return true;
        }
        catch (RpcException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (RpcException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Call.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
