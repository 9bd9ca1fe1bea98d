using System.Globalization;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;

namespace Prover.Bench.Core;

/// <summary>
/// What <c>post bench</c> measures and for how long. <see cref="Duration"/> is the time budget of one provider's
/// initialization measurement; every other phase is sized from it (see <see cref="InitBudget"/>,
/// <see cref="ProvingBudget"/>, <see cref="K2PowBudget"/>, <see cref="VerifyBudget"/>), so the whole run takes a
/// predictable time that <c>post bench</c> prints before anything starts.
/// </summary>
public sealed record BenchSettings
{
    /// <summary>The mainnet scrypt N: correctness is always checked there, and verification always runs there.</summary>
    public const ulong MainnetScryptN = 8192;

    /// <summary>scrypt N of the small-N batch each provider is checked on.</summary>
    public const ulong SmallCheckN = 32;

    /// <summary>The ILGPU CPU accelerator is a GPU simulator: it gets at most this budget, whatever the duration.</summary>
    public const double SimulatorBudgetSeconds = 5;

    /// <summary>Seconds of timed init work per provider (split into <see cref="Repetitions"/> repetitions).</summary>
    public double Duration { get; init; } = 20;

    /// <summary>scrypt N of the init measurement (mainnet 8192).</summary>
    public ulong ScryptN { get; init; } = MainnetScryptN;

    /// <summary>Timed init repetitions per provider (the median is reported).</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>Nonce counts of the proving measurement.</summary>
    public IReadOnlyList<int> Nonces { get; init; } = [16, 128, 288];

    /// <summary>MiB of random labels scanned per proving pass (in memory and from the file).</summary>
    public int ProvingMiB { get; init; } = 256;

    /// <summary>Directory of the proving file and the scratch data of the Initializer and verification checks.</summary>
    public string DiskDirectory { get; init; } = ".";

    /// <summary>How the page cache is dropped before each pass over the proving file.</summary>
    public CacheDropMode CacheDrop { get; init; } = CacheDropMode.Auto;

    /// <summary>CPU threads of the CPU provider, the proving "all threads" case and the k2pow (0 = all cores).</summary>
    public int Threads { get; init; }

    public bool SkipInit { get; init; }

    public bool SkipProving { get; init; }

    /// <summary>Skip the whole k2pow phase (light and fast).</summary>
    public bool SkipK2Pow { get; init; }

    /// <summary>Skip RandomX fast mode (it needs ~2 GiB and a long dataset build).</summary>
    public bool SkipK2PowFast { get; init; }

    public bool SkipVerify { get; init; }

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Timed init budget of one provider: the duration, or at most <see cref="SimulatorBudgetSeconds"/> for the simulator.</summary>
    public double InitBudget(ProviderKind kind) =>
        kind == ProviderKind.IlgpuCpu ? Math.Min(Duration, SimulatorBudgetSeconds) : Duration;

    /// <summary>
    /// Budget of the Initializer cross-check (a real <c>post init</c> run sized from the measured rate); none for the
    /// simulator.
    /// </summary>
    public double InitializerBudget(ProviderKind kind) => kind == ProviderKind.IlgpuCpu ? 0 : InitBudget(kind) / 4;

    /// <summary>
    /// Wall-time cap of one provider's whole init measurement (checks, warm-up, repetitions, Initializer): past it the
    /// provider's calls are cancelled and the repetitions that finished are kept.
    /// </summary>
    public double InitTimeCap(ProviderKind kind) => Math.Max(MinInitTimeCap, 3 * (InitBudget(kind) + InitializerBudget(kind)));

    /// <summary>The least <see cref="InitTimeCap"/> (room for kernel compilation and the reference checks).</summary>
    public double MinInitTimeCap { get; init; } = 60;

    /// <summary>Timed budget of one proving configuration (whole passes; at least one).</summary>
    public double ProvingBudget => Duration / 10;

    /// <summary>Timed budget of one k2pow hash-rate point (mode × thread count).</summary>
    public double K2PowBudget => Duration / 4;

    /// <summary>Budget of the verification timings (all three modes together; at least one run each).</summary>
    public double VerifyBudget => Duration / 4;

    /// <summary>Thread counts of the proving and k2pow measurements: 1 and all (once when they are the same).</summary>
    public IReadOnlyList<int> ThreadCounts => EffectiveThreads > 1 ? [1, EffectiveThreads] : [1];

    public void Validate()
    {
        if (!(Duration > 0) || Duration > 24 * 3600)
        {
            throw new InvalidInputException("duration", $"--duration must be between 0 and 86400 seconds (got {Duration.ToString(CultureInfo.InvariantCulture)})");
        }

        if (ScryptN < 2 || (ScryptN & (ScryptN - 1)) != 0)
        {
            throw new InvalidInputException("scryptN", $"--scrypt-n must be a power of two ≥ 2, got {ScryptN}");
        }

        if (Repetitions is < 1 or > 100)
        {
            throw new InvalidInputException("repetitions", $"--repetitions must be between 1 and 100 (got {Repetitions})");
        }

        if (Nonces.Count == 0 || Nonces.Any(n => n <= 0 || n % 16 != 0 || n > 4096))
        {
            throw new InvalidInputException("nonces", $"--nonces: each value must be a positive multiple of 16 up to 4096 (got {string.Join(",", Nonces)})");
        }

        if (ProvingMiB is < 1 or > 1 << 20)
        {
            throw new InvalidInputException("provingMib", $"--proving-mib must be between 1 and {1 << 20} (got {ProvingMiB})");
        }

        if (Threads < 0)
        {
            throw new InvalidInputException("threads", $"--threads must be 0 (all cores) or positive (got {Threads})");
        }
    }
}

/// <summary>How the page cache is emptied before a pass over the proving file.</summary>
public enum CacheDropMode
{
    /// <summary>posix_fadvise(DONTNEED) on the file, plus /proc/sys/vm/drop_caches when running as root.</summary>
    Auto,

    /// <summary>posix_fadvise(DONTNEED) on the file only (no root needed, affects nothing else).</summary>
    Fadvise,

    /// <summary>Leave the page cache alone (file reads may come from memory).</summary>
    None,
}
