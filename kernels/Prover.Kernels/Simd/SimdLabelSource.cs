using System.Collections.Concurrent;
using Prover.Core.Init;

namespace Prover.Kernels.Simd;

/// <summary>
/// Recomputes labels at arbitrary indices with the SIMD scrypt lanes (<see cref="ScryptLanes.ComputeOutputsAt"/>): a
/// proof's indices share the vector lanes, and lane groups are spread over <see cref="Threads"/> threads. Gives the
/// same bytes as the scalar oracle. Safe to call from several threads at once (each call takes its own scratch).
/// </summary>
public sealed class SimdLabelSource : ILabelSource, IDisposable
{
    private readonly ConcurrentBag<ScryptScratch> _scratch = [];
    private bool _disposed;

    /// <summary>Creates a source.</summary>
    /// <param name="threads">Threads per call; 0 = all cores.</param>
    /// <param name="level">The vector width; the best the CPU has when null.</param>
    public SimdLabelSource(int threads = 0, SimdLevel? level = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        Level = level ?? SimdLevels.Best;
    }

    /// <summary>Threads one call uses at most.</summary>
    public int Threads { get; }

    /// <summary>The vector width.</summary>
    public SimdLevel Level { get; }

    /// <inheritdoc/>
    public string Name => $"SIMD scrypt lanes ({Level}), {Threads} thread{(Threads == 1 ? "" : "s")}";

    /// <inheritdoc/>
    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ReadOnlySpan<ulong> indices, Span<byte> output32,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (output32.Length != indices.Length * 32)
        {
            throw new ArgumentException($"{indices.Length} indices need {indices.Length * 32} output bytes", nameof(output32));
        }

        int lanes = SimdLevels.Lanes(Level);
        // Chunks of whole vectors, as many as threads (fewer when there are few indices).
        int chunks = Math.Max(1, Math.Min(Threads, (indices.Length + lanes - 1) / lanes));
        if (chunks == 1)
        {
            Run(commitment, scryptN, indices, output32, cancellationToken);
            return;
        }

        int per = (((indices.Length + chunks - 1) / chunks) + lanes - 1) / lanes * lanes;
        var c = commitment.ToArray();
        var all = indices.ToArray();
        var results = new byte[output32.Length];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks, CancellationToken = cancellationToken }, k =>
        {
            int start = k * per;
            int count = Math.Min(per, all.Length - start);
            if (count > 0)
            {
                Run(c, scryptN, all.AsSpan(start, count), results.AsSpan(start * 32, count * 32), cancellationToken);
            }
        });
        results.CopyTo(output32);
    }

    private void Run(ReadOnlySpan<byte> commitment, ulong scryptN, ReadOnlySpan<ulong> indices, Span<byte> output32,
        CancellationToken cancellationToken)
    {
        var scratch = _scratch.TryTake(out var s) ? s : new ScryptScratch();
        try
        {
            ScryptLanes.ComputeOutputsAt(commitment, scryptN, indices, output32, Level, scratch, cancellationToken);
        }
        finally
        {
            _scratch.Add(scratch);
        }
    }

    /// <summary>Frees the scratch memory.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_scratch.TryTake(out var scratch))
        {
            scratch.Dispose();
        }
    }
}
