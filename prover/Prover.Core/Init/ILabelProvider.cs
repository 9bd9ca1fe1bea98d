namespace Prover.Core.Init;

/// <summary>What kind of hardware a label provider runs on.</summary>
public enum ProviderKind
{
    /// <summary>CPU SIMD lanes (Vector512/256/128 or scalar), multi-threaded.</summary>
    CpuSimd,
    /// <summary>ILGPU CPU accelerator (slow; used by tests and as a kernel-correctness check).</summary>
    IlgpuCpu,
    /// <summary>NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>OpenCL device through ILGPU's OpenCL backend.</summary>
    OpenCL,
}

/// <summary>
/// Computes full 32-byte scrypt-jane outputs for consecutive label indices
/// (password = commitment ‖ LE64(index) ‖ 0^32, empty salt, N, r = 1, p = 1).
/// The first 16 bytes of each output are the label stored on disk; all 32 bytes take part in the VRF nonce search.
/// Implementations must be safe to call from one thread at a time; different providers run concurrently.
/// </summary>
public interface ILabelProvider : IDisposable
{
    /// <summary>Stable identifier used by <c>--provider</c> (e.g. "cpu", "cuda:0", "ilgpu-cpu").</summary>
    string Id { get; }

    /// <summary>Human readable description (device name, SIMD level, threads).</summary>
    string Name { get; }

    ProviderKind Kind { get; }

    /// <summary>A good number of labels to hand over in one call (a multiple of the provider's natural width).</summary>
    int PreferredBatchSize(ulong scryptN);

    /// <summary>
    /// Computes outputs for labels <paramref name="startIndex"/> … startIndex + count − 1 into <paramref name="output32"/>
    /// (count × 32 bytes, label-major).
    /// </summary>
    void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count, Span<byte> output32,
        CancellationToken cancellationToken = default);
}
