using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Init;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post init status</c>: the progress of the shards writing into a data directory, per shard and in total, with ETA
/// and stalled shards. Exit 0 all running or done; 1 a shard stalled or failed; 2 no progress files.
/// </summary>
public static class InitStatusCommand
{
    /// <summary>The <c>status</c> sub-command of <c>post init</c>.</summary>
    public static Command Create()
    {
        var dataDir = Cli.DataDirOpt("the data directory the shards write into");
        var stallAfter = Cli.Opt("--stall-after", "seconds without an update after which a running shard counts as stalled", 120.0);
        stallAfter.Validators.Add(r =>
        {
            if (!(r.GetValueOrDefault<double>() > 0))
            {
                r.AddError("--stall-after must be a number of seconds above 0");
            }
        });
        var json = Cli.Opt<bool>("--json", "print the status as JSON on stdout");
        var command = new Command("status",
            "Progress of the shards of 'post init --shards N' in a data directory (from each shard's .post-progress-I-of-N.json): per shard and total, "
            + "labels/s, ETA, shards stalled or finished. Exit 0 running or done; 1 a shard stalled or failed; 2 no shard progress there.")
        {
            dataDir, stallAfter, json,
        };
        command.SetAction(parse =>
        {
            var status = ShardStatus.Read(parse.GetValue(dataDir)!, TimeSpan.FromSeconds(parse.GetValue(stallAfter)), DateTimeOffset.UtcNow);
            bool bad = status.Shards.Any(s => s.Condition is ShardCondition.Stalled or ShardCondition.Failed);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["shards"] = status.Shards.Select(s => new Dictionary<string, object?>
                    {
                        ["shard"] = s.Shard.Index,
                        ["shards"] = s.Shard.Count,
                        ["from_file"] = s.FromFile,
                        ["to_file"] = s.ToFile,
                        ["labels_done"] = s.LabelsDone,
                        ["labels_total"] = s.LabelsTotal,
                        ["labels_per_second"] = Math.Round(s.LabelsPerSecond, 1),
                        ["condition"] = Name(s.Condition),
                        ["eta_seconds"] = s.Eta is { } e ? Math.Round(e.TotalSeconds) : null,
                        ["seconds_since_update"] = s.SinceUpdate is { } u ? Math.Round(u.TotalSeconds, 1) : null,
                        ["pid"] = s.Progress?.Pid,
                        ["host"] = s.Progress?.Host,
                        ["why"] = s.Why,
                    }).ToList(),
                    ["total"] = new Dictionary<string, object?>
                    {
                        ["labels_done"] = status.LabelsDone,
                        ["labels_total"] = status.LabelsTotal,
                        ["labels_per_second"] = Math.Round(status.LabelsPerSecond, 1),
                        ["eta_seconds"] = status.Eta is { } t ? Math.Round(t.TotalSeconds) : null,
                    },
                    ["finished"] = status.In(ShardCondition.Done).Select(s => s.Shard.Index).ToList(),
                    ["stalled"] = status.In(ShardCondition.Stalled).Select(s => s.Shard.Index).ToList(),
                    ["failed"] = status.In(ShardCondition.Failed).Select(s => s.Shard.Index).ToList(),
                    ["notes"] = status.Notes,
                }, Cli.JsonOutput));
                return bad ? ExitCodes.Invalid : ExitCodes.Ok;
            }

            var c = CultureInfo.InvariantCulture;
            foreach (var s in status.Shards)
            {
                string line = string.Create(c, $"shard {s.Shard.Index}/{s.Shard.Count}  files {s.FromFile}..{s.ToFile}  ");
                line += s.Condition == ShardCondition.NotStarted
                    ? "not started"
                    : string.Create(c, $"{Percent(s.LabelsDone, s.LabelsTotal)} {s.LabelsDone}/{s.LabelsTotal} labels  ")
                      + s.Condition switch
                      {
                          ShardCondition.Running => string.Create(c, $"{s.LabelsPerSecond:F0} labels/s, ETA {Eta(s.Eta)}, running (pid {s.Progress!.Pid} on {s.Progress.Host})"),
                          ShardCondition.Done => "done",
                          _ => $"{Name(s.Condition).ToUpperInvariant()}: {s.Why}",
                      };
                Console.Out.WriteLine(line);
            }

            string conditions = string.Join(", ", status.Shards.GroupBy(s => s.Condition).OrderBy(g => g.Key)
                .Select(g => string.Create(c, $"{g.Count()} {Name(g.Key)}")));
            Console.Out.WriteLine(string.Create(c,
                $"total: {Percent(status.LabelsDone, status.LabelsTotal)} {status.LabelsDone}/{status.LabelsTotal} labels, {status.LabelsPerSecond:F0} labels/s, ETA {Eta(status.Eta)}; {conditions}"));
            foreach (var note in status.Notes)
            {
                Console.Error.WriteLine($"note: {note}");
            }

            return bad ? ExitCodes.Invalid : ExitCodes.Ok;
        });
        return command;
    }

    private static string Name(ShardCondition condition) => condition switch
    {
        ShardCondition.NotStarted => "not started",
        _ => condition.ToString().ToLowerInvariant(),
    };

    private static string Percent(ulong done, ulong total) =>
        string.Create(CultureInfo.InvariantCulture, $"{(total == 0 ? 100 : 100.0 * done / total):F1}%");

    private static string Eta(TimeSpan? eta) => eta is { } e ? (e == TimeSpan.Zero ? "0s" : ProgressDisplay.Duration(e)) : "unknown";
}
