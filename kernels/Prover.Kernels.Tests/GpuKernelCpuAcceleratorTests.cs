using Prover.Core.Init;
using Prover.Kernels.Gpu;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// The ILGPU label kernel executed on ILGPU's CPU accelerator (the same kernel code the CUDA and OpenCL backends
/// compile), against the spec vectors and the scalar oracle. N stays small: the CPU accelerator is slow.
/// </summary>
public class GpuKernelCpuAcceleratorTests
{
    private static byte[] Compute(GpuLabelProvider provider, byte[] commitment, ulong n, ulong start, int count)
    {
        var output = new byte[count * 32];
        Array.Fill(output, (byte)0xA5); // poison: every byte must be written
        provider.ComputeOutputs(commitment, n, start, count, output);
        return output;
    }

    [Theory]
    [InlineData("N2_commitment_node77_atx0", 1)]
    [InlineData("N2_commitment_node77_atx0", 4)]
    [InlineData("N4_commitment_zero", 1)]
    [InlineData("N4_commitment_zero", 2)]
    [InlineData("N4_commitment_zero", 4)]
    [InlineData("N32_commitment_zero", 1)]
    [InlineData("N32_commitment_zero", 2)]
    [InlineData("N32_commitment_zero", 4)]
    public void Spec_label_vectors(string set, int gap)
    {
        (ulong n, byte[] commitment) = GpuTestSupport.LabelSet(set);
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(gap);
        Assert.Equal(ProviderKind.IlgpuCpu, provider.Kind);
        Assert.Equal("ilgpu-cpu", provider.Id);
        foreach ((ulong index, string expected) in GpuTestSupport.LabelVectors(set))
            Assert.Equal(expected, Convert.ToHexStringLower(Compute(provider, commitment, n, index, 1)));
    }

    [Theory]
    [InlineData(1, RecomputeMode.Lockstep)]
    [InlineData(4, RecomputeMode.Interleaved)]
    public void Gpu_post_vectors_at_N512(int gap, RecomputeMode mode)
    {
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(gap, mode);
        List<(ulong Index, string Output)> vectors = GpuTestSupport.GpuPostVectors();
        // A few consecutive labels in one call, from a start that is not a multiple of anything.
        const int start = 61, count = 5;
        byte[] output = Compute(provider, new byte[32], 512, start, count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal((ulong)(start + i), vectors[start + i].Index);
            Assert.Equal(vectors[start + i].Output, Convert.ToHexStringLower(output, i * 32, 32));
        }
    }

    public static TheoryData<int, RecomputeMode, ScratchLayout> Shapes() => new()
    {
        { 1, RecomputeMode.Lockstep, ScratchLayout.BlockMajor },
        { 1, RecomputeMode.Lockstep, ScratchLayout.ThreadMajor },
        { 1, RecomputeMode.Lockstep, ScratchLayout.Interleaved16 },
        { 2, RecomputeMode.Lockstep, ScratchLayout.BlockMajor },
        { 2, RecomputeMode.Interleaved, ScratchLayout.Interleaved16 },
        { 4, RecomputeMode.Lockstep, ScratchLayout.ThreadMajor },
        { 4, RecomputeMode.Interleaved, ScratchLayout.BlockMajor },
        { 4, RecomputeMode.Interleaved, ScratchLayout.ThreadMajor },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Random_labels_match_the_oracle_across_launches(int gap, RecomputeMode mode, ScratchLayout layout)
    {
        // Batch 24 with groups of 16: every launch ends in a partial group, 53 labels take three launches (the last
        // one partial), so both page-locked buffers and the drain order are exercised.
        var rng = new Random(gap * 100 + (int)mode * 10 + (int)layout);
        var commitment = new byte[32];
        rng.NextBytes(commitment);
        ulong start = (ulong)rng.NextInt64(0, long.MaxValue);
        const ulong n = 64;
        const int count = 53;
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(gap, mode, layout, batch: 24, groupSize: 16);
        byte[] actual = Compute(provider, commitment, n, start, count);
        Assert.Equal(24, provider.BatchSize);
        GpuTestSupport.AssertSameOutputs(GpuTestSupport.OracleOutputs(commitment, n, start, count), actual, start,
            $"gap {gap} {mode} {layout}");
    }

    [Fact]
    public void Indices_across_the_32_bit_boundary_and_changing_N_reuse_one_provider()
    {
        var commitment = new byte[32];
        new Random(5).NextBytes(commitment);
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(2, batch: 16, groupSize: 16);
        ulong start = (1UL << 32) - 7;
        foreach (ulong n in new ulong[] { 16, 2, 128 })
        {
            byte[] actual = Compute(provider, commitment, n, start, 13);
            GpuTestSupport.AssertSameOutputs(GpuTestSupport.OracleOutputs(commitment, n, start, 13), actual, start,
                $"N={n}");
            Assert.Equal((int)Math.Min(2UL, n), provider.EffectiveLookupGap);
        }
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_the_parameter_named()
    {
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(1, batch: 16, groupSize: 16);
        var output = new byte[64];
        Assert.Equal("commitment",
            Assert.Throws<ArgumentException>(() => provider.ComputeOutputs(new byte[31], 16, 0, 2, output)).ParamName);
        Assert.Equal("scryptN",
            Assert.Throws<ArgumentOutOfRangeException>(() => provider.ComputeOutputs(new byte[32], 24, 0, 2, output)).ParamName);
        Assert.Equal("output32",
            Assert.Throws<ArgumentException>(() => provider.ComputeOutputs(new byte[32], 16, 0, 3, output)).ParamName);
        Assert.Throws<ArgumentException>(() => GpuLabelProvider.CreateIlgpuCpu(new GpuProviderOptions { LookupGap = 3 }));
    }

    [Fact]
    public void Cancellation_stops_between_launches_and_leaves_the_provider_usable()
    {
        var commitment = new byte[32];
        using GpuLabelProvider provider = GpuTestSupport.CpuProvider(1, batch: 16, groupSize: 16);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(
            () => provider.ComputeOutputs(commitment, 16, 0, 40, new byte[40 * 32], cts.Token));
        byte[] actual = Compute(provider, commitment, 16, 3, 20);
        GpuTestSupport.AssertSameOutputs(GpuTestSupport.OracleOutputs(commitment, 16, 3, 20), actual, 3, "after cancel");
    }
}
