using System.Text;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

public class ProvingPipelineTests
{
    /// <summary>
    /// post-rs's proving_vector mocks the k2pow with 0; this reproduces that upstream vector and is used nowhere else.
    /// </summary>
    private sealed class UpstreamVectorPow : IK2PowProver
    {
        public List<byte> Groups { get; } = [];

        public ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
            ReadOnlySpan<byte> minerId32, CancellationToken cancellationToken = default)
        {
            Groups.Add(nonceGroup);
            return 0;
        }

        public Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8,
            ReadOnlyMemory<byte> difficulty32, ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default) =>
            Task.FromResult(nonceGroups.Select(g => Prove(g, challenge8.Span, difficulty32.Span, minerId32.Span, cancellationToken)).ToArray());
    }

    private sealed class Recorder(int stopAfter = int.MaxValue, Action? onHit = null) : ILabelHitSink
    {
        private readonly Lock _lock = new();

        public List<(uint Nonce, ulong Index)> Hits { get; } = [];

        public bool OnGoodLabel(uint nonce, ulong index)
        {
            lock (_lock)
            {
                Hits.Add((nonce, index));
                onHit?.Invoke();
                return Hits.Count >= stopAfter;
            }
        }
    }

    [Theory]
    [InlineData(1, 4 << 20)]
    [InlineData(1, 128)]
    [InlineData(3, 256)]
    public async Task Upstream_proving_vector_through_the_pipeline(int threads, int batchSize)
    {
        var challenge = Encoding.ASCII.GetBytes("hello world, CHALLENGE me!!!!!!!");
        var data = Enumerable.Range(0, 128 * 16).Select(i => (byte)(i % 12)).ToArray();
        var pow = new UpstreamVectorPow();
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        var config = new ProofConfig(4, 32, 32, Enumerable.Repeat((byte)0xFF, 32).ToArray());
        var options = new ProvingOptions { Nonces = 16, Threads = threads, BatchSize = batchSize };

        ProofResult result = await prover.GenerateProofAsync(PostDataSource.FromMemory(data), NodeId.Zero, AtxId.Zero, 1, 128,
            new Challenge(challenge), config, options);

        Assert.Equal(3u, result.Proof.Nonce);
        Assert.Equal(0UL, result.Proof.Pow);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (ulong)(3 * i)).ToArray(), result.Indices.Order().ToArray());
        if (threads == 1)
        {
            Assert.Equal(Enumerable.Range(0, 32).Select(i => (ulong)(3 * i)).ToArray(), result.Indices);
        }

        Assert.Equal(IndexCompression.Compress(result.Indices, 8), result.Proof.Indices);
        Assert.Equal(1, result.Passes);
        Assert.Equal(new byte[] { 0 }, pow.Groups);
    }

    private static string WriteFiles(TempDir dir, int[] fileNumbers, int bytesPerFile, ulong maxFileSize, int seed)
    {
        var random = new Random(seed);
        foreach (int n in fileNumbers)
        {
            var bytes = new byte[bytesPerFile];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(dir.Path, PostDataLayout.FileName(n)), bytes);
        }

        var metadata = new PostMetadata
        {
            NodeId = new NodeId(new byte[32]),
            CommitmentAtxId = new AtxId(new byte[32]),
            LabelsPerUnit = maxFileSize / 16 * (ulong)fileNumbers.Length,
            NumUnits = 1,
            MaxFileSize = maxFileSize,
        };
        metadata.Save(dir.Path);
        return dir.Path;
    }

    [Fact]
    public void Directory_reader_follows_post_rs_enumeration_order_file_base_and_max_file_size()
    {
        using var dir = new TempDir();
        // Files 0, 1, 2, 10 (numeric order, 10 after 2), each 1000 bytes on disk but max_file_size 800: only 800 are read.
        WriteFiles(dir, [0, 1, 2, 10], 1000, 800, 1);
        var source = PostDataSource.FromDirectory(dir.Path, PostMetadata.Load(dir.Path));
        Assert.Equal(4 * 800, source.TotalBytes);
        using var pool = new BufferPool(2, 512);
        var batches = new List<(ulong First, int Length, byte[] Data)>();
        foreach (var b in source.ReadBatches(512, pool, CancellationToken.None))
        {
            batches.Add((b.FirstLabelIndex, b.Data.Length, b.Data.ToArray()));
            b.Release();
        }

        // Per file: one 512-byte batch then 288 bytes; file k starts at label k * 800 / 16 = 50k.
        Assert.Equal(new (ulong, int)[] { (0, 512), (32, 288), (50, 512), (82, 288), (100, 512), (132, 288), (150, 512), (182, 288) },
            batches.Select(b => (b.First, b.Length)).ToArray());
        byte[] tenth = File.ReadAllBytes(Path.Combine(dir.Path, "postdata_10.bin"));
        Assert.Equal(tenth.AsSpan(512, 288).ToArray(), batches[^1].Data);
    }

    [Fact]
    public void Scan_once_directory_matches_reference_over_concatenated_files_with_partial_chunks_skipped()
    {
        using var dir = new TempDir();
        // max_file_size 16 * 20 = 320 bytes: two 128-byte chunks per file, the last 64 bytes (4 labels) are skipped.
        WriteFiles(dir, [0, 1, 2], 320, 320, 2);
        var source = PostDataSource.FromDirectory(dir.Path, PostMetadata.Load(dir.Path));
        var pass = ProvingPass.Create(Challenge.Zero, 0, 32, [5UL, 6UL], 0x3000_0000_0000_0000);

        var expected = new Recorder();
        var reference = new ReferenceProvingScanner(pass);
        for (int file = 0; file < 3; file++)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(dir.Path, PostDataLayout.FileName(file)));
            reference.Scan(bytes, (ulong)file * 20, expected);
        }

        Assert.DoesNotContain(expected.Hits, h => h.Index % 20 >= 16);
        foreach (int threads in new[] { 1, 3 })
        {
            var actual = new Recorder();
            long scanned = PostProver.ScanOnce(source, pass, new ProvingScannerFactory().Create(pass), actual,
                new ProvingOptions { Nonces = 32, Threads = threads, BatchSize = 128 });
            Assert.Equal(3 * 320, scanned);
            if (threads == 1)
            {
                Assert.Equal(expected.Hits, actual.Hits);
            }
            else
            {
                Assert.Equal(expected.Hits.Order(), actual.Hits.Order());
            }
        }
    }

    [Fact]
    public void Scan_once_reports_progress_up_to_the_whole_data()
    {
        var data = new byte[128 * 100];
        new Random(3).NextBytes(data);
        var pass = ProvingPass.Create(Challenge.Zero, 0, 16, [1UL], 0);
        var reports = new List<ProvingProgress>();
        var progress = new SyncProgress(reports);
        PostProver.ScanOnce(PostDataSource.FromMemory(data), pass, new ProvingScannerFactory().Create(pass), new Recorder(), new ProvingOptions
        {
            Nonces = 16,
            Threads = 4,
            BatchSize = 1280,
            ProgressInterval = TimeSpan.Zero,
        }, progress);
        Assert.Equal(10, reports.Count);
        Assert.Equal(data.Length, reports[^1].BytesScanned);
        Assert.Equal(data.Length, reports.Max(r => r.Position));
        Assert.All(reports, r => Assert.Equal(ProvingStage.Scanning, r.Stage));
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BytesScanned > p.First.BytesScanned));
    }

    [Fact]
    public void Scan_once_stops_early_and_honours_cancellation()
    {
        var data = new byte[128 * 4096];
        new Random(4).NextBytes(data);
        var pass = ProvingPass.Create(Challenge.Zero, 0, 16, [1UL], ulong.MaxValue);
        var scanner = new ProvingScannerFactory().Create(pass);
        var options = new ProvingOptions { Nonces = 16, Threads = 2, BatchSize = 4096 };

        long scanned = PostProver.ScanOnce(PostDataSource.FromMemory(data), pass, scanner, new Recorder(stopAfter: 10), options);
        Assert.True(scanned < data.Length);

        using var cts = new CancellationTokenSource();
        var cancelling = new Recorder(onHit: cts.Cancel);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PostProver.ScanOnce(PostDataSource.FromMemory(data), pass, scanner, cancelling, options, cancellationToken: cts.Token));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new ProvingOptions { Nonces = 8 }.Validate());
        Assert.Throws<ArgumentException>(() => new ProvingOptions { Nonces = 4112 }.Validate());
        Assert.Throws<ArgumentException>(() => new ProvingOptions { Threads = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ProvingOptions { BatchSize = 100 }.Validate());
        Assert.Throws<ArgumentException>(() => ProvingPass.Create(Challenge.Zero, 8, 16, [0UL], 0));
        Assert.Throws<ArgumentException>(() => ProvingPass.Create(Challenge.Zero, 4080, 32, [0UL, 0UL], 0));
    }

    [Fact]
    public void K2_collector_first_nonce_to_reach_K2_wins()
    {
        var c = new K2Collector(16, 32, 3);
        Assert.False(c.OnGoodLabel(17, 1));
        Assert.False(c.OnGoodLabel(20, 2));
        Assert.False(c.OnGoodLabel(17, 3));
        Assert.False(c.OnGoodLabel(20, 4));
        Assert.True(c.OnGoodLabel(20, 5));
        Assert.True(c.OnGoodLabel(17, 6));
        Assert.Equal(20u, c.Winner!.Value.Nonce);
        Assert.Equal(new ulong[] { 2, 4, 5 }, c.Winner!.Value.Indices);
        Assert.Throws<ArgumentOutOfRangeException>(() => new K2Collector(16, 32, 3).OnGoodLabel(48, 0));
    }

    private sealed class SyncProgress(List<ProvingProgress> sink) : IProgress<ProvingProgress>
    {
        public void Report(ProvingProgress value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }
}
