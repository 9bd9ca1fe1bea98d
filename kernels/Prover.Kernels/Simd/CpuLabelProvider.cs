using Prover.Core.Init;
using Prover.Core.Threading;

namespace Prover.Kernels.Simd;

/// <summary>
/// The CPU label provider (<c>--provider cpu</c>): multi-lane SIMD scrypt (<see cref="ScryptLanes"/>) on dedicated
/// long-lived threads (a <see cref="WorkerGroup"/>). Each <see cref="ComputeOutputs"/> call is split into lane groups that the calling thread and
/// up to <c>threads − 1</c> worker threads take in turn (so uneven groups balance); every thread owns its ROMix
/// scratch, which is kept between calls. Cancellation is honoured between lane groups.
/// A worker thread is started only when a call has a lane group for it and the scratch of all running threads fits
/// in half the memory available to the process, so a thread count far above the cores (or the work) costs nothing.
/// </summary>
public sealed unsafe class CpuLabelProvider : ILabelProvider
{
    private readonly int _threads;
    private readonly int _lanes;
    private readonly ScryptScratch[] _scratch;
    private readonly WorkerGroup _workers = new("cpu-labels");
    private readonly Action<int, CancellationToken> _runGroups;
    private readonly object _callLock = new();

    // The current job, published to the workers by the semaphore release (a full fence).
    private readonly byte[] _commitment = new byte[32];
    private ulong _n;
    private ulong _start;
    private int _count;
    private byte* _output;
    private int _nextGroup;
    private int _groups;
    private int _groupSize;
    private volatile bool _disposed;

    /// <summary>Creates the provider.</summary>
    /// <param name="threads">Worker threads including the caller; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="level">SIMD level to force; null = <see cref="SimdLevels.Best"/>.</param>
    public CpuLabelProvider(int threads = 0, SimdLevel? level = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Level = level ?? SimdLevels.Best;
        if (!Enum.IsDefined(Level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "unknown SIMD level");
        }

        _threads = threads == 0 ? Environment.ProcessorCount : threads;
        _lanes = SimdLevels.Lanes(Level);
        _scratch = new ScryptScratch[_threads];
        for (int i = 0; i < _threads; i++)
        {
            _scratch[i] = new ScryptScratch();
        }

        _runGroups = RunGroups;
    }

    /// <summary>Largest batch <see cref="PreferredBatchSize"/> suggests: 2^20 labels (32 MiB of outputs).</summary>
    public const int MaxPreferredBatch = 1 << 20;

    /// <inheritdoc />
    public string Id => "cpu";

    /// <inheritdoc />
    public string Name =>
        $"CPU SIMD {Level}×{_lanes}, {_threads} thread{(_threads == 1 ? "" : "s")}" +
        (SimdLevels.IsSupported(Level) ? "" : " (not hardware accelerated: emulated)");

    /// <inheritdoc />
    public ProviderKind Kind => ProviderKind.CpuSimd;

    /// <summary>The SIMD level in use.</summary>
    public SimdLevel Level { get; }

    /// <summary>Threads computing labels (the caller included).</summary>
    public int Threads => _threads;

    /// <summary>
    /// Group size (<see cref="ScryptLanes.GroupSize"/>: lanes × lane groups a thread runs together) × threads × batches
    /// per thread, where the batches per thread shrink with N (8 at N = 8192, about 0.1 s of work) while small N still
    /// gets large, cheap-to-dispatch batches.
    /// </summary>
    public int PreferredBatchSize(ulong scryptN)
    {
        ulong groupsPerThread = Math.Clamp((1UL << 16) / Math.Max(scryptN, 1), 8, 1024);
        ulong unit = (ulong)ScryptLanes.GroupSize(Level, Math.Max(scryptN, 2)) * (ulong)_threads;

        // Thousands of threads would ask for more than an int of labels: fewer groups per thread then (at least one).
        groupsPerThread = Math.Clamp(MaxPreferredBatch / unit, 1, groupsPerThread);
        return (int)Math.Min(unit * groupsPerThread, int.MaxValue / 32);
    }

    /// <inheritdoc />
    public void ComputeOutputs(
        ReadOnlySpan<byte> commitment,
        ulong scryptN,
        ulong startIndex,
        int count,
        Span<byte> output32,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (output32.Length < count * 32L)
        {
            throw new ArgumentException($"output buffer holds {output32.Length} bytes, {count} outputs need {count * 32L}", nameof(output32));
        }

        ScryptLanes.Validate(commitment, scryptN, 0, Level);
        cancellationToken.ThrowIfCancellationRequested();
        if (count == 0)
        {
            return;
        }

        output32 = output32[..(count * 32)];
        int groupSize = ScryptLanes.GroupSize(Level, scryptN);
        int groups = (count + groupSize - 1) / groupSize;
        lock (_callLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int threads = _threads == 1 || groups == 1 ? 1 : Math.Min(groups, ThreadsThatFit(scryptN));
            if (threads == 1)
            {
                ScryptLanes.ComputeOutputs(commitment, scryptN, startIndex, output32, Level, _scratch[0], cancellationToken);
                return;
            }

            fixed (byte* output = output32)
            {
                commitment.CopyTo(_commitment);
                _n = scryptN;
                _start = startIndex;
                _count = count;
                _output = output;
                _groups = groups;
                _groupSize = groupSize;
                _nextGroup = 0;
                try
                {
                    _workers.Run(threads, _runGroups, cancellationToken);
                }
                finally
                {
                    _output = null;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Stops the worker threads and frees the scratch memory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        lock (_callLock)
        {
            _disposed = true;
        }

        _workers.Dispose();
        foreach (var scratch in _scratch)
        {
            scratch.Dispose();
        }
    }

    /// <summary>Worker threads started so far (they are started on demand, see the class summary).</summary>
    public int StartedWorkers => _workers.StartedThreads;

    /// <summary>
    /// Threads (the caller included) whose ROMix scratch at <paramref name="scryptN"/> fits in half the memory available
    /// to the process: more would only swap or be killed by the OOM killer, never compute faster.
    /// </summary>
    private int ThreadsThatFit(ulong scryptN)
    {
        ulong perThread = scryptN > uint.MaxValue ? ulong.MaxValue : Math.Max((ulong)ScryptScratch.BytesFor(Level, scryptN), 1);
        ulong budget = (ulong)Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 0) / 2;
        return (int)Math.Clamp(budget / perThread, 1, (ulong)_threads);
    }

    /// <summary>
    /// Worker <paramref name="worker"/>'s share of a call: takes lane groups until none are left or the call's token is
    /// cancelled (by the caller, or by another worker's failure).
    /// </summary>
    private void RunGroups(int worker, CancellationToken token)
    {
        var scratch = _scratch[worker];
        while (!token.IsCancellationRequested)
        {
            int group = Interlocked.Increment(ref _nextGroup) - 1;
            if (group >= _groups)
            {
                return;
            }

            int first = group * _groupSize;
            int take = Math.Min(_groupSize, _count - first);
            var output = new Span<byte>(_output + (32L * first), take * 32);
            ScryptLanes.ComputeOutputs(_commitment, _n, unchecked(_start + (ulong)first), output, Level, scratch, CancellationToken.None);
        }
    }
}
