using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Prover.Bench.Core;
using Prover.Core;
using Prover.Core.Data;
using Prover.Kernels;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post bench</c>: a hardware benchmark of every provider present (init labels/s at N=8192, proving GiB/s in memory
/// and from disk, k2pow hashes/s in fast and light mode, verification time), each checked against the scalar reference
/// before it is timed; writes bench.json, bench.md and bench.svg. <c>post bench compare A.json B.json</c> prints the
/// ratios between two runs.
/// </summary>
public static class BenchCommand
{
    public const string JsonFile = "bench.json";
    public const string MarkdownFile = "bench.md";
    public const string SvgFile = "bench.svg";

    public static Command Create()
    {
        var provider = Cli.Opt("--provider", "provider id(s), comma separated, or 'all' (every provider present; see 'post providers')", "all");
        var duration = Cli.Opt("--duration", "seconds of timed init work per provider (the ILGPU CPU simulator gets at most 5 s); " +
            "each proving configuration gets 1/10 of it, each k2pow point 1/4, the verification timings 1/4", 20.0).InRange(0.1, 86400.0);
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N of the init measurement (mainnet 8192)", BenchSettings.MainnetScryptN, "-n")
            .PowerOfTwo(2UL, ProviderSelection.MaxScryptN);
        var outDir = Cli.Opt("--out", "directory for bench.json, bench.md and bench.svg", "bench-out", "-o");
        var disk = Cli.Opt<string?>("--disk", "directory (on the disk to measure) for the proving file and scratch data (default: --out)");
        var threads = Cli.Opt("--threads", "CPU threads for the CPU provider, proving 'all threads' and k2pow (0 = all cores)", 0, "-t")
            .InRange(0, Cli.MaxThreads);
        var json = Cli.Opt<bool>("--json", "print bench.json on stdout (progress stays on stderr)");
        var gpu = new GpuFlags();

        // Tuning and testing flags (hidden).
        var repetitions = Hidden(Cli.Opt("--repetitions", "timed init repetitions per provider", 5).InRange(1, 100));
        var nonces = Hidden(Cli.Opt("--nonces", "nonce counts of the proving measurement, comma separated", "16,128,288"));
        var provingMiB = Hidden(Cli.Opt("--proving-mib", "MiB of labels per proving pass (memory and file)", 256).InRange(1, 1 << 20));
        var cacheDrop = Hidden(Cli.Opt("--cache-drop", "page cache drop before file passes: auto (fadvise + drop_caches as root), fadvise, none", "auto"));
        var skipInit = Hidden(Cli.Opt<bool>("--skip-init", "skip the init measurement"));
        var skipProving = Hidden(Cli.Opt<bool>("--skip-proving", "skip the proving measurement"));
        var skipK2Pow = Hidden(Cli.Opt<bool>("--skip-k2pow", "skip the k2pow measurement (light and fast)"));
        var skipK2PowFast = Hidden(Cli.Opt<bool>("--skip-k2pow-fast", "skip RandomX fast mode (~2 GiB, long dataset build)"));
        var skipVerify = Hidden(Cli.Opt<bool>("--skip-verify", "skip the verification measurement"));

        var command = new Command("bench", "Benchmark this machine: init labels/s per provider, proving GiB/s (memory and disk), k2pow hashes/s, " +
            "verification time; every kernel checked against the scalar reference first. Writes bench.json, bench.md and bench.svg.")
        {
            provider, duration, scryptN, outDir, disk, threads, json,
            repetitions, nonces, provingMiB, cacheDrop, skipInit, skipProving, skipK2Pow, skipK2PowFast, skipVerify,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            string output = parse.GetValue(outDir)!;
            var settings = new BenchSettings
            {
                Duration = parse.GetValue(duration),
                ScryptN = parse.GetValue(scryptN),
                Repetitions = parse.GetValue(repetitions),
                Nonces = ParseInts(parse.GetValue(nonces)!, "--nonces"),
                ProvingMiB = parse.GetValue(provingMiB),
                DiskDirectory = parse.GetValue(disk) ?? output,
                CacheDrop = Enum.TryParse(parse.GetValue(cacheDrop), ignoreCase: true, out CacheDropMode mode) && Enum.IsDefined(mode)
                    ? mode
                    : throw new InvalidInputException("cacheDrop", $"--cache-drop must be auto, fadvise or none (got '{parse.GetValue(cacheDrop)}')"),
                Threads = parse.GetValue(threads),
                SkipInit = parse.GetValue(skipInit),
                SkipProving = parse.GetValue(skipProving),
                SkipK2Pow = parse.GetValue(skipK2Pow),
                SkipK2PowFast = parse.GetValue(skipK2PowFast),
                SkipVerify = parse.GetValue(skipVerify),
            };
            settings.Validate();
            var gpuOptions = gpu.Read(parse);
            CreateDirectory(output, "--out");
            CreateDirectory(settings.DiskDirectory, "--disk");

            var providers = ProviderSelection.Resolve(parse.GetValue(provider), settings.Threads, gpuOptions);
            try
            {
                var machine = MachineInfo.Collect(ProviderCatalog.Discover(settings.Threads, gpuOptions), settings.DiskDirectory);
                using var cts = Cli.CancelOnSignals();
                using var logging = CliLogging.CreateFactory();
                var runner = new BenchRunner(settings, providers, machine, logging.CreateLogger<BenchRunner>());
                (IReadOnlyList<string> plan, double seconds) = runner.Plan();
                Console.Error.WriteLine($"post bench on {machine.CpuModel} ({machine.LogicalCores} cores), providers: {string.Join(", ", providers.Select(p => p.Id))}");
                Console.Error.WriteLine("plan:");
                foreach (string line in plan)
                {
                    Console.Error.WriteLine($"  {line}");
                }

                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  total ≈ {BenchRunner.Format(seconds)} (Ctrl-C stops and still writes what was measured)"));
                BenchReport report = runner.Run(cts.Token);
                string jsonText = WriteFiles(report, output);
                Console.Out.WriteLine(parse.GetValue(json) ? jsonText : BenchMarkdown.Write(report));
                Console.Error.WriteLine($"wrote {Path.Combine(output, JsonFile)}, {MarkdownFile}, {SvgFile}{(report.Interrupted ? " (interrupted: partial report)" : "")}");
                if (report.Interrupted)
                {
                    return ExitCodes.Interrupted;
                }

                return AnyFailed(report) ? ExitCodes.Invalid : ExitCodes.Ok;
            }
            finally
            {
                foreach (var p in providers)
                {
                    p.Dispose();
                }
            }
        });
        command.Add(CompareCommand());
        return command;
    }

    /// <summary>Writes bench.json, bench.md and bench.svg into <paramref name="directory"/>; returns the JSON.</summary>
    public static string WriteFiles(BenchReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        string json = BenchJson.Write(report);
        File.WriteAllText(Path.Combine(directory, JsonFile), json + "\n");
        File.WriteAllText(Path.Combine(directory, MarkdownFile), BenchMarkdown.Write(report));
        File.WriteAllText(Path.Combine(directory, SvgFile), BenchSvg.Write(report));
        return json;
    }

    /// <summary>True when a provider, the proving check, a k2pow mode or the verification failed (skips do not count).</summary>
    public static bool AnyFailed(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static bool Failed(string status) => status.StartsWith("failed", StringComparison.Ordinal);
        return report.Init.Any(r => Failed(r.Status))
            || (report.Proving is { } p && Failed(p.Status))
            || (report.K2Pow is { } k && k.Modes.Any(m => Failed(m.Status)))
            || (report.Verification is { } v && Failed(v.Status));
    }

    private static Command CompareCommand()
    {
        var a = new Argument<string>("A") { Description = "the first bench.json (the baseline)" };
        var b = new Argument<string>("B") { Description = "the second bench.json" };
        var json = Cli.Opt<bool>("--json", "print the comparison as JSON");
        var command = new Command("compare", "Print the ratio B/A of every metric two bench.json files share, and the metrics only one has.")
        {
            a, b, json,
        };
        command.SetAction(parse =>
        {
            string pathA = parse.GetValue(a)!;
            string pathB = parse.GetValue(b)!;
            var result = BenchCompareResult.Compare(Load(pathA), Load(pathB));
            if (parse.GetValue(json))
            {
                var root = new JsonObject
                {
                    ["a"] = pathA,
                    ["b"] = pathB,
                    ["metrics"] = new JsonArray([.. result.Common.Select(c => (JsonNode)new JsonObject
                    {
                        ["key"] = c.Key,
                        ["unit"] = c.Unit,
                        ["a"] = c.A,
                        ["b"] = c.B,
                        ["ratio"] = c.Ratio,
                        ["b_is_better"] = c.BIsBetter,
                    })]),
                    ["missing_in_b"] = new JsonArray([.. result.OnlyInA.Select(k => (JsonNode)k)]),
                    ["missing_in_a"] = new JsonArray([.. result.OnlyInB.Select(k => (JsonNode)k)]),
                };
                Console.Out.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.Out.Write(result.ToText(pathA, pathB));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IReadOnlyList<BenchMetric> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(InputField.File, $"cannot read {path}: {e.Message}", e);
        }

        try
        {
            return BenchJson.ReadMetrics(text, path);
        }
        catch (FormatException e)
        {
            throw new InvalidInputException(InputField.File, e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidInputException(InputField.File, $"{path}: unexpected value types in \"metrics\" ({e.Message})", e);
        }
    }

    private static List<int> ParseInts(string text, string flag) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw new InvalidInputException(flag, $"{flag}: '{t}' is not an integer"))];

    private static void CreateDirectory(string path, string flag)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(flag, $"{flag} {path}: cannot create the directory: {e.Message}", e);
        }
    }

    private static Option<T> Hidden<T>(Option<T> option)
    {
        option.Hidden = true;
        return option;
    }
}
