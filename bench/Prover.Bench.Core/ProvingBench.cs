using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Verifier;

namespace Prover.Bench.Core;

/// <summary>
/// Proving throughput through the pipeline <c>post profile</c> times (<see cref="PostProver.ScanOnce"/>: reader thread,
/// bounded buffers, scanning threads, the kernels' scanner), with the profiler's challenge, zero k2pows and difficulty 0
/// (every zero byte takes the lazy path, no proof is ever found), for each nonce count, with one thread and all
/// threads, over random labels in memory and over the same labels in a file whose page cache is dropped before every
/// pass. The scanner is first compared with <see cref="ReferenceProvingScanner"/> on a small dataset.
/// </summary>
internal static class ProvingBench
{
    /// <summary>post profile's challenge (post-rs profiler).</summary>
    internal static readonly byte[] ProfileChallenge = Encoding.ASCII.GetBytes("hello world, challenge me!!!!!!!");

    /// <summary>Labels of the scanner check (32 KiB).</summary>
    internal const int CheckLabels = 2048;

    public static void Run(IProvingScannerFactory factory, BenchSettings settings, ProvingBenchResult result,
        ILogger log, CancellationToken cancellationToken)
    {
        string? failure = CheckScanner(factory, settings.Nonces.Max(), settings.EffectiveThreads, result.Checks, cancellationToken);
        if (failure is not null)
        {
            result.Status = BenchStatus.Failed(failure);
            return;
        }

        foreach (string check in result.Checks)
        {
            log.Check(check);
        }

        long bytes = (long)settings.ProvingMiB << 20;
        var data = GC.AllocateUninitializedArray<byte>(checked((int)bytes));
        Random.Shared.NextBytes(data);
        result.DataBytes = bytes;
        string file = Path.Combine(settings.DiskDirectory, $"post-bench-prove-{Guid.NewGuid():N}.bin");
        result.FilePath = file;
        try
        {
            var write = Stopwatch.StartNew();
            using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 20))
            {
                stream.Write(data);
                stream.Flush(flushToDisk: true); // fsync: the pages are clean, so fadvise(DONTNEED) can drop them
            }

            log.ProvingDataWritten(settings.ProvingMiB, file, write.Elapsed.TotalSeconds);

            foreach (string source in new[] { "memory", "file" })
            {
                foreach (int nonces in settings.Nonces)
                {
                    foreach (int threads in settings.ThreadCounts)
                    {
                        var config = new ProvingConfigResult
                        {
                            Source = source,
                            Nonces = nonces,
                            Threads = threads,
                            ThreadsKey = threads == 1 ? "1" : "all",
                        };
                        result.Configs.Add(config);
                        PostDataSource dataSource = source == "memory"
                            ? PostDataSource.FromMemory(data)
                            : PostDataSource.FromFile(file, bytes);
                        Measure(factory, dataSource, source == "file" ? file : null, config, settings, result, data, cancellationToken);
                        log.ProvingConfig(source, nonces, threads, config.GiBPerSecond, config.Passes, config.Seconds);
                    }
                }
            }

            result.Status = BenchStatus.Ok;
        }
        finally
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Measure(IProvingScannerFactory factory, PostDataSource source, string? file, ProvingConfigResult config,
        BenchSettings settings, ProvingBenchResult result, byte[] data, CancellationToken cancellationToken)
    {
        var pass = ProvingPass.Create(new Challenge(ProfileChallenge), 0, config.Nonces, new ulong[config.Nonces / ProvingConstants.NoncesPerGroup], 0);
        IProvingScanner scanner = factory.Create(pass);
        var options = new ProvingOptions { Nonces = config.Nonces, Threads = config.Threads };
        var sink = new NeverStop();
        if (file is null)
        {
            // Warm-up (JIT, thread start-up) on a slice, untimed.
            PostProver.ScanOnce(PostDataSource.FromMemory(data.AsMemory(0, Math.Min(data.Length, 8 << 20))), pass, scanner, sink, options,
                cancellationToken: cancellationToken);
        }

        var total = TimeSpan.Zero;
        do
        {
            if (file is not null)
            {
                // The file's pages are dropped before every pass; the system-wide drop (root only) once per
                // configuration, since it also empties every other process's cache.
                string method = CacheDrop.Drop(file, settings.CacheDrop, systemWide: config.Passes == 0);
                if (config.Passes == 0)
                {
                    result.CacheDropMethod = method.Contains("drop_caches=1", StringComparison.Ordinal)
                        ? $"{method} before the first pass of each configuration, posix_fadvise before the others"
                        : method;
                    if (MachineInfo.MountOf(file) is { IsReady: true, DriveFormat: "tmpfs" or "ramfs" } mount)
                    {
                        result.CacheDropMethod += $"; but the file is on {mount.DriveFormat}, whose pages cannot be evicted: reads come from memory";
                    }
                }
            }

            long started = Stopwatch.GetTimestamp();
            long scanned = PostProver.ScanOnce(source, pass, scanner, sink, options, cancellationToken: cancellationToken);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            total += elapsed;
            config.Passes++;
            config.Bytes += scanned;
            config.Seconds = total.TotalSeconds;
            config.PassRates.Add(BenchUnits.GiBPerSecond(scanned, elapsed.TotalSeconds));
        }
        while (total.TotalSeconds < settings.ProvingBudget);

        config.Status = BenchStatus.Ok;
    }

    /// <summary>
    /// The kernels' scanner must report exactly the (nonce, index) hits of the reference, in the same order, for a
    /// difficulty whose msb is 0 (every candidate takes the lazy path, as in profiling) and one whose msb is not; and
    /// the threaded pipeline that is timed must find the same set. Returns the first difference, or null.
    /// </summary>
    internal static string? CheckScanner(IProvingScannerFactory factory, int nonces, int threads, List<string> checks,
        CancellationToken cancellationToken)
    {
        var rng = new Random();
        var data = new byte[CheckLabels * ProvingConstants.LabelSize];
        rng.NextBytes(data);
        var challenge = new byte[32];
        rng.NextBytes(challenge);
        var pows = new ulong[nonces / ProvingConstants.NoncesPerGroup];
        for (int i = 0; i < pows.Length; i++)
        {
            pows[i] = (ulong)rng.NextInt64(0, 1L << 56);
        }

        ulong firstIndex = (ulong)rng.NextInt64(0, 1L << 40) * 8;
        foreach ((uint k1, ulong labels) in new[] { (1u, 1000UL), (100u, 1000UL) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            ulong difficulty = ProvingDifficulty.Compute(k1, labels);
            var pass = ProvingPass.Create(new Challenge(challenge), 0, nonces, pows, difficulty);
            var expected = new ListSink();
            new ReferenceProvingScanner(pass).Scan(data, firstIndex, expected);
            var fast = new ListSink();
            IProvingScanner scanner = factory.Create(pass);
            scanner.Scan(data, firstIndex, fast);
            string what = string.Create(CultureInfo.InvariantCulture, $"difficulty msb {ProvingDifficulty.Msb(difficulty)}");
            if (Difference(expected.Hits, fast.Hits) is { } diff)
            {
                return $"proving scanner {factory.Name}, {what}: {diff}";
            }

            var pipeline = new BagSink();
            PostProver.ScanOnce(PostDataSource.FromMemory(data, firstIndex), pass, scanner, pipeline,
                new ProvingOptions { Nonces = nonces, Threads = threads, BatchSize = 4096 }, cancellationToken: cancellationToken);
            if (Difference([.. expected.Hits.Order()], [.. pipeline.Hits.Order()]) is { } diff2)
            {
                return $"proving pipeline ({threads} threads) with {factory.Name}, {what}: {diff2}";
            }

            checks.Add(string.Create(CultureInfo.InvariantCulture,
                $"{factory.Name} finds the same {expected.Hits.Count} (nonce, index) hits as ReferenceProvingScanner ({CheckLabels} labels, {nonces} nonces, {what}; also through the {threads}-thread pipeline)"));
        }

        return null;
    }

    private static string? Difference(List<(uint Nonce, ulong Index)> expected, List<(uint Nonce, ulong Index)> actual)
    {
        int common = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < common; i++)
        {
            if (expected[i] != actual[i])
            {
                return $"hit {i} is (nonce {actual[i].Nonce}, index {actual[i].Index}), the reference has (nonce {expected[i].Nonce}, index {expected[i].Index})";
            }
        }

        return expected.Count == actual.Count ? null : $"{actual.Count} hits, the reference finds {expected.Count}";
    }

    private sealed class NeverStop : ILabelHitSink
    {
        public bool OnGoodLabel(uint nonce, ulong index) => false;
    }

    private sealed class ListSink : ILabelHitSink
    {
        public List<(uint Nonce, ulong Index)> Hits { get; } = [];

        public bool OnGoodLabel(uint nonce, ulong index)
        {
            Hits.Add((nonce, index));
            return false;
        }
    }

    private sealed class BagSink : ILabelHitSink
    {
        private readonly ConcurrentBag<(uint Nonce, ulong Index)> _hits = [];

        public IEnumerable<(uint Nonce, ulong Index)> Hits => _hits;

        public bool OnGoodLabel(uint nonce, ulong index)
        {
            _hits.Add((nonce, index));
            return false;
        }
    }
}
