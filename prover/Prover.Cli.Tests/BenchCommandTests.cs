using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Xml.Linq;
using Prover.Bench.Core;
using Prover.Cli.Commands;
using Prover.Core.Init;
using Prover.Core.Proving;
using Prover.Kernels;
using Prover.Kernels.Proving;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// One real <c>post bench</c> run on tiny settings (CPU provider, N=64, 1 s, 4 MiB proving, RandomX light only),
/// shared by the tests that read its bench.json, bench.md and bench.svg.
/// </summary>
public sealed class BenchCliRunFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public BenchCliRunFixture()
    {
        OutDir = _dir.Sub("out");
        (ExitCode, StdOut, StdErr) = PostCli.Run("bench", "--provider", "cpu", "--scrypt-n", "64", "--duration", "1",
            "--repetitions", "3", "--proving-mib", "4", "--skip-k2pow-fast", "--cache-drop", "fadvise", "--threads", "2",
            "--out", OutDir, "--json");
    }

    public string OutDir { get; }

    public int ExitCode { get; }

    public string StdOut { get; }

    public string StdErr { get; }

    public string File(string name) => System.IO.File.ReadAllText(Path.Combine(OutDir, name));

    public void Dispose() => _dir.Dispose();
}

public class BenchCommandTests(BenchCliRunFixture run) : IClassFixture<BenchCliRunFixture>
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Bench_writes_a_consistent_report_with_every_phase_checked_and_timed()
    {
        Assert.True(run.ExitCode == 0, run.StdErr);
        using var doc = JsonDocument.Parse(run.File(BenchCommand.JsonFile));
        var root = doc.RootElement;
        Assert.Equal(JsonDocument.Parse(run.StdOut).RootElement.GetRawText(), root.GetRawText()); // --json prints the file
        Assert.Equal(BenchReport.SchemaName, root.GetProperty("schema").GetString());
        Assert.False(root.GetProperty("interrupted").GetBoolean());
        Assert.True(root.GetProperty("elapsed_seconds").GetDouble() > 0);
        Assert.NotEmpty(root.GetProperty("plan").EnumerateArray());

        var machine = root.GetProperty("machine");
        foreach (string field in new[] { "cpu_model", "simd", "os", "runtime", "project_version", "aes", "disk" })
        {
            Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty(field).GetString()), field);
        }

        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("logical_cores").GetInt32());
        Assert.True(machine.GetProperty("memory_bytes").GetInt64() > 0);

        // Init: checked against the reference, then timed; the units follow from labels/s.
        var init = Assert.Single(root.GetProperty("init").EnumerateArray());
        Assert.Equal("cpu", init.GetProperty("provider").GetString());
        Assert.Equal("ok", init.GetProperty("status").GetString());
        Assert.Equal(64UL, init.GetProperty("scrypt_n").GetUInt64());
        Assert.Equal(3, init.GetProperty("checks").GetArrayLength());
        Assert.Contains("N=8192", init.GetProperty("checks")[0].GetString());
        double labelsPerSecond = init.GetProperty("labels_per_second").GetDouble();
        double min = init.GetProperty("labels_per_second_min").GetDouble();
        double max = init.GetProperty("labels_per_second_max").GetDouble();
        Assert.True(labelsPerSecond > 0);
        Assert.InRange(labelsPerSecond, min, max);
        var reps = init.GetProperty("repetitions_labels_per_second").EnumerateArray().Select(e => e.GetDouble()).ToList();
        // 3 repetitions were asked for; on a loaded machine a single call can outlast a repetition's share of the
        // budget, and the bench then stops once the budget is spent (at least one repetition runs).
        Assert.InRange(reps.Count, 1, 3);
        var sorted = reps.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        Assert.Equal(median, labelsPerSecond, Tolerance);
        Assert.Equal(sorted[0], min, Tolerance);
        Assert.Equal(sorted[^1], max, Tolerance);
        double mib = init.GetProperty("mib_per_second").GetDouble();
        Assert.Equal(labelsPerSecond * 16 / (1 << 20), mib, Tolerance);
        double hours = init.GetProperty("hours_per_unit").GetDouble();
        Assert.Equal(65536 / mib / 3600, hours, 1e-6); // 64 GiB = 65536 MiB
        Assert.Equal(4 * hours, init.GetProperty("hours_per_256_gib").GetDouble(), 1e-6);
        Assert.True(init.GetProperty("labels_timed").GetUInt64() > 0);
        var initializer = init.GetProperty("initializer");
        Assert.True(initializer.GetProperty("labels").GetUInt64() > 0);
        Assert.True(initializer.GetProperty("labels_per_second").GetDouble() > 0);

        // Proving: the scanner was compared with the reference; 2 sources × 3 nonce counts × 2 thread counts.
        var proving = root.GetProperty("proving");
        Assert.Equal("ok", proving.GetProperty("status").GetString());
        Assert.Equal(2, proving.GetProperty("checks").GetArrayLength());
        Assert.Contains("ReferenceProvingScanner", proving.GetProperty("checks")[0].GetString());
        Assert.Contains("posix_fadvise", proving.GetProperty("cache_drop_method").GetString());
        Assert.False(System.IO.File.Exists(proving.GetProperty("file").GetString()), "the proving file is removed");
        var configs = proving.GetProperty("configs").EnumerateArray().ToList();
        Assert.Equal(12, configs.Count);
        Assert.Equal(
            from source in new[] { "memory", "file" } from nonces in new[] { 16, 128, 288 } from threads in new[] { 1, 2 } select $"{source}/{nonces}/{threads}",
            configs.Select(c => $"{c.GetProperty("source").GetString()}/{c.GetProperty("nonces").GetInt32()}/{c.GetProperty("threads").GetInt32()}"));
        foreach (var c in configs)
        {
            Assert.Equal("ok", c.GetProperty("status").GetString());
            Assert.True(c.GetProperty("passes").GetInt32() >= 1);
            Assert.Equal(c.GetProperty("passes").GetInt32() * (4L << 20), c.GetProperty("bytes").GetInt64());
            Assert.Equal(c.GetProperty("bytes").GetInt64() / c.GetProperty("seconds").GetDouble() / (1 << 30),
                c.GetProperty("gib_per_second").GetDouble(), Tolerance);
        }

        // k2pow: light measured, fast skipped on request; minutes per pass from the all-threads rate.
        var k2pow = root.GetProperty("k2pow");
        double expected = k2pow.GetProperty("expected_hashes_per_group").GetDouble();
        Assert.Equal(4687.5 * 4, expected, 0.01 * 4687.5 * 4); // spec §5.1: ≈ 4 687.5 · num_units on mainnet
        var modes = k2pow.GetProperty("modes").EnumerateArray().ToDictionary(m => m.GetProperty("mode").GetString()!);
        Assert.Equal("ok", modes["light"].GetProperty("status").GetString());
        Assert.Equal("skipped: --skip-k2pow-fast", modes["fast"].GetProperty("status").GetString());
        var rates = modes["light"].GetProperty("rates").EnumerateArray().ToList();
        Assert.Equal([1, 2], rates.Select(r => r.GetProperty("threads").GetInt32()));
        foreach (var r in rates)
        {
            Assert.Equal(r.GetProperty("hashes").GetInt64() / r.GetProperty("seconds").GetDouble(), r.GetProperty("hashes_per_second").GetDouble(), Tolerance);
        }

        double allRate = rates[^1].GetProperty("hashes_per_second").GetDouble();
        foreach (var entry in modes["light"].GetProperty("minutes_per_proof").EnumerateObject())
        {
            int nonces = int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(nonces / 16 * expected / allRate / 60, entry.Value.GetDouble(), 1e-6);
        }

        // Verification of a valid k2=37 proof at N=8192.
        var verification = root.GetProperty("verification");
        Assert.Equal("ok", verification.GetProperty("status").GetString());
        Assert.Equal(37u, verification.GetProperty("k2").GetUInt32());
        Assert.Equal(8192UL, verification.GetProperty("scrypt_n").GetUInt64());
        var verifyModes = verification.GetProperty("modes").EnumerateArray().ToDictionary(m => m.GetProperty("mode").GetString()!);
        Assert.Equal(37, verifyModes["all"].GetProperty("labels_checked").GetInt32());
        Assert.Equal(1, verifyModes["one"].GetProperty("labels_checked").GetInt32());
        Assert.All(verifyModes.Values, m => Assert.True(m.GetProperty("seconds").GetDouble() > 0));

        // The flat metrics repeat the structured figures.
        var metrics = root.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetDouble());
        Assert.All(metrics.Values, v => Assert.True(v > 0));
        Assert.Equal(labelsPerSecond, metrics["init/cpu/n=64/labels_per_second"], Tolerance);
        Assert.Equal(hours, metrics["init/cpu/n=64/hours_per_unit"], Tolerance);
        Assert.Equal(configs[0].GetProperty("gib_per_second").GetDouble(), metrics["proving/memory/nonces=16/threads=1/gib_per_second"], Tolerance);
        Assert.Equal(allRate, metrics["k2pow/light/threads=all/hashes_per_second"], Tolerance);
        Assert.Contains("verify/all/seconds", metrics.Keys);
        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith("k2pow/fast", StringComparison.Ordinal));
    }

    [Fact]
    public void Bench_markdown_has_the_tables()
    {
        Assert.True(run.ExitCode == 0, run.StdErr);
        string md = run.File(BenchCommand.MarkdownFile);
        Assert.Contains("| provider | device | status | labels/s | repetitions |", md);
        Assert.Contains("| cpu |", md);
        Assert.Contains("| source | nonces | threads | GiB/s | passes |", md);
        Assert.Contains("| light | ok |", md);
        Assert.Contains("| all | 37 |", md);
        Assert.DoesNotContain("Interrupted", md);
    }

    [Fact]
    public void Bench_svg_is_well_formed_with_bars_and_units()
    {
        Assert.True(run.ExitCode == 0, run.StdErr);
        var svg = XDocument.Parse(run.File(BenchCommand.SvgFile)).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Name);
        var bars = svg.Descendants(ns + "rect").Where(r => ((string?)r.Attribute("class"))?.Split(' ').Contains("bar") == true).ToList();
        Assert.Equal(1 + 12, bars.Count); // one init provider, twelve proving configurations
        Assert.All(bars, b => Assert.True(double.Parse((string)b.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture) > 0));
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("labels/s", texts);
        Assert.Contains("GiB/s", texts);
    }

    [Fact]
    public void Compare_prints_ratios_of_shared_metrics_and_lists_missing_ones()
    {
        Assert.True(run.ExitCode == 0, run.StdErr);
        // B: an init-only run through the runner's API.
        using var dir = new TempDir();
        using var cpu = new CpuLabelProvider(2);
        var settings = new BenchSettings
        {
            ScryptN = 64,
            Duration = 0.3,
            Repetitions = 1,
            SkipProving = true,
            SkipK2Pow = true,
            SkipVerify = true,
            DiskDirectory = dir.Path,
        };
        var report = new BenchRunner(settings, [cpu], MachineInfo.Collect(ProviderCatalog.Discover(2), dir.Path)).Run();
        BenchCommand.WriteFiles(report, dir.Sub("b"));
        string a = Path.Combine(run.OutDir, BenchCommand.JsonFile);
        string b = Path.Combine(dir.Sub("b"), BenchCommand.JsonFile);

        var (code, stdout, stderr) = PostCli.Run("bench", "compare", a, b, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var shared = doc.RootElement.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!);
        Assert.Equal(5, shared.Count); // labels/s, MiB/s, h/unit, h/256 GiB, Initializer labels/s of cpu at N=64
        var labels = shared["init/cpu/n=64/labels_per_second"];
        Assert.Equal(labels.GetProperty("b").GetDouble() / labels.GetProperty("a").GetDouble(), labels.GetProperty("ratio").GetDouble(), Tolerance);
        Assert.Equal(report.Init[0].LabelsPerSecond!.Median, labels.GetProperty("b").GetDouble(), Tolerance);
        var missing = doc.RootElement.GetProperty("missing_in_b").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("proving/file/nonces=288/threads=all/gib_per_second", missing);
        Assert.Contains("verify/all/seconds", missing);
        Assert.Empty(doc.RootElement.GetProperty("missing_in_a").EnumerateArray());

        var text = PostCli.Run("bench", "compare", a, b);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("init/cpu/n=64/labels_per_second", text.StdOut);
        Assert.Contains("missing in B (", text.StdOut);

        Assert.Equal(2, PostCli.Run("bench", "compare", a, dir.Sub("nope.json")).ExitCode);
        System.IO.File.WriteAllText(dir.Sub("other.json"), "{\"schema\":\"something else\"}");
        var wrong = PostCli.Run("bench", "compare", a, dir.Sub("other.json"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("not a post bench report", wrong.StdErr);
    }

    [Fact]
    public void Compare_result_matches_by_key_with_direction_of_better()
    {
        BenchMetric[] a = [new("x/rate", 100, "labels/s", true), new("x/time", 2, "s", false), new("only-a", 1, "s", false)];
        BenchMetric[] b = [new("x/time", 1, "s", false), new("x/rate", 150, "labels/s", true), new("only-b", 1, "s", false)];
        var result = BenchCompareResult.Compare(a, b);
        Assert.Equal(["x/rate", "x/time"], result.Common.Select(c => c.Key));
        Assert.Equal(1.5, result.Common[0].Ratio, Tolerance);
        Assert.True(result.Common[0].BIsBetter);
        Assert.Equal(0.5, result.Common[1].Ratio, Tolerance);
        Assert.True(result.Common[1].BIsBetter); // a lower time is better
        Assert.Equal(["only-a"], result.OnlyInA);
        Assert.Equal(["only-b"], result.OnlyInB);
    }

    [Fact]
    public void Wrong_provider_is_reported_failed_not_timed_and_the_others_still_run()
    {
        using var dir = new TempDir();
        using var good = new CpuLabelProvider(1);
        using var wrong = new TruncatedIndexLabelProvider(new CpuLabelProvider(1));
        var settings = new BenchSettings
        {
            ScryptN = 64,
            Duration = 0.2,
            Repetitions = 1,
            SkipProving = true,
            SkipK2Pow = true,
            SkipVerify = true,
            DiskDirectory = dir.Path,
        };
        var report = new BenchRunner(settings, [wrong, good], MachineInfo.Collect(ProviderCatalog.Discover(1), dir.Path)).Run();

        var bad = report.Init[0];
        Assert.StartsWith("failed: label ", bad.Status);
        Assert.Contains("differs from the scalar reference", bad.Status);
        Assert.Null(bad.LabelsPerSecond);
        Assert.Empty(bad.Repetitions);
        Assert.Equal("ok", report.Init[1].Status);
        Assert.True(BenchCommand.AnyFailed(report));
        Assert.DoesNotContain(BenchJson.Metrics(report), m => m.Key.Contains(wrong.Id, StringComparison.Ordinal));
        Assert.Contains(BenchJson.Metrics(report), m => m.Key == "init/cpu/n=64/labels_per_second");

        using var doc = JsonDocument.Parse(BenchJson.Write(report));
        Assert.StartsWith("failed: ", doc.RootElement.GetProperty("init")[0].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("init")[0].GetProperty("labels_per_second").ValueKind);
        Assert.Contains($"| {wrong.Id} | {wrong.Name} | failed: label ", BenchMarkdown.Write(report));
        var svg = XDocument.Parse(BenchSvg.Write(report));
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), t => t.Value.StartsWith("failed: label", StringComparison.Ordinal));
    }

    [Fact]
    public void Provider_slower_than_its_time_cap_is_cut_off_and_the_run_goes_on()
    {
        using var dir = new TempDir();
        using var slow = new SlowLabelProvider(new CpuLabelProvider(1), TimeSpan.FromSeconds(30));
        using var good = new CpuLabelProvider(1);
        var settings = new BenchSettings
        {
            ScryptN = 64,
            Duration = 0.2,
            Repetitions = 1,
            MinInitTimeCap = 5,
            SkipProving = true,
            SkipK2Pow = true,
            SkipVerify = true,
            DiskDirectory = dir.Path,
        };
        var watch = Stopwatch.StartNew();
        var report = new BenchRunner(settings, [slow, good], MachineInfo.Collect(ProviderCatalog.Discover(1), dir.Path)).Run();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the cap did not stop the slow provider ({watch.Elapsed})");
        Assert.False(report.Interrupted);
        Assert.StartsWith("skipped: too slow", report.Init[0].Status);
        Assert.Contains("time cap", report.Init[0].BudgetNote);
        Assert.Equal("ok", report.Init[1].Status);
        Assert.False(BenchCommand.AnyFailed(report)); // slow is not wrong
    }

    [Fact]
    public void Wrong_proving_scanner_is_reported_failed_and_not_timed()
    {
        using var dir = new TempDir();
        var settings = new BenchSettings
        {
            Duration = 0.2,
            ProvingMiB = 1,
            SkipInit = true,
            SkipK2Pow = true,
            SkipVerify = true,
            DiskDirectory = dir.Path,
        };
        var report = new BenchRunner(settings, [], MachineInfo.Collect(ProviderCatalog.Discover(1), dir.Path), scanners: new NoLazyCheckScannerFactory()).Run();
        Assert.NotNull(report.Proving);
        Assert.StartsWith("failed: proving scanner", report.Proving.Status);
        Assert.Empty(report.Proving.Configs);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Sigterm_stops_the_run_writes_a_partial_report_and_exits_130()
    {
        using var dir = new TempDir();
        string outDir = dir.Sub("out");
        using var p = Process.Start(PostCli.StartInfo("bench", "--provider", "cpu", "--scrypt-n", "64", "--duration", "60",
            "--repetitions", "100", "--skip-proving", "--skip-k2pow", "--skip-verify", "--threads", "1", "--out", outDir))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var log = new System.Text.StringBuilder();
        try
        {
            // Wait until the first repetition is done, so something was measured.
            while (p.StandardError.ReadLine() is { } line)
            {
                log.AppendLine(line);
                if (line.Contains("repetition 1/100", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            if (!p.HasExited)
            {
                Assert.Equal(0, Kill(p.Id, 15));
            }
        }

        string rest = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "post bench did not stop after SIGTERM");
        Assert.True(p.ExitCode == 130, log + rest);
        Assert.Contains("interrupted", rest);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(outDir, BenchCommand.JsonFile)));
        Assert.True(doc.RootElement.GetProperty("interrupted").GetBoolean());
        var init = Assert.Single(doc.RootElement.GetProperty("init").EnumerateArray());
        Assert.Equal("interrupted", init.GetProperty("status").GetString());
        Assert.NotEmpty(init.GetProperty("repetitions_labels_per_second").EnumerateArray());
        Assert.Contains("**Interrupted**", System.IO.File.ReadAllText(Path.Combine(outDir, BenchCommand.MarkdownFile)));
        XDocument.Parse(System.IO.File.ReadAllText(Path.Combine(outDir, BenchCommand.SvgFile)));
        Assert.Contains("**Interrupted**", await stdout);
    }

    [Fact]
    public void Spread_takes_the_median_of_odd_and_even_counts()
    {
        Assert.Equal(new Spread(2, 1, 9), Spread.Of([9, 1, 2]));
        Assert.Equal(new Spread(2.5, 1, 9), Spread.Of([9, 1, 2, 3]));
        Assert.Equal(400.0 / 3, Spread.Of([1, 3, 5]).SpreadPercent, Tolerance); // (5 − 1) / 3
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>
/// A deliberately wrong label provider: the real CPU provider, but with each label index truncated to 32 bits (the
/// classic overflow bug). Labels below 2^32 are right, so only a check at 64-bit indices catches it.
/// </summary>
internal sealed class TruncatedIndexLabelProvider(ILabelProvider inner) : ILabelProvider
{
    public string Id => "cpu-truncated-index";
    public string Name => "CPU provider with 32-bit label indices";
    public ProviderKind Kind => ProviderKind.CpuSimd;
    public int PreferredBatchSize(ulong scryptN) => inner.PreferredBatchSize(scryptN);

    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count,
        Span<byte> output32, CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < count; i++)
        {
            inner.ComputeOutputs(commitment, scryptN, (uint)(startIndex + (ulong)i), 1, output32.Slice(i * 32, 32), cancellationToken);
        }
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>The real CPU provider behind a fixed (cancellable) delay per call: a provider far too slow for its budget.</summary>
internal sealed class SlowLabelProvider(ILabelProvider inner, TimeSpan delay) : ILabelProvider
{
    public string Id => "cpu-slow";
    public string Name => "CPU provider with a delay per call";
    public ProviderKind Kind => ProviderKind.CpuSimd;
    public int PreferredBatchSize(ulong scryptN) => inner.PreferredBatchSize(scryptN);

    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count,
        Span<byte> output32, CancellationToken cancellationToken = default)
    {
        cancellationToken.WaitHandle.WaitOne(delay);
        cancellationToken.ThrowIfCancellationRequested();
        inner.ComputeOutputs(commitment, scryptN, startIndex, count, output32, cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>
/// A deliberately wrong proving scanner: the kernels' scanner on a pass whose 56 lazy difficulty bits are zero, so a
/// label whose AES byte equals the difficulty msb never counts (the lazy check forgotten).
/// </summary>
internal sealed class NoLazyCheckScannerFactory : IProvingScannerFactory
{
    private readonly ProvingScannerFactory _inner = new();

    public string Name => "8/56 scan without lazy checks";

    public IProvingScanner Create(ProvingPass pass) => _inner.Create(new ProvingPass(pass.FirstNonce, pass.NonceCount,
        pass.Difficulty & ~ProvingDifficulty.LsbMask, pass.Pows, pass.GroupKeys, pass.LazyKeys));
}
