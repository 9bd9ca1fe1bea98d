using System.Buffers.Binary;
using System.Diagnostics;
using Prover.Core.Primitives;
using Prover.Node.Storage;
using Prover.Storage;

namespace Prover.Node.Tests.Storage;

/// <summary>Made-up ATX records for storage tests (the payload is opaque to the store), and the throughput
/// measurement. Linked into Prover.Node.Host.Tests so RocksDB runs the same code.</summary>
public static class NodeStoreFixtures
{
    /// <summary>A header whose every field is derived from <paramref name="n"/>, so two numbers never collide.</summary>
    public static AtxHeader Header(int n, uint epoch, byte smesher, AtxId? previous = null, bool initial = false)
    {
        var coinbase = new byte[AtxHeader.CoinbaseLength];
        BinaryPrimitives.WriteInt32BigEndian(coinbase.AsSpan(20), n);
        return new AtxHeader
        {
            Id = Id(n),
            PublishEpoch = epoch,
            SmesherId = new NodeId(Enumerable.Repeat(smesher, 32).ToArray()),
            Sequence = (ulong)n,
            PreviousAtxId = previous,
            PositioningAtxId = Id(n + 1_000_000),
            CommitmentAtxId = initial ? Id(n + 2_000_000) : null,
            NumUnits = (uint)(n % 7 + 1),
            EffectiveNumUnits = (uint)(n % 5 + 1),
            VrfNonce = (ulong)n * 31,
            BaseTickHeight = (ulong)n * 100,
            TickCount = 50,
            Weight = (ulong)n * 250,
            Coinbase = coinbase,
            Validity = AtxValidity.Valid,
            Received = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + n),
        };
    }

    /// <summary>An id made from a number: BLAKE3-looking bytes are not needed, distinct ones are.</summary>
    public static AtxId Id(int n)
    {
        var bytes = new byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, unchecked((uint)n * 2_654_435_761u));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(28), n);
        return new AtxId(bytes);
    }

    /// <summary>A stand-in wire blob of a typical V1 ATX's size (a few hundred bytes), derived from <paramref name="n"/>.</summary>
    public static byte[] Blob(int n, int length = 420)
    {
        var blob = new byte[length];
        new Random(n).NextBytes(blob);
        return blob;
    }

    /// <summary>
    /// Writes <paramref name="count"/> ATXs (one batch each), then reads every header and blob back by id. Returns
    /// ATXs per second for each phase.
    /// </summary>
    public static (double WritesPerSecond, double ReadsPerSecond) NodeStoreThroughput(IKeyValueStore store, int count)
    {
        var node = NodeStore.Open(store);
        var headers = Enumerable.Range(1, count).Select(n => Header(n, (uint)(n / 1000), (byte)(n % 64))).ToArray();
        var blobs = Enumerable.Range(1, count).Select(n => Blob(n)).ToArray();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            if (!node.AddAtx(headers[i], 1, blobs[i])) throw new InvalidOperationException("duplicate id in the bench data");
        }

        double writes = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            bytes += node.GetAtx(headers[i].Id)!.NumUnits + node.GetAtxBlob(headers[i].Id)!.Bytes.Length;
        }

        double reads = count / watch.Elapsed.TotalSeconds;
        return bytes > 0 ? (writes, reads) : throw new InvalidOperationException("nothing read back");
    }
}
