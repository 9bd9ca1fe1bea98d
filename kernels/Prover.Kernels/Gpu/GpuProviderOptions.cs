namespace Prover.Kernels.Gpu;

/// <summary>Tuning knobs of <see cref="GpuLabelProvider"/>. The defaults are the fastest settings measured on an H100
/// (bench/results/gpu-init.md); every value can be overridden for other devices.</summary>
public sealed record GpuProviderOptions
{
    /// <summary>Store every g-th V block and recompute the others (1, 2, 4 or 8; clamped to N). 4 was fastest on an
    /// H100 at N = 8192 (0.83 M labels/s against 0.74 M at gap 2 and 0.40–0.52 M at gap 1): the random 128-byte reads
    /// of a 64 GiB scratch, not the ChaCha arithmetic, limit gap 1.</summary>
    public int LookupGap { get; init; } = 4;

    /// <summary>True when the user left the lookup gap to the tool: GPUs then use <see cref="LookupGap"/> and the ILGPU
    /// CPU accelerator uses 1, because on the simulator the recomputation a gap saves memory with is far dearer than
    /// the memory (about 5 labels/s at gap 4 against 350-570 at gap 1 at N = 8192 on a 2-core Zen 5).</summary>
    public bool AutoLookupGap { get; init; }

    /// <summary>Threads per group (work-group size). 0 = backend default (128 on GPUs, the device maximum on the ILGPU
    /// CPU accelerator).</summary>
    public int GroupSize { get; init; }

    /// <summary>Labels per kernel launch. 0 = derived from free device memory (scratch = batch × N/gap × 128 bytes).</summary>
    public int BatchSize { get; init; }

    /// <summary>Fraction of the free device memory the scratch buffer may use when <see cref="BatchSize"/> is 0.</summary>
    public double MemoryFraction { get; init; } = 0.90;

    public ScratchLayout Layout { get; init; } = ScratchLayout.BlockMajor;

    public RecomputeMode Recompute { get; init; } = RecomputeMode.Interleaved;

    /// <summary>Minimum groups per multiprocessor passed to the compiler as a launch bound (0 = none). Higher values make
    /// the compiler use fewer registers per thread.</summary>
    public int MinGroupsPerMultiprocessor { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LookupGap is not (1 or 2 or 4 or 8))
            throw new ArgumentException($"lookup gap must be 1, 2, 4 or 8 (got {LookupGap})", nameof(LookupGap));
        if (GroupSize < 0 || GroupSize > 1024 || (GroupSize & (GroupSize - 1)) != 0)
            throw new ArgumentException($"group size must be 0 (auto) or a power of two ≤ 1024 (got {GroupSize})",
                nameof(GroupSize));
        if (BatchSize < 0)
            throw new ArgumentException($"batch size must be ≥ 0 (got {BatchSize})", nameof(BatchSize));
        if (MemoryFraction is <= 0 or > 0.98)
            throw new ArgumentException($"memory fraction must be in (0, 0.98] (got {MemoryFraction})",
                nameof(MemoryFraction));
        if (!Enum.IsDefined(Layout))
            throw new ArgumentException($"unknown scratch layout {Layout}", nameof(Layout));
        if (!Enum.IsDefined(Recompute))
            throw new ArgumentException($"unknown recompute mode {Recompute}", nameof(Recompute));
        if (MinGroupsPerMultiprocessor < 0)
            throw new ArgumentException("minimum groups per multiprocessor must be ≥ 0", nameof(MinGroupsPerMultiprocessor));
    }
}
