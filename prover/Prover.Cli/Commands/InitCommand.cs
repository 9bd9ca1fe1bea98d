using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;

namespace Prover.Cli.Commands;

/// <summary><c>post init</c>: initialize (or resume) PoST data.</summary>
public static class InitCommand
{
    /// <summary>Parameter presets: mainnet (N=8192, 2^32 labels/unit, 4 GiB files) and a small dev dataset.</summary>
    internal sealed record Preset(ulong ScryptN, ulong LabelsPerUnit, ulong MaxFileSize, uint? NumUnits, string? NodeId, string? AtxId);

    internal static readonly Dictionary<string, Preset> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mainnet"] = new(8192, 1UL << 32, 4UL << 30, null, null, null),
        // post-rs initializer's default identity; 4 units × 4096 labels = 256 KiB of real N=8192 labels in 16 files.
        ["dev"] = new(8192, 4096, 16 * 1024, 4,
            "8411931ece38b5abfb611f3bb1155a7eecd9c0e6c26672b567f7b1629c70a924",
            "66ec687158c86167efec0fcad4b9a6f3e98db07cc065a595a5b979f8a20dc7e2"),
    };

    public static Command Create()
    {
        var dataDir = Cli.DataDirOpt("directory of the PoST data (created if missing)");
        var preset = Cli.Opt<string?>("--preset", "parameter preset: mainnet (N=8192, 2^32 labels/unit, 4 GiB files) or dev (small, for trying things out)");
        preset.AcceptOnlyFromAmong("mainnet", "dev");
        var nodeId = Cli.Opt<string?>("--node-id", "smesher id (32-byte hex, the Ed25519 public key)");
        var atxId = Cli.Opt<string?>("--commitment-atx-id", "commitment ATX id (32-byte hex)");
        var numUnits = Cli.Opt<uint?>("--num-units", "number of space units [required unless --preset dev]")
            .InRange(1u, uint.MaxValue);
        var labelsPerUnit = Cli.Opt<ulong?>("--labels-per-unit", "labels per unit [default: 4294967296 (mainnet), or the preset's]")
            .InRange(1UL, ulong.MaxValue);
        var maxFileSize = Cli.Opt<ulong?>("--max-file-size", "maximum bytes per postdata file, a multiple of 16 [default: 4294967296 (mainnet), or the preset's]")
            .InRange((ulong)PostDataLayout.LabelSize, ulong.MaxValue);
        var scryptN = Cli.Opt<ulong?>("--scrypt-n", "scrypt N, a power of two [default: 8192]", "-n")
            .PowerOfTwo(2UL, InitOptions.MaxScryptN);
        var threads = Cli.Opt("--threads", "CPU threads for the CPU provider (0 = all cores)", 0, "-t")
            .InRange(0, Cli.MaxThreads);
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var fromFile = Cli.Opt<int?>("--from-file", "first file to initialize (inclusive) when splitting a job across machines [default: 0]")
            .InRange(0, int.MaxValue);
        var toFile = Cli.Opt<int?>("--to-file", "last file to initialize (inclusive) [default: the last file]")
            .InRange(0, int.MaxValue);
        var shards = Cli.Opt<int?>("--shards",
                "split the job into N shards of contiguous files (balanced to within one file) that run at once, on one machine or many, "
                + "into one shared --datadir or each into its own; then 'post init merge' checks them and writes the metadata")
            .InRange(1, int.MaxValue);
        var shardIndex = Cli.Opt<int?>("--shard-index",
                $"the shard this worker writes, 0..N-1 [default: ${ShardSpec.SlurmIndexVariable} (Slurm job array), else ${ShardSpec.KubernetesIndexVariable} (Kubernetes Indexed Job)]")
            .InRange(0, int.MaxValue);
        var overcommit = Cli.Opt<bool>("--allow-overcommit", "start even when the disk has less free space than the data still needs");
        var vrf = Cli.Opt<string?>("--vrf-difficulty",
            "VRF nonce difficulty: 32-byte hex, 'go' (go-spacemesh's PowDifficulty(numLabels), the default) or 'max' (post-rs's FF×32)");
        var json = Cli.Opt<bool>("--json", "print a JSON summary on stdout");

        var command = new Command("init", "Initialize PoST data: compute labels into postdata_N.bin files, find the VRF nonce, write postdata_metadata.json. Re-running resumes an interrupted job. "
            + "Across machines: run every worker with the same flags plus --shards N (the index comes from --shard-index or the scheduler), then 'post init merge'; 'post init status' shows the progress.")
        {
            dataDir, preset, nodeId, atxId, numUnits, labelsPerUnit, maxFileSize, scryptN, threads, provider, fromFile,
            toFile, shards, shardIndex, vrf, overcommit, json,
        };
        gpu.AddTo(command);
        command.Subcommands.Add(InitMergeCommand.Create());
        command.Subcommands.Add(InitStatusCommand.Create());
        command.Subcommands.Add(InitPlanCommand.Create());
        command.SetAction(parse =>
        {
            var p = parse.GetValue(preset) is { } name ? Presets[name] : null;
            var options = new InitOptions
            {
                DataDir = parse.GetValue(dataDir)!,
                NodeId = new NodeId(Hex.Parse32(parse.GetValue(nodeId) ?? p?.NodeId, InputField.NodeId)),
                CommitmentAtxId = new AtxId(Hex.Parse32(parse.GetValue(atxId) ?? p?.AtxId, InputField.CommitmentAtxId)),
                NumUnits = parse.GetValue(numUnits) ?? p?.NumUnits
                    ?? throw new InvalidInputException("numUnits", "--num-units is required (or use --preset dev)"),
                LabelsPerUnit = parse.GetValue(labelsPerUnit) ?? p?.LabelsPerUnit ?? Presets["mainnet"].LabelsPerUnit,
                MaxFileSize = parse.GetValue(maxFileSize) ?? p?.MaxFileSize ?? Presets["mainnet"].MaxFileSize,
                ScryptN = parse.GetValue(scryptN) ?? p?.ScryptN ?? Presets["mainnet"].ScryptN,
                FromFile = parse.GetValue(fromFile),
                ToFile = parse.GetValue(toFile),
                Shard = ShardSpec.Resolve(parse.GetValue(shards), parse.GetValue(shardIndex), Environment.GetEnvironmentVariable),
                VrfDifficulty = ParseVrf(parse.GetValue(vrf)),
                AllowOvercommit = parse.GetValue(overcommit),
            };
            if (p is null && parse.GetValue(labelsPerUnit) is null)
            {
                Console.Error.WriteLine("no --preset and no --labels-per-unit: using mainnet's sizes (2^32 labels = 64 GiB per unit)");
            }

            Initializer.ValidateOptions(options);
            var providers = ProviderSelection.Resolve(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse));
            try
            {
                return Execute(options, providers, parse.GetValue(json));
            }
            finally
            {
                foreach (var p2 in providers)
                {
                    p2.Dispose();
                }
            }
        });
        return command;
    }

    internal static byte[]? ParseVrf(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "go" => null,
        "max" or "ff" => VrfDifficulty.Maximum(),
        _ => Hex.Parse(text, InputField.VrfDifficulty, 32),
    };

    private static int Execute(InitOptions options, IReadOnlyList<ILabelProvider> providers, bool json)
    {
        using var cts = Cli.CancelOnSignals();
        var layout = new PostDataLayout(options.LabelsPerUnit * options.NumUnits, options.MaxFileSize / PostDataLayout.LabelSize);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"initializing {options.DataDir}: {options.NumUnits} {(options.NumUnits == 1 ? "unit" : "units")} × {options.LabelsPerUnit} labels = {layout.TotalLabels} labels ({Sizes.Format(layout.TotalLabels * PostDataLayout.LabelSize)}) in {layout.NumFiles} {(layout.NumFiles == 1 ? "file" : "files")}, scrypt N={options.ScryptN}"));
        Console.Error.WriteLine($"providers: {string.Join("; ", providers.Select(p => $"{p.Id} ({p.Name})"))}");

        using var logging = CliLogging.CreateFactory();
        var initializer = new Initializer(providers, logging.CreateLogger<Initializer>());
        var display = new ProgressDisplay();
        var result = display.Run("labels", update =>
        {
            var progress = new SyncProgress<InitProgress>(p =>
            {
                double rate = p.Elapsed.TotalSeconds > 0 ? p.LabelsThisRun / p.Elapsed.TotalSeconds : 0;
                string detail = p.SearchingNonceBeyondData
                    ? string.Create(CultureInfo.InvariantCulture, $"searching the VRF nonce past the data, {p.LabelsThisRun} labels, {rate:F0} labels/s")
                    : Describe(p.LabelsDone, p.LabelsTotal, rate);
                update(p.LabelsDone, p.LabelsTotal, detail);
            });
            return initializer.Run(options, progress, cts.Token);
        });

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["datadir"] = Path.GetFullPath(options.DataDir),
                ["shard"] = options.Shard?.Index,
                ["shards"] = options.Shard?.Count,
                ["already_complete"] = result.AlreadyComplete,
                ["from_file"] = result.FromFile,
                ["to_file"] = result.ToFile,
                ["labels"] = result.LabelsComputed,
                ["resumed_from"] = result.ResumedFrom,
                ["seconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
                ["labels_per_second"] = Math.Round(result.LabelsPerSecond, 1),
                ["mib_per_second"] = Math.Round(result.LabelsPerSecond * PostDataLayout.LabelSize / (1 << 20), 3),
                ["nonce"] = result.Nonce,
                ["nonce_output"] = result.NonceOutput is { } o ? Hex.Format(o) : null,
                ["scrypt_n"] = options.ScryptN,
                ["providers"] = result.Providers,
                ["repaired"] = result.Repaired,
            }));
        }
        else if (options.Shard is { } shard)
        {
            string nonce = result.Nonce?.ToString(CultureInfo.InvariantCulture) ?? "none in this range";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{shard} {(result.AlreadyComplete ? "already complete" : "done")}: files {result.FromFile}..{result.ToFile}, {result.LabelsComputed} labels computed{(result.LabelsComputed > 0 ? $" ({result.LabelsPerSecond:F0} labels/s)" : "")}; best VRF nonce {nonce}, recorded in {ShardRecord.FileNameOf(shard)}. When every shard is done: post init merge --datadir {options.DataDir}"));
        }
        else if (result.AlreadyComplete)
        {
            Console.Out.WriteLine($"already complete: files {result.FromFile}..{result.ToFile} hold all their labels; nothing to do. VRF nonce: {result.Nonce?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }
        else if (result.NonceRecorded)
        {
            Console.Out.WriteLine($"complete: files {result.FromFile}..{result.ToFile} hold all their labels; recorded VRF nonce {result.Nonce?.ToString(CultureInfo.InvariantCulture) ?? "none"} in {PostMetadata.FileName}");
        }
        else
        {
            if (result.Repaired.Count > 0)
            {
                Console.Out.WriteLine($"repaired: {string.Join(", ", result.Repaired)} (the other files were intact and kept)");
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {result.LabelsComputed} labels in {ProgressDisplay.Duration(result.Elapsed)} ({result.LabelsPerSecond:F0} labels/s, {result.LabelsPerSecond * 16 / (1 << 20):F2} MiB/s); VRF nonce {result.Nonce?.ToString(CultureInfo.InvariantCulture) ?? "none"}"));
        }

        return ExitCodes.Ok;
    }

    internal static string Describe(double done, double total, double rate)
    {
        // Sizes in GiB/MiB/KiB and the speed; the progress display adds the one ETA (issue 15, item 20).
        return ProgressDisplay.LabelsDetail(done, total, rate);
    }
}

/// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
