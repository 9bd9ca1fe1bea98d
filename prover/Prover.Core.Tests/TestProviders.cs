using Prover.Core.Init;
using Prover.Kernels.Simd;

namespace Prover.Core.Tests;

/// <summary>The label provider the Core tests initialize with: the CPU SIMD provider (itself tested against the
/// scalar oracle in the kernels' tests), which also makes these tests exercise the production path.</summary>
internal static class TestProviders
{
    public static ILabelProvider Fast() => new CpuLabelProvider(2);
}

/// <summary>Hands the initializer small chunks, so interruptions land between many checkpoints.</summary>
internal sealed class SmallBatchProvider(ILabelProvider inner, int batch) : ILabelProvider
{
    public string Id => inner.Id;
    public string Name => inner.Name;
    public ProviderKind Kind => inner.Kind;
    public int PreferredBatchSize(ulong scryptN) => batch;

    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count,
        Span<byte> output32, CancellationToken cancellationToken = default) =>
        inner.ComputeOutputs(commitment, scryptN, startIndex, count, output32, cancellationToken);

    public void Dispose() => inner.Dispose();
}
