using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post init merge</c>: gathers the shards of a split initialization, checks every file of the identity, and writes
/// <c>postdata_metadata.json</c> as one machine would. Exit 0 merged; 1 a file is missing, short, foreign or unfinished
/// (each named with the shard that should redo it; nothing written, nothing deleted); 2 bad input or a shard still running.
/// </summary>
public static class InitMergeCommand
{
    /// <summary>The <c>merge</c> sub-command of <c>post init</c>.</summary>
    public static Command Create()
    {
        var dataDir = Cli.DataDirOpt("the data directory the shards wrote into (or that receives them with --from)");
        var from = Cli.Opt<string[]>("--from",
            "a directory a shard wrote into on another machine: its files are copied into --datadir first (atomically; a file that is already there and differs is never overwritten). Repeatable");
        from.AllowMultipleArgumentsPerToken = true;
        var samples = Cli.Opt("--samples", "labels recomputed per file besides its first and last ones", 32).InRange(1, 1 << 20);
        var seed = Cli.Opt<int?>("--seed", "random seed for the sample (default: random)").InRange(0, int.MaxValue);
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var threads = Cli.Opt("--threads", "CPU threads (0 = all)", 0, "-t").InRange(0, Cli.MaxThreads);
        var json = Cli.Opt<bool>("--json", "print the result as JSON on stdout");
        var command = new Command("merge",
            "Merge the shards of 'post init --shards N': copy them in (--from), check that every file of the identity is present, complete and "
            + "made with the same identity, scrypt N and layout (first, last and sampled labels recomputed), pick the best VRF nonce of the shards, "
            + "and write postdata_metadata.json exactly as one machine would. Exit 0 merged; 1 files missing, short, foreign or unfinished "
            + "(each named with the shard to run again; nothing is written or deleted); 2 bad input or a shard still running.")
        {
            dataDir, from, samples, seed, provider, threads, json,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new MergeOptions
            {
                DataDir = parse.GetValue(dataDir)!,
                From = parse.GetValue(from) ?? [],
                SamplesPerFile = parse.GetValue(samples),
                Seed = parse.GetValue(seed),
            };
            var providers = ProviderSelection.Resolve(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse));
            try
            {
                using var cts = Cli.CancelOnSignals();
                var merge = new ShardMerge(providers);
                var result = new ProgressDisplay().Run("merge", update =>
                    merge.Run(options, new SyncProgress<(ulong Done, ulong Total)>(x => update(x.Done, x.Total, $"{x.Done}/{x.Total} labels checked")),
                        cts.Token));
                Report(options, result, parse.GetValue(json));
                return result.Ok ? ExitCodes.Ok : ExitCodes.Invalid;
            }
            finally
            {
                foreach (var p in providers)
                {
                    p.Dispose();
                }
            }
        });
        return command;
    }

    private static void Report(MergeOptions options, MergeResult result, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["ok"] = result.Ok,
                ["datadir"] = Path.GetFullPath(options.DataDir),
                ["files"] = result.Files,
                ["shards"] = result.Shards.Select(s => new Dictionary<string, object?>
                {
                    ["shard"] = s.Shard.Index,
                    ["shards"] = s.Shard.Count,
                    ["record"] = s.Path,
                }).ToList(),
                ["copied"] = result.Copied,
                ["notes"] = result.Notes,
                ["labels_checked"] = result.LabelsChecked,
                ["problems"] = result.Problems.Select(p => new Dictionary<string, object?>
                {
                    ["path"] = p.Path,
                    ["file"] = p.File,
                    ["redo_shard"] = p.Redo?.Index,
                    ["redo_shards"] = p.Redo?.Count,
                    ["message"] = FlagNames.Rename(p.Message),
                }).ToList(),
                ["nonce"] = result.Metadata?.Nonce,
                ["last_position"] = result.Metadata?.LastPosition,
                ["already_merged"] = result.AlreadyMerged,
            }, Cli.JsonOutput));
            return;
        }

        foreach (var note in result.Notes)
        {
            Console.Error.WriteLine($"note: {note}");
        }

        if (result.Copied.Count > 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"copied {result.Copied.Count} files into {options.DataDir}"));
        }

        if (!result.Ok)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"NOT MERGED: {result.Problems.Count} {(result.Problems.Count == 1 ? "problem" : "problems")} in {options.DataDir} ({result.Files} files); nothing was written or deleted:"));
            foreach (var p in result.Problems)
            {
                Console.Out.WriteLine($"  {FlagNames.Rename(p.Message)}");
            }

            var redo = result.Problems.Where(p => p.Redo is not null).Select(p => p.Redo!.Value).Distinct().OrderBy(s => s.Count).ThenBy(s => s.Index).ToList();
            if (redo.Count > 0)
            {
                Console.Out.WriteLine("run again: " + string.Join("; ", redo.Select(s => string.Create(CultureInfo.InvariantCulture,
                    $"post init ... --shards {s.Count} --shard-index {s.Index}"))) + ", then merge again");
            }

            return;
        }

        string nonce = result.Metadata!.Nonce?.ToString(CultureInfo.InvariantCulture) ?? "none";
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(result.AlreadyMerged ? "already merged" : "merged")}: {result.Files} files of {result.Shards.Count} shard records checked ({result.LabelsChecked} labels recomputed); VRF nonce {nonce}{(result.LabelsSearchedBeyond > 0 ? $" (found {result.LabelsSearchedBeyond} labels past the data)" : "")}; {PostMetadata.FileName} written in {options.DataDir}"));
    }
}
