using System.Diagnostics;
using Prover.Core.Init;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary><see cref="CpuLabelProvider"/> (threads, batching, cancellation) against the single-threaded scalar path.</summary>
public class SimdLabelProviderTests
{
    private static byte[] Scalar(byte[] commitment, ulong n, ulong start, int count)
    {
        var output = new byte[count * 32];
        using var scratch = new ScryptScratch();
        ScryptLanes.ComputeOutputs(commitment, n, start, output, SimdLevel.Scalar, scratch);
        return output;
    }

    public static TheoryData<int, SimdLevel> ThreadsAndLevels()
    {
        var data = new TheoryData<int, SimdLevel>();
        foreach (int threads in new[] { 1, 2 })
        {
            foreach (var level in SimdLevels.All)
            {
                data.Add(threads, level);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ThreadsAndLevels))]
    public void Provider_equals_the_scalar_path(int threads, SimdLevel level)
    {
        var commitment = new byte[32];
        new Random(threads * 10 + (int)level).NextBytes(commitment);
        using var provider = new CpuLabelProvider(threads, level);
        foreach (var (n, start, count) in new[] { (64UL, 5UL, 37), (2UL, 4294967290UL, 100), (512UL, 0UL, 3) })
        {
            var output = new byte[count * 32];
            provider.ComputeOutputs(commitment, n, start, count, output);
            Assert.Equal(Scalar(commitment, n, start, count), output);
        }
    }

    [Fact]
    public void Default_provider_uses_the_best_level_and_all_cores()
    {
        using var provider = new CpuLabelProvider();
        Assert.Equal("cpu", provider.Id);
        Assert.Equal(ProviderKind.CpuSimd, provider.Kind);
        Assert.Equal(SimdLevels.Best, provider.Level);
        Assert.Equal(Environment.ProcessorCount, provider.Threads);
        Assert.Contains($"{SimdLevels.Best}×{SimdLevels.Lanes(SimdLevels.Best)}", provider.Name);
        Assert.Contains($"{Environment.ProcessorCount} thread", provider.Name);
    }

    [Theory]
    [InlineData(1, SimdLevel.V512)]
    [InlineData(3, SimdLevel.V128)]
    public void Preferred_batch_is_a_multiple_of_lanes_times_threads(int threads, SimdLevel level)
    {
        using var provider = new CpuLabelProvider(threads, level);
        int unit = SimdLevels.Lanes(level) * threads;
        foreach (ulong n in new ulong[] { 2, 512, 8192, 1 << 20 })
        {
            int batch = provider.PreferredBatchSize(n);
            Assert.True(batch >= unit * 8, $"N={n}: {batch}");
            Assert.Equal(0, batch % unit);
        }

        Assert.True(provider.PreferredBatchSize(2) > provider.PreferredBatchSize(8192));
    }

    [Fact]
    public void Only_count_outputs_are_written()
    {
        using var provider = new CpuLabelProvider(2, SimdLevel.V128);
        var output = Enumerable.Repeat((byte)0xAB, 10 * 32).ToArray();
        provider.ComputeOutputs(new byte[32], 4, 9, 7, output);
        Assert.Equal(Scalar(new byte[32], 4, 9, 7), output.AsSpan(0, 7 * 32).ToArray());
        Assert.All(output.AsSpan(7 * 32).ToArray(), b => Assert.Equal(0xAB, b));
        provider.ComputeOutputs(new byte[32], 4, 9, 0, output);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        using var provider = new CpuLabelProvider(2, SimdLevel.V128);
        Assert.Throws<ArgumentException>(() => provider.ComputeOutputs(new byte[32], 4, 0, 3, new byte[64]));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.ComputeOutputs(new byte[32], 6, 0, 1, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.ComputeOutputs(new byte[32], 4, 0, -1, new byte[32]));
        Assert.Throws<ArgumentException>(() => provider.ComputeOutputs(new byte[16], 4, 0, 1, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuLabelProvider(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuLabelProvider(1, (SimdLevel)5));
    }

    [Fact]
    public void A_cancelled_call_stops_between_groups_and_the_provider_stays_usable()
    {
        using var provider = new CpuLabelProvider(2, SimdLevels.Best);
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel();
            Assert.Throws<OperationCanceledException>(() => provider.ComputeOutputs(new byte[32], 4, 0, 100, new byte[3200], cancelled.Token));
        }

        // 100 000 labels at N = 8192 take minutes. Cancelled after 50 ms, the call must stop after the groups in flight:
        // counted in labels written, not in seconds, so that a loaded machine (which slows both) cannot fail it.
        const int count = 100_000;
        var output = new byte[count * 32];
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var watch = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => provider.ComputeOutputs(new byte[32], 8192, 0, count, output, cts.Token));
        int written = Enumerable.Range(0, count).Count(i => output.AsSpan(i * 32, 32).IndexOfAnyExcept((byte)0) >= 0);
        Assert.True(written < count / 20, $"{written} of {count} labels written before the cancellation took effect ({watch.Elapsed})");

        var after = new byte[5 * 32];
        provider.ComputeOutputs(new byte[32], 2, 0, 5, after);
        Assert.Equal(Scalar(new byte[32], 2, 0, 5), after);
    }

    [Fact]
    public void A_disposed_provider_refuses_work()
    {
        var provider = new CpuLabelProvider(2, SimdLevel.V128);
        provider.Dispose();
        provider.Dispose();
        Assert.Throws<ObjectDisposedException>(() => provider.ComputeOutputs(new byte[32], 4, 0, 1, new byte[32]));
    }
}
