using System.Diagnostics;
using Prover.Node.Host.Transport;
using Prover.Node.Transport;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>
/// The transport's throughput, as a console helper of the test assembly (<c>transport COUNT SIZE</c>): three
/// <see cref="PeerNetwork"/>s in a line on 127.0.0.1, source → relay → sink. The source publishes COUNT distinct
/// messages of SIZE bytes as fast as it can; the relay validates each (a BLAKE3 hash of the payload, then Accept) and
/// relays it; the time until the sink has handled all of them gives messages/s through one validating relay.
/// </summary>
internal static class TransportThroughput
{
    public const string Name = "transport";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[0], out int count) || !int.TryParse(args[1], out int size) || size < 8) return 2;
        PeerNetworkOptions Options(params PeerNetwork[] peers) => TransportTestKit.Options(peers) with
        {
            MessagesPerSecond = 1e9,
            MessageBurst = 1e9,
            BytesPerSecond = 1e12,
            ByteBurst = 1e12,
            QueueCapacity = count + 16,
        };

        await using var source = await PeerNetwork.StartAsync(Options());
        await using var relay = await PeerNetwork.StartAsync(Options(source));
        await using var sink = await PeerNetwork.StartAsync(Options(relay));
        await relay.WaitForPeersAsync(2, TransportTestKit.Timeout(30));
        await sink.WaitForPeersAsync(1, TransportTestKit.Timeout(30));
        long relayed = 0, received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Subscribe(TransportTestKit.Topic, (_, _, _) => ValueTask.FromResult(GossipVerdict.Accept));
        relay.Subscribe(TransportTestKit.Topic, (_, payload, _) =>
        {
            Span<byte> hash = stackalloc byte[32];
            Prover.Core.Crypto.Blake3.Hash(payload.Span, hash);
            Interlocked.Increment(ref relayed);
            return ValueTask.FromResult(hash[0] == 0 && hash[1] == 0 && hash[2] == 0 && hash[3] == 0 && hash[4] == 0 ? GossipVerdict.Ignore : GossipVerdict.Accept);
        });
        sink.Subscribe(TransportTestKit.Topic, (_, _, _) =>
        {
            if (Interlocked.Increment(ref received) == count) done.TrySetResult();
            return ValueTask.FromResult(GossipVerdict.Accept);
        });

        var payload = new byte[size];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await source.PublishAsync(TransportTestKit.Topic, payload, CancellationToken.None);
        }

        double published = clock.Elapsed.TotalSeconds;
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        double total = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine($"transport: {count} messages of {size} bytes, source → validating relay → sink on 127.0.0.1: " +
            $"published in {published:F2} s, all at the sink after {total:F2} s = {count / total:F0} messages/s " +
            $"({count * (double)size / total / (1 << 20):F1} MiB/s) validated and relayed; relay handled {relayed}, sink {received}");
        return 0;
    }
}
