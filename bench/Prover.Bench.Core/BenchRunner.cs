using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Kernels.Proving;

namespace Prover.Bench.Core;

/// <summary>
/// Runs the phases of <c>post bench</c> in order (init per provider, proving, k2pow, verification) and returns what
/// was measured. Each provider and phase is checked against the scalar references before it is timed; a failure is
/// recorded in its status and the run goes on. Cancellation (Ctrl-C / SIGTERM) stops at once and returns the partial
/// report with <see cref="BenchReport.Interrupted"/> set. The caller owns (and disposes) the providers.
/// </summary>
public sealed class BenchRunner
{
    private readonly BenchSettings _settings;
    private readonly IReadOnlyList<ILabelProvider> _providers;
    private readonly MachineInfo _machine;
    private readonly ILogger _log;
    private readonly IProvingScannerFactory _scanners;

    public BenchRunner(BenchSettings settings, IReadOnlyList<ILabelProvider> providers, MachineInfo machine,
        ILogger<BenchRunner>? logger = null, IProvingScannerFactory? scanners = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(machine);
        settings.Validate();
        _settings = settings;
        _providers = providers;
        _machine = machine;
        _log = logger ?? (ILogger)NullLogger<BenchRunner>.Instance;
        _scanners = scanners ?? new ProvingScannerFactory();
    }

    /// <summary>One line per phase with its budget, and the estimated total in seconds.</summary>
    public (IReadOnlyList<string> Lines, double Seconds) Plan()
    {
        var s = _settings;
        var lines = new List<string>();
        double total = 0;
        void Add(double seconds, string text)
        {
            total += seconds;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{text} ≈ {Format(seconds)}"));
        }

        if (!s.SkipInit)
        {
            foreach (var p in _providers)
            {
                double budget = s.InitBudget(p.Kind);
                string note = p.Kind == ProviderKind.IlgpuCpu && budget < s.Duration
                    ? $" (GPU simulator: short fixed budget of {BenchSettings.SimulatorBudgetSeconds:F0} s)"
                    : "";
                // Fixed costs: the reference checks, and for ILGPU providers a kernel compilation per scrypt N.
                double fixedCost = p.Kind == ProviderKind.CpuSimd ? 2 : 15;
                Add(budget + s.InitializerBudget(p.Kind) + fixedCost, string.Create(CultureInfo.InvariantCulture,
                    $"init {p.Id} at N={s.ScryptN}: reference checks, warm-up, {s.Repetitions} × {budget / s.Repetitions:F1} s timed{note}, {(s.InitializerBudget(p.Kind) > 0 ? $"Initializer run of ~{s.InitializerBudget(p.Kind):F1} s" : "no Initializer run")}"));
            }
        }

        if (!s.SkipProving)
        {
            int configs = 2 * s.Nonces.Count * s.ThreadCounts.Count;
            Add((configs * s.ProvingBudget * 1.3) + (s.ProvingMiB / 400.0) + 2, string.Create(CultureInfo.InvariantCulture,
                $"proving: scanner check against the reference, then {configs} configurations (memory/file × {string.Join("/", s.Nonces)} nonces × {string.Join("/", s.ThreadCounts)} threads) over {s.ProvingMiB} MiB, ≥ {s.ProvingBudget:F1} s each in whole passes, file on {Path.GetFullPath(s.DiskDirectory)} with the page cache dropped ({s.CacheDrop})"));
        }

        if (!s.SkipK2Pow)
        {
            Add(2 + (s.ThreadCounts.Count * s.K2PowBudget * 1.4), string.Create(CultureInfo.InvariantCulture,
                $"k2pow light: RandomX cache build, {s.ThreadCounts.Count} × {s.K2PowBudget:F1} s"));
            if (!s.SkipK2PowFast)
            {
                // The ~2 GiB dataset build costs roughly 100 core-seconds on current x86 cores.
                double build = Math.Max(10, 100.0 / s.EffectiveThreads);
                Add(build + (s.ThreadCounts.Count * s.K2PowBudget * 1.4), string.Create(CultureInfo.InvariantCulture,
                    $"k2pow fast: RandomX dataset build (~2 GiB, estimated {Format(build)}), {s.ThreadCounts.Count} × {s.K2PowBudget:F1} s"));
            }
        }

        if (!s.SkipVerify)
        {
            Add(s.VerifyBudget + (s.SkipK2Pow ? 2 : 0) + 3, string.Create(CultureInfo.InvariantCulture,
                $"verification: build a valid k2=37 proof at N=8192 over {VerifyBench.NumUnits * VerifyBench.LabelsPerUnit} labels, time ProofVerifier (all/subset/one) for {s.VerifyBudget:F1} s"));
        }

        return (lines, total);
    }

    public BenchReport Run(CancellationToken cancellationToken = default)
    {
        var report = new BenchReport
        {
            Settings = _settings,
            Machine = _machine,
            Started = DateTimeOffset.UtcNow,
            LoadAverageStart = BenchReport.ReadLoadAverage(),
        };
        (report.Plan, report.PlannedSeconds) = Plan();
        try
        {
            RunPhases(report, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report.Interrupted = true;
            _log.Interrupted();
        }

        report.Finished = DateTimeOffset.UtcNow;
        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }

    private void RunPhases(BenchReport report, CancellationToken ct)
    {
        var s = _settings;
        var clock = Stopwatch.StartNew();
        void Phase(string title) => _log.Phase(Format(clock.Elapsed.TotalSeconds), title);

        if (s.SkipInit)
        {
            report.Notes.Add("init: skipped (--skip-init)");
        }
        else
        {
            foreach (var provider in _providers)
            {
                var result = new InitBenchResult
                {
                    Provider = provider.Id,
                    Kind = provider.Kind,
                    Name = provider.Name,
                    ScryptN = s.ScryptN,
                };
                if (provider.Kind == ProviderKind.IlgpuCpu && s.InitBudget(provider.Kind) < s.Duration)
                {
                    result.BudgetNote = string.Create(CultureInfo.InvariantCulture,
                        $"GPU simulator on the CPU: short fixed budget of {BenchSettings.SimulatorBudgetSeconds:F0} s instead of --duration; it runs with the GPU flags given (without --lookup-gap it uses gap 1, its fastest; GPUs default to 4)");
                }

                report.Init.Add(result);
                Phase($"init {provider.Id} ({provider.Name})");
                InitBench.Run(provider, s, result, s.DiskDirectory, _log, ct);
                if (!BenchStatus.IsOk(result.Status))
                {
                    _log.PhaseStatus(provider.Id, result.Status);
                }
            }
        }

        if (s.SkipProving)
        {
            report.Notes.Add("proving: skipped (--skip-proving)");
        }
        else
        {
            Phase($"proving ({_scanners.Name})");
            var proving = new ProvingBenchResult { Scanner = _scanners.Name };
            report.Proving = proving;
            Guard(() => ProvingBench.Run(_scanners, s, proving, _log, ct), status => proving.Status = status, ct);
            if (!BenchStatus.IsOk(proving.Status))
            {
                _log.PhaseStatus("proving", proving.Status);
            }
        }

        K2PowBackend? light = null;
        try
        {
            if (s.SkipK2Pow)
            {
                report.Notes.Add("k2pow: skipped (--skip-k2pow)");
            }
            else
            {
                var k2 = K2PowBench.NewResult();
                report.K2Pow = k2;
                Guard(() => k2.RecommendedFlags = RandomXContext.RecommendedFlags().ToString(), _ => { }, ct);

                var lightMode = new K2PowModeResult { Mode = "light" };
                k2.Modes.Add(lightMode);
                Phase("k2pow light (RandomX cache build)");
                Guard(() =>
                {
                    light = new K2PowBackend(new K2PowBackendOptions { Mode = RandomXMode.Light });
                    light.GetContext(ct);
                    K2PowBench.Measure(light, s, k2, lightMode, _log, ct);
                }, status => lightMode.Status = status, ct);

                var fastMode = new K2PowModeResult { Mode = "fast" };
                k2.Modes.Add(fastMode);
                long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
                if (s.SkipK2PowFast)
                {
                    fastMode.Status = BenchStatus.Skipped("--skip-k2pow-fast");
                }
                else if (available < 3L << 30)
                {
                    fastMode.Status = BenchStatus.Skipped(string.Create(CultureInfo.InvariantCulture,
                        $"fast mode needs ~2.1 GiB, {available / (double)(1L << 30):F1} GiB available"));
                }
                else
                {
                    Phase("k2pow fast (RandomX dataset build, ~2 GiB)");
                    Guard(() =>
                    {
                        using var fast = new K2PowBackend(new K2PowBackendOptions
                        {
                            Mode = RandomXMode.Fast,
                            RandomX = new RandomXContextOptions { InitThreads = s.Threads, DatasetProgress = new K2PowBench.DatasetProgress(_log) },
                        });
                        _log.DatasetBuilt(fast.GetContext(ct).InitTime.TotalSeconds);
                        K2PowBench.Measure(fast, s, k2, fastMode, _log, ct);
                    }, status => fastMode.Status = status, ct);
                }

                if (fastMode.Status == BenchStatus.Interrupted && !ct.IsCancellationRequested)
                {
                    fastMode.Status = BenchStatus.Failed("no result");
                }

                k2.Status = BenchStatus.Ok;
            }

            if (s.SkipVerify)
            {
                report.Notes.Add("verification: skipped (--skip-verify)");
            }
            else
            {
                Phase("verification (valid k2=37 proof at N=8192, RandomX light)");
                var verify = new VerifyBenchResult();
                report.Verification = verify;
                Guard(() =>
                {
                    light ??= new K2PowBackend(new K2PowBackendOptions { Mode = RandomXMode.Light });
                    VerifyBench.Run(light.GetContext(ct), s, verify, _log, ct);
                }, status => verify.Status = status, ct);
                if (!BenchStatus.IsOk(verify.Status))
                {
                    _log.PhaseStatus("verification", verify.Status);
                }
            }
        }
        finally
        {
            light?.Dispose();
        }

        Phase("done");
    }

    /// <summary>Runs a phase; an error other than the cancellation becomes its status ("failed: …", "skipped: …") and the run goes on.</summary>
    private static void Guard(Action action, Action<string> fail, CancellationToken ct)
    {
        try
        {
            action();
        }
        catch (RandomXLibraryNotFoundException e)
        {
            fail(BenchStatus.Skipped($"librandomx is not installed ({e.Message.Split('\n')[0]})"));
        }
#pragma warning disable CA1031 // one phase failing must not lose the others' results: the error is reported in the report
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            fail(BenchStatus.Failed($"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>A duration for a person: whole seconds under 90 s, else minutes with one decimal.</summary>
    public static string Format(double seconds) => seconds >= 90
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F1} min")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s");
}
