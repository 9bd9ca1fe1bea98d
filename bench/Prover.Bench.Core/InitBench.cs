using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Verifier;

namespace Prover.Bench.Core;

/// <summary>
/// Initialization throughput of one label provider: its outputs are first compared with the scalar reference
/// (<see cref="Labels.Output32"/>) at the mainnet N, on a batch at a small N and at the measured N; only a provider
/// that passes is timed. Timing calls <see cref="ILabelProvider.ComputeOutputs"/> with the provider's preferred batch,
/// as <see cref="Initializer"/> does, in repetitions after a warm-up; a real <see cref="Initializer"/> run sized from the
/// measured rate then gives the end-to-end figure of <c>post init --json</c> (labels written, VRF nonce, metadata).
/// </summary>
internal static class InitBench
{
    /// <summary>Labels at the mainnet N compared with the reference before timing.</summary>
    public const int MainnetCheckLabels = 4;

    /// <summary>Upper bound of the small-N batch compared in full.</summary>
    public const int SmallCheckBatch = 1024;

    /// <summary>Labels per call for the ILGPU CPU simulator (one group of its threads).</summary>
    public const int SimulatorCallLabels = 16;

    public static void Run(ILabelProvider provider, BenchSettings settings, InitBenchResult result, string scratchDirectory,
        ILogger log, CancellationToken cancellationToken)
    {
        // A provider that hangs or crawls (a broken driver, the simulator at a large lookup gap) must not stall the
        // whole run: past the cap its calls are cancelled and whatever repetitions finished are kept.
        double cap = settings.InitTimeCap(result.Kind);
        using var capped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        capped.CancelAfter(TimeSpan.FromSeconds(cap));
        try
        {
            RunChecked(provider, settings, result, scratchDirectory, log, capped.Token);
        }
        catch (OperationCanceledException) when (capped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            string note = string.Create(CultureInfo.InvariantCulture, $"stopped at the {cap:F0} s time cap of this provider");
            result.BudgetNote = result.BudgetNote is null ? note : $"{result.BudgetNote}; {note}";
            if (result.Repetitions.Count > 0)
            {
                result.LabelsPerSecond = Spread.Of(result.Repetitions);
                result.Status = BenchStatus.Ok;
            }
            else
            {
                result.Status = BenchStatus.Skipped(string.Create(CultureInfo.InvariantCulture,
                    $"too slow: no timed repetition finished within the {cap:F0} s time cap"));
            }

            log.Note(provider.Id, note);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A provider that throws is reported, not fatal: the other providers are still measured.
            result.Status = BenchStatus.Failed($"{e.GetType().Name}: {e.Message}");
            result.LabelsPerSecond = null;
        }
    }

    private static void RunChecked(ILabelProvider provider, BenchSettings settings, InitBenchResult result, string scratchDirectory,
        ILogger log, CancellationToken cancellationToken)
    {
        var rng = new Random();
        var commitment = new byte[32];
        rng.NextBytes(commitment);
        ulong n = settings.ScryptN;
        ulong start = (ulong)rng.NextInt64(1L << 32, 1L << 40); // 64-bit indices, as in a real multi-unit job

        // 1. Correctness: a few labels at mainnet N, then a whole batch at a small N.
        var checkWatch = Stopwatch.StartNew();
        if (Check(provider, commitment, BenchSettings.MainnetScryptN, start, MainnetCheckLabels, null, cancellationToken) is { } bad1)
        {
            result.Status = BenchStatus.Failed(bad1);
            return;
        }

        result.Checks.Add(string.Create(CultureInfo.InvariantCulture,
            $"{MainnetCheckLabels} labels at N={BenchSettings.MainnetScryptN} from index {start} match the scalar reference ({checkWatch.Elapsed.TotalSeconds:F2} s)"));
        checkWatch.Restart();
        int small = Math.Clamp(provider.PreferredBatchSize(BenchSettings.SmallCheckN), 1, SmallCheckBatch);
        if (Check(provider, commitment, BenchSettings.SmallCheckN, start + 1000, small, null, cancellationToken) is { } bad2)
        {
            result.Status = BenchStatus.Failed(bad2);
            return;
        }

        result.Checks.Add(string.Create(CultureInfo.InvariantCulture,
            $"a batch of {small} labels at N={BenchSettings.SmallCheckN} matches the scalar reference ({checkWatch.Elapsed.TotalSeconds:F2} s)"));

        // 2. Warm-up at the measured N with the preferred batch (kernel compilation, scratch allocation), whose
        // first, last and two random outputs are checked too.
        int count = Math.Max(1, provider.PreferredBatchSize(n));
        if (provider.Kind == ProviderKind.IlgpuCpu)
        {
            // The simulator runs one group of threads at a time: a group-sized call costs proportionally less and keeps
            // each call short enough for its short budget.
            count = Math.Min(count, SimulatorCallLabels);
        }

        result.LabelsPerCall = count;
        var buffer = new byte[(long)count * 32];
        var warmup = Stopwatch.StartNew();
        provider.ComputeOutputs(commitment, n, start, count, buffer, cancellationToken);
        result.WarmupSeconds = warmup.Elapsed.TotalSeconds;
        int[] positions = [.. new[] { 0, count - 1, rng.Next(count), rng.Next(count) }.Distinct()];
        if (Check(provider, commitment, n, start, count, (buffer, positions), cancellationToken) is { } bad3)
        {
            result.Status = BenchStatus.Failed(bad3);
            return;
        }

        result.Checks.Add(string.Create(CultureInfo.InvariantCulture,
            $"{positions.Length} labels of the warm-up batch ({count} labels at N={n}, {result.WarmupSeconds:F2} s) match the scalar reference"));
        foreach (string check in result.Checks)
        {
            log.Note(provider.Id, check);
        }

        if (provider is Prover.Kernels.Gpu.GpuLabelProvider gpu)
        {
            result.Tuning = string.Create(CultureInfo.InvariantCulture,
                $"lookup gap {gpu.EffectiveLookupGap}, group {gpu.GroupSize}, {count} labels per call");
        }

        // 3. Timed repetitions, each of whole calls. When a single call already outlasts a repetition's share of the
        // budget, repetitions stop once the budget is spent (at least one runs), so a slow provider keeps to it.
        double budget = settings.InitBudget(result.Kind);
        result.BudgetSeconds = budget;
        double perRepetition = budget / settings.Repetitions;
        ulong next = start + (ulong)count;
        var sw = new Stopwatch();
        int callsInRepetition = int.MaxValue;
        for (int rep = 0; rep < settings.Repetitions && (callsInRepetition > 1 || result.SecondsTimed < budget); rep++)
        {
            ulong labels = 0;
            callsInRepetition = 0;
            sw.Restart();
            do
            {
                provider.ComputeOutputs(commitment, n, next, count, buffer, cancellationToken);
                next += (ulong)count;
                labels += (ulong)count;
                callsInRepetition++;
            }
            while (sw.Elapsed.TotalSeconds < perRepetition);

            double seconds = sw.Elapsed.TotalSeconds;
            result.Repetitions.Add(labels / seconds);
            result.LabelsTimed += labels;
            result.SecondsTimed += seconds;
            log.InitRepetition(provider.Id, rep + 1, settings.Repetitions, labels, seconds, labels / seconds);
        }

        result.LabelsPerSecond = Spread.Of(result.Repetitions);
        result.Status = BenchStatus.Ok;
        log.InitMedian(provider.Id, result.LabelsPerSecond.Median, result.MiBPerSecond, result.LabelsPerSecond.SpreadPercent,
            result.HoursPerUnit);

        // 4. The same provider through the real Initializer, as `post init` runs it (not for the simulator, which is a
        // kernel check, not a way to initialize).
        if (result.Kind == ProviderKind.IlgpuCpu)
        {
            return;
        }

        result.Initializer = RunInitializer(provider, settings, result, count, scratchDirectory, cancellationToken);
        log.InitializerRun(provider.Id, result.Initializer.Labels, result.Initializer.Seconds, result.Initializer.LabelsPerSecond);
    }

    /// <summary>
    /// Compares outputs with the scalar reference. With <paramref name="computed"/> null, the provider computes
    /// <paramref name="count"/> labels from <paramref name="start"/> and all are compared; otherwise the given positions
    /// of an existing buffer are. Returns a description of the first mismatch, or null.
    /// </summary>
    internal static string? Check(ILabelProvider provider, byte[] commitment, ulong n, ulong start, int count,
        (byte[] Buffer, int[] Positions)? computed, CancellationToken cancellationToken)
    {
        byte[] outputs;
        int[] positions;
        if (computed is { } c)
        {
            (outputs, positions) = c;
        }
        else
        {
            outputs = new byte[count * 32];
            provider.ComputeOutputs(commitment, n, start, count, outputs, cancellationToken);
            positions = [.. Enumerable.Range(0, count)];
        }

        var expected = new byte[positions.Length * 32];
        Parallel.For(0, positions.Length, new ParallelOptions { CancellationToken = cancellationToken },
            i => Labels.Output32(commitment, start + (ulong)positions[i], n, expected.AsSpan(i * 32, 32)));
        for (int i = 0; i < positions.Length; i++)
        {
            var want = expected.AsSpan(i * 32, 32);
            var got = outputs.AsSpan(positions[i] * 32, 32);
            if (!want.SequenceEqual(got))
            {
                return $"label {start + (ulong)positions[i]} at N={n} differs from the scalar reference " +
                    $"(expected {Convert.ToHexStringLower(want)}, got {Convert.ToHexStringLower(got)})";
            }
        }

        return null;
    }

    private static InitializerCheck RunInitializer(ILabelProvider provider, BenchSettings settings, InitBenchResult result,
        int batch, string scratchDirectory, CancellationToken cancellationToken)
    {
        double rate = result.LabelsPerSecond!.Median;
        double seconds = settings.InitializerBudget(result.Kind);
        ulong batches = Math.Max(1, (ulong)(rate * seconds / batch));
        ulong labels = batches * (ulong)batch;
        string dir = Path.Combine(scratchDirectory, $"post-bench-init-{Guid.NewGuid():N}");
        var rng = new Random();
        var nodeId = new byte[32];
        var atx = new byte[32];
        rng.NextBytes(nodeId);
        rng.NextBytes(atx);
        try
        {
            var options = new InitOptions
            {
                DataDir = dir,
                NodeId = new NodeId(nodeId),
                CommitmentAtxId = new AtxId(atx),
                NumUnits = 1,
                LabelsPerUnit = labels,
                MaxFileSize = Math.Max(labels * 16, 16),
                ScryptN = settings.ScryptN,
                VrfDifficulty = VrfDifficulty.Maximum(), // the first label is the nonce: no search past the data
            };
            var run = new Initializer([provider]).Run(options, null, cancellationToken);
            return new InitializerCheck(run.LabelsComputed, run.Elapsed.TotalSeconds, run.LabelsPerSecond);
        }
        finally
        {
            TryDelete(dir);
        }
    }

    internal static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
