using System.Collections.Concurrent;
using System.Diagnostics;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Threading;

namespace Prover.Core.Proving;

/// <summary>How a proof is searched for.</summary>
public sealed record ProvingOptions
{
    /// <summary>Nonces per pass: a positive multiple of 16, at most 4096 (go-spacemesh mainnet uses 288).</summary>
    public int Nonces { get; init; } = 288;

    /// <summary>Scanning threads; 0 = all cores. With 1 thread the result is deterministic (post-rs with one core).</summary>
    public int Threads { get; init; }

    /// <summary>First nonce of the first pass (a multiple of 16; post-rs always starts at 0). Lets a restarted prover skip passes it already ran.</summary>
    public uint StartNonce { get; init; }

    /// <summary>Bytes per read (a multiple of 128). Batches never span two files.</summary>
    public int BatchSize { get; init; } = 4 << 20;

    /// <summary>Extra read buffers beyond one per thread, so the reader stays ahead.</summary>
    public int ReadAhead { get; init; } = 4;

    /// <summary>Minimum time between two progress reports while scanning.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public void Validate()
    {
        if (Nonces <= 0 || Nonces % ProvingConstants.NoncesPerGroup != 0 || Nonces > ProvingConstants.MaxNonces)
        {
            throw new ArgumentException($"nonces must be a positive multiple of 16 and at most {ProvingConstants.MaxNonces} (got {Nonces}).");
        }

        if (StartNonce % ProvingConstants.NoncesPerGroup != 0 || StartNonce >= ProvingConstants.MaxNonces)
        {
            throw new ArgumentException($"the start nonce must be a multiple of 16 below {ProvingConstants.MaxNonces} (got {StartNonce}).");
        }

        if (Threads < 0)
        {
            throw new ArgumentException($"threads must be 0 (all cores) or positive (got {Threads}).");
        }

        if (BatchSize <= 0 || BatchSize % ProvingConstants.ChunkSize != 0)
        {
            throw new ArgumentException($"the batch size must be a positive multiple of {ProvingConstants.ChunkSize} bytes (got {BatchSize}).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ReadAhead);
    }

    public int EffectiveThreads => Threads == 0 ? Environment.ProcessorCount : Threads;
}

/// <summary>
/// Proof generation (spec §4.6, post-rs <c>generate_proof</c>): pass after pass over consecutive nonce ranges, each
/// pass computing the k2pows of its groups, deriving the AES keys and scanning all data once, until one nonce has k2
/// good labels. A reader thread streams the data in large sequential reads into a bounded set of buffers while the
/// scanning threads evaluate them.
/// </summary>
public sealed class PostProver
{
    private readonly IProvingScannerFactory _scanners;
    private readonly IK2PowProver _pow;

    public PostProver(IProvingScannerFactory scanners, IK2PowProver pow)
    {
        ArgumentNullException.ThrowIfNull(scanners);
        ArgumentNullException.ThrowIfNull(pow);
        _scanners = scanners;
        _pow = pow;
    }

    /// <summary>
    /// Proves the data of <paramref name="dataDir"/> (its <c>postdata_metadata.json</c> gives ids, units and file size).
    /// The files are checked against the metadata first (<see cref="PostDataCheck.CheckFiles"/>): missing, misplaced or
    /// short data fails at once with <see cref="InvalidInputException"/> instead of after every nonce.
    /// </summary>
    public Task<ProofResult> GenerateProofAsync(string dataDir, Challenge challenge, ProofConfig config, ProvingOptions options,
        IProgress<ProvingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        PostMetadata metadata = PostMetadata.Load(dataDir);
        PostDataCheck.CheckFiles(dataDir, metadata);
        var source = PostDataSource.FromDirectory(dataDir, metadata);
        return GenerateProofAsync(source, metadata.NodeId, metadata.CommitmentAtxId, metadata.NumUnits, metadata.TotalLabels,
            challenge, config, options, progress, cancellationToken);
    }

    /// <summary>Proves labels from any source, for <paramref name="numLabels"/> = num_units × labels_per_unit labels.</summary>
    public async Task<ProofResult> GenerateProofAsync(PostDataSource source, NodeId nodeId, AtxId commitmentAtxId, uint numUnits,
        ulong numLabels, Challenge challenge, ProofConfig config, ProvingOptions options, IProgress<ProvingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var metadata = new ProofMetadata(nodeId, commitmentAtxId, challenge, numUnits);
        if (config.K2 == 0 || config.K2 > int.MaxValue)
        {
            throw new ArgumentException($"k2 must be positive (got {config.K2}).", nameof(config));
        }

        ulong difficulty = ProvingDifficulty.Compute(config.K1, numLabels);
        byte[] powDifficulty = K2PowDifficulty.Scale(config.PowDifficulty, numUnits);
        ReadOnlyMemory<byte> challenge8 = challenge.Span[..8].ToArray();
        byte[] nodeIdBytes = nodeId.ToArray();
        int nonces = options.Nonces;
        var stopwatch = Stopwatch.StartNew();

        for (int pass = 0; ; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            uint nonceStart = options.StartNonce + (uint)(pass * nonces);
            uint nonceEnd = nonceStart + (uint)nonces;
            if (nonceEnd > ProvingConstants.MaxNonces)
            {
                throw new ProvingException(
                    $"no proof within nonces 0..{nonceStart}: the next pass would need nonce groups beyond 255 (k2pow nonce groups are one byte)");
            }

            var groups = new byte[nonces / ProvingConstants.NoncesPerGroup];
            for (int g = 0; g < groups.Length; g++)
            {
                groups[g] = (byte)((nonceStart / ProvingConstants.NoncesPerGroup) + (uint)g);
            }

            ulong[] pows = await ProvePowsAsync(groups, challenge8, powDifficulty, nodeIdBytes, (pass, nonceStart, nonceEnd, source.TotalBytes),
                progress, options.ProgressInterval, cancellationToken).ConfigureAwait(false);
            if (pows.Length != groups.Length)
            {
                throw new ProvingException($"the k2pow prover returned {pows.Length} pows for {groups.Length} nonce groups");
            }

            var provingPass = ProvingPass.Create(challenge, nonceStart, nonces, pows, difficulty);
            IProvingScanner scanner = _scanners.Create(provingPass);
            var collector = new K2Collector(nonceStart, nonces, (int)config.K2);
            var tracker = new ScanTracker(pass, nonceStart, nonceEnd, source.TotalBytes, progress, options.ProgressInterval);
            await Task.Run(() => Scan(source, scanner, collector, options, tracker, cancellationToken), cancellationToken).ConfigureAwait(false);

            if (collector.Winner is { } winner)
            {
                tracker.Report(ProvingStage.Found);
                var proof = Proof.Create(winner.Nonce, winner.Indices, numLabels, provingPass.PowOf(winner.Nonce));
                return new ProofResult(proof, metadata, winner.Indices, pass + 1, stopwatch.Elapsed);
            }

            tracker.Report(ProvingStage.PassFailed);
        }
    }

    /// <summary>
    /// The k2pows of one pass, reporting the k2pow stage (groups found, hashes, rate) every <paramref name="interval"/>
    /// (between 0.1 s and 1 s) while they run when the prover can count its work (<see cref="IK2PowMeter"/>).
    /// </summary>
    private async Task<ulong[]> ProvePowsAsync(byte[] groups, ReadOnlyMemory<byte> challenge8, byte[] powDifficulty, byte[] nodeId,
        (int Pass, uint NonceStart, uint NonceEnd, long TotalBytes) at, IProgress<ProvingProgress>? progress, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        var meter = _pow as IK2PowMeter;
        long? hashes0 = meter?.HashesDone;
        long groups0 = meter?.GroupsDone ?? 0;
        double expected = K2PowDifficulty.ExpectedHashes(powDifficulty);
        var clock = Stopwatch.StartNew();
        void Report() => progress?.Report(new ProvingProgress(at.Pass, at.NonceStart, at.NonceEnd, ProvingStage.K2Pow, 0, at.TotalBytes, 0,
            clock.Elapsed, meter is null ? null : new K2PowProgress(
                Math.Min(meter.GroupsDone - groups0, groups.Length), groups.Length, meter.HashesDone - hashes0, expected)));

        Report();
        Task<ulong[]> pows = _pow.ProveManyAsync(groups, challenge8, powDifficulty, nodeId, cancellationToken);
        if (progress is not null && meter is not null)
        {
            TimeSpan every = TimeSpan.FromTicks(Math.Clamp(interval.Ticks, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
            while (!pows.IsCompleted)
            {
                // No token on the delay: the pow task itself ends on cancellation, and is always awaited below.
                await Task.WhenAny(pows, Task.Delay(every, CancellationToken.None)).ConfigureAwait(false);
                if (!pows.IsCompleted)
                {
                    Report();
                }
            }
        }

        ulong[] result = await pows.ConfigureAwait(false);
        Report();
        return result;
    }

    /// <summary>
    /// Scans all of <paramref name="source"/> once with <paramref name="scanner"/> (reader thread, scanning threads),
    /// stopping early when <paramref name="sink"/> asks. Used by the profiler, which times passes without k2pow.
    /// Returns the bytes scanned.
    /// </summary>
    public static long ScanOnce(PostDataSource source, ProvingPass pass, IProvingScanner scanner, ILabelHitSink sink, ProvingOptions options,
        IProgress<ProvingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tracker = new ScanTracker(0, pass.FirstNonce, pass.FirstNonce + (uint)pass.NonceCount, source.TotalBytes, progress, options.ProgressInterval);
        Scan(source, scanner, sink, options, tracker, cancellationToken);
        return tracker.Scanned;
    }

    /// <summary>
    /// One pass over the data: a reader thread and <c>threads</c> scanning workers (the calling thread is one of them);
    /// stops early once a nonce wins.
    /// </summary>
    private static void Scan(PostDataSource source, IProvingScanner scanner, ILabelHitSink collector, ProvingOptions options,
        ScanTracker tracker, CancellationToken cancellationToken)
    {
        int threads = options.EffectiveThreads;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var buffers = new BufferPool(threads + options.ReadAhead, options.BatchSize);
        using var queue = new BlockingCollection<DataBatch>(threads + options.ReadAhead);

        void Read(CancellationToken token)
        {
            try
            {
                foreach (DataBatch batch in source.ReadBatches(options.BatchSize, buffers, token))
                {
                    queue.Add(batch, token);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException(InputField.File, e.Message, e);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }

        void ScanBatches(CancellationToken token)
        {
            try
            {
                foreach (DataBatch batch in queue.GetConsumingEnumerable(token))
                {
                    try
                    {
                        if (scanner.Scan(batch.Data.Span, batch.FirstLabelIndex, collector))
                        {
                            stop.Cancel();
                        }

                        tracker.Completed(batch.Position, batch.Data.Length);
                    }
                    finally
                    {
                        batch.Release();
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                throw new ProvingException($"scanning failed: {e.Message}", e);
            }
        }

        // Workers 0..threads−1 scan (0 is this thread); worker `threads` reads.
        using (var workers = new WorkerGroup("post-scan", i => i == threads ? "post-reader" : $"post-scan-{i}"))
        {
            workers.Run(threads + 1, (worker, token) =>
            {
                if (worker == threads)
                {
                    Read(token);
                }
                else
                {
                    ScanBatches(token);
                }
            }, stop.Token);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Counts scanned bytes, tracks the contiguous position and throttles progress reports.</summary>
    private sealed class ScanTracker(int pass, uint nonceStart, uint nonceEnd, long totalBytes, IProgress<ProvingProgress>? progress, TimeSpan interval)
    {
        private readonly Lock _lock = new();
        private readonly SortedDictionary<long, long> _pending = [];
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
        private long _scanned;
        private long _position;
        private TimeSpan? _lastReport;

        public long Scanned
        {
            get
            {
                lock (_lock)
                {
                    return _scanned;
                }
            }
        }

        public void Completed(long position, int length)
        {
            lock (_lock)
            {
                _scanned += length;
                if (position == _position)
                {
                    _position += length;
                    while (_pending.Remove(_position, out long next))
                    {
                        _position += next;
                    }
                }
                else
                {
                    _pending[position] = length;
                }

                if (progress is not null && (_lastReport is not { } last || _elapsed.Elapsed - last >= interval))
                {
                    _lastReport = _elapsed.Elapsed;
                    progress.Report(Snapshot(ProvingStage.Scanning));
                }
            }
        }

        public void Report(ProvingStage stage)
        {
            lock (_lock)
            {
                progress?.Report(Snapshot(stage));
            }
        }

        private ProvingProgress Snapshot(ProvingStage stage) =>
            new(pass, nonceStart, nonceEnd, stage, _scanned, totalBytes, _position, _elapsed.Elapsed);
    }
}

/// <summary>A generated proof with what the caller may want to show or check.</summary>
/// <param name="Proof">The proof (compressed indices).</param>
/// <param name="Metadata">The proof metadata (ids, challenge, units) in the certifier form.</param>
/// <param name="Indices">The winning nonce's k2 label indices, in the order they were found.</param>
/// <param name="Passes">Number of passes it took.</param>
/// <param name="Elapsed">Total time, k2pow included.</param>
public sealed record ProofResult(Proof Proof, ProofMetadata Metadata, ulong[] Indices, int Passes, TimeSpan Elapsed);

/// <summary>Proof generation failed for a reason other than bad data (e.g. the nonces ran out).</summary>
public sealed class ProvingException : Exception
{
    public ProvingException()
    {
    }

    public ProvingException(string message) : base(message)
    {
    }

    public ProvingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
