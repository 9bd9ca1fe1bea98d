using System.Text;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Aes;
using Prover.Kernels.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Kernels.Tests;

public class ScanTests
{
    private static readonly byte[] HelloChallenge = Encoding.ASCII.GetBytes("hello world, challenge me!!!!!!!");

    public static TheoryData<AesImplementation> Implementations() => AesImplementationTests.Implementations();

    private sealed class RecordingSink(int stopAfter = int.MaxValue) : ILabelHitSink
    {
        public List<(uint Nonce, ulong Index)> Hits { get; } = [];

        public bool OnGoodLabel(uint nonce, ulong index)
        {
            Hits.Add((nonce, index));
            return Hits.Count >= stopAfter;
        }
    }

    private static ProvingPass Pass(uint firstNonce, int nonces, ulong difficulty, Random random)
    {
        var pows = Enumerable.Range(0, nonces / 16).Select(_ => (ulong)random.NextInt64()).ToArray();
        return ProvingPass.Create(new Challenge(HelloChallenge), firstNonce, nonces, pows, difficulty);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Upstream_proving_vector_nonce_3(AesImplementation implementation)
    {
        // post-rs src/prove.rs proving_vector: 128 labels of repeat(0..=11), k1 4, k2 32, pow 0, nonces 0..16.
        var challenge = Encoding.ASCII.GetBytes("hello world, CHALLENGE me!!!!!!!");
        ulong difficulty = ProvingDifficulty.Compute(4, 128);
        Assert.Equal(576460752303423488UL, difficulty);
        var data = Enumerable.Range(0, 128 * 16).Select(i => (byte)(i % 12)).ToArray();
        var pass = ProvingPass.Create(new Challenge(challenge), 0, 16, [0UL], difficulty);
        var collector = new K2Collector(0, 16, 32);

        bool stopped = new ProvingScannerFactory(implementation).Create(pass).Scan(data, 0, collector);

        Assert.True(stopped);
        var (nonce, indices) = collector.Winner!.Value;
        Assert.Equal(3u, nonce);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (ulong)(3 * i)).ToArray(), indices);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Sanity_every_label_is_good_in_post_rs_order(AesImplementation implementation)
    {
        // post-rs src/prove.rs sanity: difficulty u64::MAX, 8 zero labels, nonces 0..16: label-major, then nonce.
        var pass = Pass(0, 16, ulong.MaxValue, new Random(4));
        var sink = new RecordingSink();
        new ProvingScannerFactory(implementation).Create(pass).Scan(new byte[128], 0, sink);
        var expected = new List<(uint, ulong)>();
        for (ulong index = 0; index < 8; index++)
        {
            for (uint nonce = 0; nonce < 16; nonce++)
            {
                expected.Add((nonce, index));
            }
        }

        Assert.Equal(expected, sink.Hits);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Matches_reference_across_difficulties_groups_and_offsets(AesImplementation implementation)
    {
        var random = new Random(5);
        var data = new byte[128 * 150 + 77]; // a trailing partial chunk that must be skipped
        random.NextBytes(data);
        var difficulties = new ulong[]
        {
            0, // profiler: msb 0, lsb 0, lazy checks but never a hit
            1UL << 55, // msb 0, half of the lazy checks pass
            ProvingDifficulty.Compute(23, 126976), // msb 0, e2e parameters
            0x0180_0000_0000_0000, // msb 1: "<" hits and "==" lazy checks
            0x2000_0000_0000_1234,
            0xFF00_0000_0000_0000,
            ulong.MaxValue,
        };
        foreach (ulong difficulty in difficulties)
        {
            foreach ((uint first, int count) in new[] { (0u, 16), (32u, 32), (4048u, 48) })
            {
                var pass = Pass(first, count, difficulty, random);
                var expected = new RecordingSink();
                new ReferenceProvingScanner(pass).Scan(data, 1000, expected);
                var actual = new RecordingSink();
                bool stopped = new ProvingScannerFactory(implementation).Create(pass).Scan(data, 1000, actual);
                Assert.False(stopped);
                Assert.Equal(expected.Hits, actual.Hits);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Many_candidates_overflow_the_queue_and_stay_in_order(AesImplementation implementation)
    {
        // msb 0xFF makes nearly every byte a candidate, so the candidate queue is flushed many times.
        var random = new Random(6);
        var data = new byte[128 * 300];
        random.NextBytes(data);
        var pass = Pass(16, 64, 0xFF7F_FFFF_FFFF_FFFF, random);
        var expected = new RecordingSink();
        new ReferenceProvingScanner(pass).Scan(data, 0, expected);
        var actual = new RecordingSink();
        new ProvingScannerFactory(implementation).Create(pass).Scan(data, 0, actual);
        Assert.True(expected.Hits.Count > 100_000);
        Assert.Equal(expected.Hits, actual.Hits);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Stops_as_soon_as_the_sink_asks(AesImplementation implementation)
    {
        var random = new Random(7);
        var data = new byte[128 * 64];
        random.NextBytes(data);
        var pass = Pass(0, 32, 0x0400_0000_0000_0000, random);
        var all = new RecordingSink();
        new ReferenceProvingScanner(pass).Scan(data, 0, all);
        Assert.True(all.Hits.Count > 50);
        var sink = new RecordingSink(stopAfter: 37);
        bool stopped = new ProvingScannerFactory(implementation).Create(pass).Scan(data, 0, sink);
        Assert.True(stopped);
        Assert.Equal(all.Hits.Take(37), sink.Hits);
    }

    [Fact]
    public void Empty_and_short_data_find_nothing()
    {
        var pass = Pass(0, 16, ulong.MaxValue, new Random(8));
        var sink = new RecordingSink();
        var scanner = new ProvingScannerFactory().Create(pass);
        Assert.False(scanner.Scan([], 0, sink));
        Assert.False(scanner.Scan(new byte[127], 0, sink));
        Assert.Empty(sink.Hits);
    }
}
