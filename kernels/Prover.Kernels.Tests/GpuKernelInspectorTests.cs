using System.Text.RegularExpressions;
using Prover.Kernels.Gpu;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// Reads the PTX that ILGPU generates for the label kernel (no GPU needed): the scrypt state must stay in registers
/// (no local-memory frame), scratch traffic must use 16-byte vector accesses, and the launch bound must be emitted.
/// </summary>
public partial class GpuKernelInspectorTests
{
    [Theory]
    [InlineData(8192, 1, ScratchLayout.BlockMajor, RecomputeMode.Interleaved)]
    [InlineData(8192, 4, ScratchLayout.BlockMajor, RecomputeMode.Interleaved)]
    [InlineData(8192, 2, ScratchLayout.ThreadMajor, RecomputeMode.Lockstep)]
    public void Kernel_PTX_keeps_state_in_registers_and_uses_vector_accesses(int n, int gap, ScratchLayout layout,
        RecomputeMode mode)
    {
        string ptx = GpuKernelInspector.GeneratePtx(n, gap, layout, mode, groupSize: 128);
        if (Environment.GetEnvironmentVariable("PROVER_DUMP_PTX") is { Length: > 0 } dir)
            File.WriteAllText(Path.Combine(dir, $"label_n{n}_g{gap}_{layout}_{mode}.ptx"), ptx);

        Assert.Contains(".entry", ptx);
        Assert.Contains(".maxntid 128", ptx);
        Assert.DoesNotContain(".local", ptx);
        Assert.Matches(LoadV4(), ptx);
        Assert.Matches(StoreV4(), ptx);
    }

    [GeneratedRegex(@"ld\.global(\.[a-z]+)*\.v4\.[bu]32")]
    private static partial Regex LoadV4();

    [GeneratedRegex(@"st\.global(\.[a-z]+)*\.v4\.[bu]32")]
    private static partial Regex StoreV4();
}
