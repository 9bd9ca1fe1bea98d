using System.Text.Json;
using Prover.Kernels.Simd;
using Prover.Verifier;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// Every SIMD level of the multi-lane scrypt against the known-answer label vectors and against the scalar oracle
/// (<see cref="Labels.Output32"/>). All four levels run in-process whatever the hardware: a level that is not
/// accelerated is emulated by the runtime, which must still give the same bytes.
/// </summary>
public class SimdScryptTests
{
    public static TheoryData<SimdLevel> Levels => new(SimdLevels.All);

    /// <summary>Runs exactly at <paramref name="level"/> (no narrower tail groups), with a fresh scratch.</summary>
    private static byte[] Compute(byte[] commitment, ulong n, ulong start, int count, SimdLevel level)
    {
        var output = new byte[count * 32];
        using var scratch = new ScryptScratch();
        ScryptLanes.Compute(commitment, n, start, output, level, scratch, narrowTail: false, CancellationToken.None);
        return output;
    }

    private static byte[] Oracle(byte[] commitment, ulong n, ulong start, int count)
    {
        var output = new byte[count * 32];
        for (int i = 0; i < count; i++)
        {
            Labels.Output32(commitment, unchecked(start + (ulong)i), n, output.AsSpan(i * 32, 32));
        }

        return output;
    }

    /// <summary>The label vector groups of vectors_basic.json: (N, commitment, [(index, out32)]).</summary>
    private static IEnumerable<(ulong N, byte[] Commitment, List<(ulong Index, string Out)> Labels)> BasicVectors()
    {
        var root = TestVectors.Load("vectors_basic.json");
        var commitments = root.GetProperty("commitments");
        foreach (var group in root.GetProperty("labels").EnumerateObject())
        {
            // Group names look like "N8192_commitment_zero" or "N2_commitment_node77_atx0".
            string name = group.Name;
            int underscore = name.IndexOf('_', StringComparison.Ordinal);
            ulong n = ulong.Parse(name.AsSpan(1, underscore - 1));
            string which = name[(underscore + "_commitment_".Length)..];
            byte[] commitment = which == "zero" ? new byte[32] : commitments.GetProperty(which).GetProperty("commitment").Hex();
            var labels = group.Value.EnumerateArray()
                .Select(e => (e.GetProperty("index").GetUInt64(), e.GetProperty("scrypt_out32").GetString()!))
                .ToList();
            yield return (n, commitment, labels);
        }
    }

    [Fact]
    public void The_basic_vectors_cover_every_N_and_the_32_bit_boundary()
    {
        var groups = BasicVectors().ToList();
        Assert.Equal(new ulong[] { 2, 4, 32, 512, 8192 }, groups.Select(g => g.N).Distinct().Order());
        var n8192 = groups.Single(g => g.N == 8192).Labels.Select(l => l.Index).ToList();
        Assert.Contains(4294967295UL, n8192);
        Assert.Contains(4294967296UL, n8192);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Every_label_vector_matches(SimdLevel level)
    {
        int checkedCount = 0;
        foreach (var (n, commitment, labels) in BasicVectors())
        {
            // Consecutive indices are computed in one call (several lanes of one group), isolated ones on their own.
            int i = 0;
            while (i < labels.Count)
            {
                int run = 1;
                while (i + run < labels.Count && labels[i + run].Index == labels[i].Index + (ulong)run)
                {
                    run++;
                }

                var output = Compute(commitment, n, labels[i].Index, run, level);
                for (int k = 0; k < run; k++)
                {
                    Assert.Equal(labels[i + k].Out, output.AsSpan(32 * k, 32).ToArray().ToHex());
                    checkedCount++;
                }

                i += run;
            }
        }

        Assert.Equal(23, checkedCount);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void All_128_gpu_post_outputs_match(SimdLevel level)
    {
        var root = TestVectors.Load("upstream_gpu_post_n512.json");
        ulong n = root.GetProperty("n").GetUInt64();
        byte[] commitment = root.GetProperty("commitment").Hex();
        var expected = root.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(128, expected.Count);
        Assert.Equal(512UL, n);

        var output = Compute(commitment, n, 0, expected.Count, level);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal((ulong)i, expected[i].GetProperty("index").GetUInt64());
            Assert.Equal(expected[i].GetProperty("scrypt_out32").GetString(), output.AsSpan(32 * i, 32).ToArray().ToHex());
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Random_commitments_starts_and_ragged_counts_match_the_oracle(SimdLevel level)
    {
        var rng = new Random(7 + (int)level);
        (ulong N, int Count)[] cases = [(2, 1), (4, 3), (2, 21), (16, 5), (64, 17), (128, 9), (256, 2), (512, 7)];
        foreach (var (n, count) in cases)
        {
            var commitment = new byte[32];
            rng.NextBytes(commitment);
            ulong start = (ulong)rng.NextInt64() >> rng.Next(0, 40);
            Assert.Equal(Oracle(commitment, n, start, count).ToHex(), Compute(commitment, n, start, count, level).ToHex());
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Indices_wrap_like_the_oracle_at_the_top_of_the_64_bit_range(SimdLevel level)
    {
        var commitment = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        ulong start = ulong.MaxValue - 2;
        Assert.Equal(Oracle(commitment, 4, start, 5).ToHex(), Compute(commitment, 4, start, 5, level).ToHex());
    }

    [Theory]
    [InlineData(SimdLevel.V512)]
    [InlineData(SimdLevel.V256)]
    public void Narrowed_tail_groups_give_the_same_outputs(SimdLevel level)
    {
        var commitment = new byte[32];
        new Random(3).NextBytes(commitment);
        int lanes = SimdLevels.Lanes(level);
        var expected = Oracle(commitment, 8, 1000, lanes + 3);
        for (int count = 1; count <= lanes + 3; count++)
        {
            var output = new byte[count * 32];
            ScryptLanes.ComputeOutputs(commitment, 8, 1000, output, level);
            Assert.Equal(expected.AsSpan(0, count * 32).ToArray().ToHex(), output.ToHex());
        }
    }

    [Fact]
    public void Tail_level_is_the_narrowest_accelerated_level_that_covers_the_tail()
    {
        foreach (var level in SimdLevels.All)
        {
            for (int remaining = 1; remaining < SimdLevels.Lanes(level); remaining++)
            {
                var tail = ScryptLanes.TailLevel(level, remaining);
                Assert.True(tail <= level);
                Assert.True(tail == level || (SimdLevels.IsSupported(tail) && SimdLevels.Lanes(tail) >= remaining));
            }
        }

        if (SimdLevels.IsSupported(SimdLevel.V128))
        {
            Assert.Equal(SimdLevel.V128, ScryptLanes.TailLevel(SimdLevel.V512, 3));
        }
    }

    public static TheoryData<SimdLevel, int, int, bool> ForcedPlans()
    {
        var data = new TheoryData<SimdLevel, int, int, bool>();
        foreach (var level in SimdLevels.All)
        {
            // (interleave, ways, streaming stores): single group, groups taking turns with prefetch, interleaved pairs,
            // pairs taking turns, and odd shapes the planner never picks but the core must still get right.
            data.Add(level, 1, 2, true);
            data.Add(level, 2, 2, false);
            data.Add(level, 2, 4, true);
            data.Add(level, 1, 3, false);
            data.Add(level, 2, 6, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ForcedPlans))]
    public void Every_group_plan_matches_the_oracle(SimdLevel level, int interleave, int ways, bool stream)
    {
        var commitment = new byte[32];
        new Random(ways * 31 + interleave).NextBytes(commitment);
        var plan = new GroupPlan(interleave, ways, stream);
        int lanes = SimdLevels.Lanes(level);

        // One full batch plus a ragged one of lanes + 1 labels (two groups: a smaller plan from GroupPlan.For).
        int count = (lanes * ways) + lanes + 1;
        var output = new byte[count * 32];
        using var scratch = new ScryptScratch();
        ScryptLanes.Compute(commitment, 64, 12345, output, level, scratch, narrowTail: false, CancellationToken.None, plan);
        Assert.Equal(Oracle(commitment, 64, 12345, count).ToHex(), output.ToHex());
    }

    [Fact]
    public void Plans_interleave_on_avx512_and_pipeline_when_V_outgrows_the_caches()
    {
        foreach (var level in SimdLevels.All)
        {
            foreach (ulong n in new ulong[] { 2, 512, 8192, 1 << 16 })
            {
                var plan = ScryptLanes.Plan(level, n);
                Assert.True(plan.Interleave is 1 or 2);
                Assert.Equal(0, plan.Ways % plan.Interleave);
                Assert.True(plan.Ways == plan.Interleave || plan.Ways == 2 * plan.Interleave);
                ulong bytes = n * (ulong)(SimdLevels.Lanes(level) * plan.Ways) * 128;
                Assert.Equal(bytes >= 8UL << 20, plan.StreamStores);
                Assert.Equal(SimdLevels.Lanes(level) * plan.Ways, ScryptLanes.GroupSize(level, n));
                Assert.Equal((nuint)bytes, ScryptScratch.BytesFor(level, n));
            }

            Assert.Equal(ScryptLanes.Plan(level, 2).Interleave, ScryptLanes.Plan(level, 8192).Interleave);
            Assert.Equal(ScryptLanes.Plan(level, 2).Interleave, ScryptLanes.Plan(level, 2).Ways);
        }

        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Equal(new GroupPlan(2, 4, true), ScryptLanes.Plan(SimdLevel.V512, 8192));
            Assert.Equal(64, ScryptLanes.GroupSize(SimdLevel.V512, 8192));
        }

        Assert.Equal(new GroupPlan(1, 2, true), ScryptLanes.Plan(SimdLevel.Scalar, 1 << 16));
    }

    [Fact]
    public void A_short_batch_gets_the_smallest_plan_that_covers_it()
    {
        var plan = new GroupPlan(2, 4, true);
        Assert.Equal(plan, plan.For(4));
        Assert.Equal(plan, plan.For(9));
        Assert.Equal(new GroupPlan(2, 4, true), plan.For(3));
        Assert.Equal(new GroupPlan(2, 2, true), plan.For(2));
        Assert.Equal(new GroupPlan(1, 1, true), plan.For(1));
        Assert.Equal(new GroupPlan(1, 1, false), new GroupPlan(1, 2, false).For(1));
        Assert.Equal(new GroupPlan(1, 3, false), new GroupPlan(1, 3, false).For(3));
    }

    [Fact]
    public void One_scratch_is_reused_across_levels_and_N()
    {
        var commitment = new byte[32];
        new Random(11).NextBytes(commitment);
        using var scratch = new ScryptScratch();
        foreach (var (n, level) in new[] { (512UL, SimdLevel.V128), (4UL, SimdLevel.V512), (64UL, SimdLevel.Scalar), (256UL, SimdLevel.V256) })
        {
            var output = new byte[6 * 32];
            ScryptLanes.ComputeOutputs(commitment, n, 77, output, level, scratch);
            Assert.Equal(Oracle(commitment, n, 77, 6).ToHex(), output.ToHex());
            Assert.True(scratch.Capacity >= ScryptScratch.BytesFor(level, n));
        }
    }

    [Fact]
    public void Empty_output_computes_nothing()
    {
        ScryptLanes.ComputeOutputs(new byte[32], 8192, 0, Span<byte>.Empty, SimdLevel.V512);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var output = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptLanes.ComputeOutputs(new byte[32], 3, 0, output, SimdLevel.V128));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptLanes.ComputeOutputs(new byte[32], 1, 0, output, SimdLevel.V128));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptLanes.ComputeOutputs(new byte[32], 0, 0, output, SimdLevel.V128));
        Assert.Throws<ArgumentException>(() => ScryptLanes.ComputeOutputs(new byte[31], 4, 0, output, SimdLevel.V128));
        Assert.Throws<ArgumentException>(() => ScryptLanes.ComputeOutputs(new byte[32], 4, 0, new byte[40], SimdLevel.V128));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptLanes.ComputeOutputs(new byte[32], 4, 0, output, (SimdLevel)9));
    }

    [Fact]
    public void Cancellation_is_checked_between_groups()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        using var scratch = new ScryptScratch();
        Assert.Throws<OperationCanceledException>(() =>
            ScryptLanes.ComputeOutputs(new byte[32], 4, 0, new byte[64], SimdLevel.V128, scratch, cts.Token));
    }
}
