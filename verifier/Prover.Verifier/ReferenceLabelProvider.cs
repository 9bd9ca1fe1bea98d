using Prover.Core.Init;

namespace Prover.Verifier;

/// <summary>
/// The scalar oracle as a label provider (<c>--provider reference</c>): slow, but the yardstick every other provider
/// is compared with. Labels are spread over <paramref name="threads"/> threads (0 = all cores).
/// </summary>
public sealed class ReferenceLabelProvider(int threads = 1) : ILabelProvider
{
    private readonly int _threads = threads <= 0 ? Environment.ProcessorCount : threads;

    public string Id => "reference";

    public string Name => $"scalar reference (oracle), {_threads} thread{(_threads == 1 ? "" : "s")}";

    public ProviderKind Kind => ProviderKind.CpuSimd;

    public int PreferredBatchSize(ulong scryptN) => _threads * (scryptN <= 64 ? 256 : 4);

    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count,
        Span<byte> output32, CancellationToken cancellationToken = default)
    {
        if (output32.Length < count * 32)
        {
            throw new ArgumentException("output buffer too small", nameof(output32));
        }

        var c = commitment.ToArray();
        var results = new byte[count * 32];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken },
            i => Labels.Output32(c, startIndex + (ulong)i, scryptN, results.AsSpan(i * 32, 32)));
        results.CopyTo(output32);
    }

    public void Dispose()
    {
    }
}
