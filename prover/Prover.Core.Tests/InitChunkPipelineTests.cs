using System.Buffers.Binary;
using System.Collections.Concurrent;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

public sealed class InitChunkPipelineTests
{
    private static readonly byte[] Commitment = new byte[32];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Chunks_reach_the_consumer_in_order_whatever_order_the_providers_finish_them_in()
    {
        using var slow = new FakeProvider("slow", batch: 5, delay: i => TimeSpan.FromMilliseconds(i % 3 * 4));
        using var fast = new FakeProvider("fast", batch: 3);
        var consumed = new List<(ulong Start, int Count)>();
        ulong expected = 7;

        new ChunkPipeline([slow, fast]).Run(Commitment, 16, 7, 400, (start, count, outputs) =>
        {
            Assert.Equal(expected, start);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(start + (ulong)i, BinaryPrimitives.ReadUInt64LittleEndian(outputs.AsSpan(i * 32)));
            }

            consumed.Add((start, count));
            expected += (ulong)count;
            return true;
        });

        Assert.Equal(400UL, expected);
        Assert.Equal(393, consumed.Sum(c => c.Count));
        Assert.Equal(consumed.Count, slow.Chunks + fast.Chunks);
    }

    [Fact]
    public void A_failing_provider_stops_the_others_and_is_reported_by_name()
    {
        using var blocked = new FakeProvider("blocked", batch: 4, blockFrom: 0);
        using var bad = new FakeProvider("bad", batch: 4, failAt: 0, failAfter: blocked.Entered);

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ChunkPipeline([bad, blocked]).Run(Commitment, 16, 0, 1000, (_, _, _) => true));

        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
        Assert.True(blocked.SawCancellation);
    }

    [Fact]
    public void The_consumer_failing_stops_the_providers_and_its_exception_comes_out_unchanged()
    {
        // The provider computes chunk 0, then blocks in chunk 1 until the job is cancelled.
        using var provider = new FakeProvider("p", batch: 4, blockFrom: 1);

        Assert.Throws<UnauthorizedAccessException>(() => new ChunkPipeline([provider]).Run(Commitment, 16, 0, 1000,
            (_, _, _) =>
            {
                Assert.True(provider.Entered.Wait(Patience));
                throw new UnauthorizedAccessException("disk says no");
            }));
        Assert.True(provider.SawCancellation);
    }

    [Fact]
    public void The_consumer_can_stop_early_and_nothing_after_is_handed_to_it()
    {
        using var provider = new FakeProvider("p", batch: 10);
        var consumed = new List<ulong>();

        new ChunkPipeline([provider]).Run(Commitment, 16, 0, ulong.MaxValue, (start, _, _) =>
        {
            consumed.Add(start);
            return consumed.Count < 3;
        });

        Assert.Equal([0UL, 10UL, 20UL], consumed);
    }

    [Fact]
    public void Cancellation_stops_the_pipeline_and_what_was_consumed_stays_consumed_in_order()
    {
        using var a = new FakeProvider("a", batch: 8);
        using var b = new FakeProvider("b", batch: 8);
        using var cts = new CancellationTokenSource();
        var consumed = new List<ulong>();

        Assert.ThrowsAny<OperationCanceledException>(() => new ChunkPipeline([a, b]).Run(Commitment, 16, 0, 1_000_000,
            (start, _, _) =>
            {
                consumed.Add(start);
                if (consumed.Count == 4)
                {
                    cts.Cancel();
                }

                return true;
            }, cts.Token));

        Assert.Equal([0UL, 8UL, 16UL, 24UL], consumed);
    }

    [Fact]
    public void A_provider_failing_mid_run_leaves_a_state_that_a_new_run_resumes_to_identical_files()
    {
        using var dir = new TempDir();
        using var fresh = new TempDir();
        using var good = InitializerTests.Provider();
        using var failing = new FailAfterProvider(new SmallBatchProvider(InitializerTests.Provider(), 50), failAfterLabels: 400);
        var options = new InitOptions
        {
            DataDir = dir.Path,
            NodeId = new NodeId(Enumerable.Repeat((byte)0x4d, 32).ToArray()),
            CommitmentAtxId = AtxId.Zero,
            NumUnits = 4,
            LabelsPerUnit = 250,
            MaxFileSize = 16 * 100,
            ScryptN = 16,
            VrfDifficulty = VrfDifficulty.Maximum(),
            CheckpointInterval = TimeSpan.Zero,
        };

        var error = Assert.Throws<InvalidOperationException>(() => new Initializer([failing]).Run(options));
        Assert.Contains("'cpu'", error.Message, StringComparison.Ordinal);
        ulong partial = (ulong)LabelFiles.ReadAll(dir.Path).Length / PostDataLayout.LabelSize;
        Assert.InRange(partial, 1UL, 999UL);

        var resumed = new Initializer([good]).Run(options);
        Assert.Equal(partial, resumed.ResumedFrom);
        new Initializer([good]).Run(options with { DataDir = fresh.Path });
        Assert.Equal(LabelFiles.ReadAll(fresh.Path), LabelFiles.ReadAll(dir.Path));
        Assert.Equal(File.ReadAllText(Path.Combine(fresh.Path, PostMetadata.FileName)),
            File.ReadAllText(Path.Combine(dir.Path, PostMetadata.FileName)));
    }

    /// <summary>
    /// Writes LE64(index) into each output; can be slow, fail at its n-th chunk (after an event), or block from its n-th
    /// chunk on until cancelled.
    /// </summary>
    private sealed class FakeProvider(string id, int batch, Func<ulong, TimeSpan>? delay = null, int failAt = -1,
        ManualResetEventSlim? failAfter = null, int blockFrom = -1) : ILabelProvider
    {
        private int _chunks;
        private volatile bool _sawCancellation;

        public string Id => id;
        public string Name => $"fake {id}";
        public ProviderKind Kind => ProviderKind.CpuSimd;
        public int Chunks => Volatile.Read(ref _chunks);
        public bool SawCancellation => _sawCancellation;

        /// <summary>Set when a call starts blocking.</summary>
        public ManualResetEventSlim Entered { get; } = new();

        public int PreferredBatchSize(ulong scryptN) => batch;

        public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count, Span<byte> output32,
            CancellationToken cancellationToken = default)
        {
            int chunk = Interlocked.Increment(ref _chunks) - 1;
            if (chunk == failAt)
            {
                Assert.True(failAfter?.Wait(Patience, CancellationToken.None) ?? true);
                throw new IOException($"{id} broke at chunk {chunk}");
            }

            if (blockFrom >= 0 && chunk >= blockFrom)
            {
                Entered.Set();
                _sawCancellation = cancellationToken.WaitHandle.WaitOne(Patience);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (delay?.Invoke(startIndex) is { } wait && wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(output32[(i * 32)..], startIndex + (ulong)i);
            }
        }

        public void Dispose() => Entered.Dispose();
    }

    /// <summary>A real provider that fails once it has computed a number of labels.</summary>
    private sealed class FailAfterProvider(ILabelProvider inner, long failAfterLabels) : ILabelProvider
    {
        private long _labels;

        public string Id => inner.Id;
        public string Name => inner.Name;
        public ProviderKind Kind => inner.Kind;

        public int PreferredBatchSize(ulong scryptN) => inner.PreferredBatchSize(scryptN);

        public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count, Span<byte> output32,
            CancellationToken cancellationToken = default)
        {
            if (Interlocked.Add(ref _labels, count) > failAfterLabels)
            {
                throw new IOException("the device went away");
            }

            inner.ComputeOutputs(commitment, scryptN, startIndex, count, output32, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
