namespace Prover.Bench.Core;

/// <summary>Everything one <c>post bench</c> run measured; filled phase by phase, so an interrupted run still has its parts.</summary>
public sealed class BenchReport
{
    public const string SchemaName = "post-bench/1";

    public required BenchSettings Settings { get; init; }

    public required MachineInfo Machine { get; init; }

    public DateTimeOffset Started { get; set; }

    public DateTimeOffset Finished { get; set; }

    /// <summary>Set when Ctrl-C/SIGTERM stopped the run: the phases after the interruption are missing.</summary>
    public bool Interrupted { get; set; }

    /// <summary>The plan printed before the run (one line per phase) and its estimated total in seconds.</summary>
    public IReadOnlyList<string> Plan { get; set; } = [];

    public double PlannedSeconds { get; set; }

    public List<InitBenchResult> Init { get; } = [];

    public ProvingBenchResult? Proving { get; set; }

    public K2PowBenchResult? K2Pow { get; set; }

    public VerifyBenchResult? Verification { get; set; }

    public List<string> Notes { get; } = [];

    /// <summary>The 1/5/15-minute load averages (/proc/loadavg) before and after the run: a busy machine measures low.</summary>
    public string? LoadAverageStart { get; set; }

    public string? LoadAverageEnd { get; set; }

    /// <summary>The first three fields of /proc/loadavg, or null where there is none.</summary>
    public static string? ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3))
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public double ElapsedSeconds => (Finished - Started).TotalSeconds;
}

/// <summary>Status strings of a measured item.</summary>
public static class BenchStatus
{
    public const string Ok = "ok";
    public const string Interrupted = "interrupted";

    public static string Failed(string reason) => $"failed: {reason}";

    public static string Skipped(string reason) => $"skipped: {reason}";

    public static bool IsOk(string status) => status == Ok;
}

/// <summary>Median, extremes and relative spread of repeated measurements.</summary>
public sealed record Spread(double Median, double Min, double Max)
{
    /// <summary>(max − min) / median, in percent.</summary>
    public double SpreadPercent => Median > 0 ? (Max - Min) / Median * 100 : 0;

    public static Spread Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        double[] sorted = [.. samples.Order()];
        int mid = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Spread(median, sorted[0], sorted[^1]);
    }
}

/// <summary>Unit conversions of the report (one place, so the tables, the JSON and the tests agree).</summary>
public static class BenchUnits
{
    /// <summary>Labels in one space unit (2^32 labels × 16 bytes = 64 GiB).</summary>
    public const double LabelsPerUnit = 4294967296.0;

    /// <summary>Space units of the mainnet minimum (4 × 64 GiB = 256 GiB).</summary>
    public const int MainnetMinUnits = 4;

    public static double MiBPerSecond(double labelsPerSecond) => labelsPerSecond * 16 / (1 << 20);

    public static double HoursPerUnit(double labelsPerSecond) => LabelsPerUnit / labelsPerSecond / 3600;

    public static double GiBPerSecond(double bytes, double seconds) => bytes / seconds / (1 << 30);
}

/// <summary>One label provider's initialization measurement.</summary>
public sealed class InitBenchResult
{
    public required string Provider { get; init; }

    public required Prover.Core.Init.ProviderKind Kind { get; init; }

    public required string Name { get; init; }

    /// <summary>"ok", "failed: …" (wrong label or exception: not timed), "interrupted".</summary>
    public string Status { get; set; } = BenchStatus.Interrupted;

    public required ulong ScryptN { get; init; }

    /// <summary>What was compared with the scalar reference before timing.</summary>
    public List<string> Checks { get; } = [];

    public double BudgetSeconds { get; set; }

    public string? BudgetNote { get; set; }

    public int LabelsPerCall { get; set; }

    /// <summary>GPU providers: the lookup gap, group size and launch size they ran with.</summary>
    public string? Tuning { get; set; }

    public double WarmupSeconds { get; set; }

    /// <summary>labels/s of each timed repetition.</summary>
    public List<double> Repetitions { get; } = [];

    public ulong LabelsTimed { get; set; }

    public double SecondsTimed { get; set; }

    public Spread? LabelsPerSecond { get; set; }

    public double MiBPerSecond => LabelsPerSecond is { } s ? BenchUnits.MiBPerSecond(s.Median) : 0;

    public double HoursPerUnit => LabelsPerSecond is { } s ? BenchUnits.HoursPerUnit(s.Median) : 0;

    public double HoursPerMinimum => HoursPerUnit * BenchUnits.MainnetMinUnits;

    /// <summary>The cross-check through the real Initializer (what <c>post init --json</c> reports), when it ran.</summary>
    public InitializerCheck? Initializer { get; set; }
}

/// <summary>A real <see cref="Prover.Core.Init.Initializer"/> run (labels written to disk, VRF nonce, metadata).</summary>
public sealed record InitializerCheck(ulong Labels, double Seconds, double LabelsPerSecond);

/// <summary>The proving measurement: scanner checks, then every (source, nonces, threads) configuration.</summary>
public sealed class ProvingBenchResult
{
    public string Status { get; set; } = BenchStatus.Interrupted;

    public required string Scanner { get; init; }

    public List<string> Checks { get; } = [];

    public long DataBytes { get; set; }

    public string? FilePath { get; set; }

    /// <summary>How the page cache was emptied before each pass over the file (e.g. "posix_fadvise(DONTNEED)").</summary>
    public string CacheDropMethod { get; set; } = "none";

    public List<ProvingConfigResult> Configs { get; } = [];
}

/// <summary>One proving configuration: whole passes over the data, timed with the profiler's pipeline.</summary>
public sealed class ProvingConfigResult
{
    public required string Source { get; init; }

    public required int Nonces { get; init; }

    public required int Threads { get; init; }

    /// <summary>"1" or "all": the thread key used when comparing machines with different core counts.</summary>
    public required string ThreadsKey { get; init; }

    public string Status { get; set; } = BenchStatus.Interrupted;

    public int Passes { get; set; }

    public long Bytes { get; set; }

    public double Seconds { get; set; }

    public double GiBPerSecond => Seconds > 0 ? BenchUnits.GiBPerSecond(Bytes, Seconds) : 0;

    /// <summary>GiB/s of each pass.</summary>
    public List<double> PassRates { get; } = [];
}

/// <summary>RandomX k2pow hash rates and what they mean for a proof of the mainnet minimum.</summary>
public sealed class K2PowBenchResult
{
    public string Status { get; set; } = BenchStatus.Interrupted;

    /// <summary>Per-unit difficulty (hex) and the units the per-proof estimate is for.</summary>
    public required string DifficultyPerUnit { get; init; }

    public required int NumUnits { get; init; }

    /// <summary>2^256 / (difficulty per unit / units): hashes expected per nonce group.</summary>
    public required double ExpectedHashesPerGroup { get; init; }

    public string? RecommendedFlags { get; set; }

    public List<K2PowModeResult> Modes { get; } = [];
}

/// <summary>One RandomX mode: context build time, hashes/s per thread count, minutes of k2pow per proving pass.</summary>
public sealed class K2PowModeResult
{
    public required string Mode { get; init; }

    public string Status { get; set; } = BenchStatus.Interrupted;

    public double InitSeconds { get; set; }

    public string? Flags { get; set; }

    public List<K2PowRate> Rates { get; } = [];

    /// <summary>Minutes of k2pow for one pass with this many nonces (nonces/16 groups), using the all-threads rate.</summary>
    public Dictionary<int, double> MinutesPerProof { get; } = [];
}

/// <summary>Hashes/s of the real k2pow search (<see cref="Prover.Core.Pow.K2Pow"/>) with this many threads.</summary>
public sealed record K2PowRate(int Threads, string ThreadsKey, long Hashes, double Seconds)
{
    public double HashesPerSecond => Hashes / Seconds;
}

/// <summary>Verification of a genuinely valid, mainnet-shaped proof.</summary>
public sealed class VerifyBenchResult
{
    public string Status { get; set; } = BenchStatus.Interrupted;

    /// <summary>What was built and what was timed, in words.</summary>
    public string What { get; set; } = "";

    public uint K1 { get; set; }

    public uint K2 { get; set; }

    public ulong ScryptN { get; set; }

    public ulong DatasetLabels { get; set; }

    public double DatasetInitSeconds { get; set; }

    public double ProveSeconds { get; set; }

    public double RandomXLightInitSeconds { get; set; }

    public List<VerifyModeResult> Modes { get; } = [];
}

/// <summary>Time of one <see cref="Prover.Verifier.ProofVerifier.Verify"/> call in one mode (median over runs).</summary>
public sealed record VerifyModeResult(string Mode, int LabelsChecked, int Runs, Spread Seconds);
