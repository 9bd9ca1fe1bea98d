using System.Globalization;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>Where one shard stands, as <see cref="ShardStatus.Read"/> judges it from its progress file.</summary>
public enum ShardCondition
{
    /// <summary>Updated recently and computing.</summary>
    Running,

    /// <summary>Finished.</summary>
    Done,

    /// <summary>Marked running but not updated for longer than the threshold, or its process on this host is gone.</summary>
    Stalled,

    /// <summary>Stopped by a signal; running it again resumes it.</summary>
    Interrupted,

    /// <summary>Stopped on an error.</summary>
    Failed,

    /// <summary>No progress file: not started (or not in this directory).</summary>
    NotStarted,
}

/// <summary>One shard's line of <c>post init status</c>.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="FromFile">First file of the shard.</param>
/// <param name="ToFile">Last file of the shard.</param>
/// <param name="LabelsDone">Labels of its range on disk.</param>
/// <param name="LabelsTotal">Labels of its range.</param>
/// <param name="LabelsPerSecond">Its speed (0 unless running).</param>
/// <param name="Condition">Its condition.</param>
/// <param name="Eta">Time left at its speed, when running.</param>
/// <param name="SinceUpdate">Time since its progress file was written.</param>
/// <param name="Progress">Its progress file, when there is one.</param>
/// <param name="Why">Why it is stalled or failed, in words.</param>
public sealed record ShardLine(ShardSpec Shard, int FromFile, int ToFile, ulong LabelsDone, ulong LabelsTotal,
    double LabelsPerSecond, ShardCondition Condition, TimeSpan? Eta, TimeSpan? SinceUpdate, ShardProgress? Progress,
    string? Why);

/// <summary>The whole job: every shard and the sums.</summary>
/// <param name="Shards">One line per shard, in order.</param>
/// <param name="LabelsDone">Labels on disk, all shards.</param>
/// <param name="LabelsTotal">Labels of the data set.</param>
/// <param name="LabelsPerSecond">The speed of the running shards together.</param>
/// <param name="Eta">Time left at that speed; null when nothing runs.</param>
/// <param name="Notes">Progress files that could not be read or belong to another split.</param>
public sealed record FleetStatus(IReadOnlyList<ShardLine> Shards, ulong LabelsDone, ulong LabelsTotal,
    double LabelsPerSecond, TimeSpan? Eta, IReadOnlyList<string> Notes)
{
    /// <summary>The shards in <paramref name="condition"/>.</summary>
    public IReadOnlyList<ShardLine> In(ShardCondition condition) => Shards.Where(s => s.Condition == condition).ToList();
}

/// <summary>
/// <c>post init status</c>: reads the shards' progress files (<see cref="ShardProgress"/>) in a data directory and
/// sums them: per shard and in total, labels done, speed, ETA; shards that stopped updating are stalled.
/// </summary>
public static class ShardStatus
{
    /// <summary>Reads the progress of the shards in <paramref name="dataDir"/> as of <paramref name="now"/>.</summary>
    /// <param name="dataDir">The shared data directory.</param>
    /// <param name="stallAfter">A running shard not updated for longer than this is stalled.</param>
    /// <param name="now">The present (a parameter, so that tests need not wait).</param>
    /// <exception cref="InvalidInputException">no such directory, or no progress file in it.</exception>
    public static FleetStatus Read(string dataDir, TimeSpan stallAfter, DateTimeOffset now)
    {
        if (!Directory.Exists(dataDir))
        {
            throw new InvalidInputException(InputField.DataDir, $"{dataDir} does not exist");
        }

        var notes = new List<string>();
        var files = ShardProgress.ListIn(dataDir);
        foreach (var (path, _, error) in files.Where(f => f.Progress is null))
        {
            notes.Add($"{path} is unreadable: {error}");
        }

        var readable = files.Where(f => f.Progress is not null).Select(f => f.Progress!).ToList();
        if (readable.Count == 0)
        {
            throw new InvalidInputException(InputField.DataDir,
                $"{dataDir} holds no shard progress files (.post-progress-I-of-N.json): no shard has started there");
        }

        // The split most progress files belong to (the latest on a tie); others are an earlier split, noted.
        var main = readable.GroupBy(p => (p.Shards, p.DataLabels, p.LabelsPerFile))
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(p => p.Updated)).First();
        foreach (var other in readable.Where(p => (p.Shards, p.DataLabels, p.LabelsPerFile) != main.Key))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{ShardProgress.FileNameOf(new ShardSpec(other.Shard, other.Shards))} belongs to another split ({other.Shards} shards of {other.DataLabels} labels): not counted"));
        }

        var (count, dataLabels, labelsPerFile) = main.Key;
        var layout = new PostDataLayout(dataLabels, labelsPerFile);
        var byIndex = main.GroupBy(p => p.Shard).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Updated).First());
        var lines = new List<ShardLine>();
        for (int i = 0; i < count; i++)
        {
            var shard = new ShardSpec(i, count);
            if (!byIndex.TryGetValue(i, out var p))
            {
                var (from, to) = layout.NumFiles >= count ? ShardPlan.FileRange(layout.NumFiles, count, i) : (0, -1);
                ulong total = to < from ? 0 : layout.FirstLabel(to) + layout.LabelsInFile(to) - layout.FirstLabel(from);
                lines.Add(new ShardLine(shard, from, to, 0, total, 0, ShardCondition.NotStarted, null, null, null, null));
                continue;
            }

            var since = now - p.Updated;
            var (condition, why) = Judge(p, since, stallAfter);
            double rate = condition == ShardCondition.Running ? p.LabelsPerSecond : 0;
            TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((p.LabelsTotal - Math.Min(p.LabelsDone, p.LabelsTotal)) / rate) : null;
            lines.Add(new ShardLine(shard, p.FromFile, p.ToFile, Math.Min(p.LabelsDone, p.LabelsTotal), p.LabelsTotal, rate,
                condition, eta, since < TimeSpan.Zero ? TimeSpan.Zero : since, p, why));
        }

        ulong done = lines.Aggregate(0UL, (sum, l) => sum + l.LabelsDone);
        ulong all = lines.Aggregate(0UL, (sum, l) => sum + l.LabelsTotal);
        double speed = lines.Sum(l => l.LabelsPerSecond);
        TimeSpan? left = done >= all ? TimeSpan.Zero : speed > 0 ? TimeSpan.FromSeconds((all - done) / speed) : null;
        return new FleetStatus(lines, done, all, speed, left, notes);
    }

    private static (ShardCondition, string?) Judge(ShardProgress p, TimeSpan since, TimeSpan stallAfter)
    {
        switch (p.State)
        {
            case ShardProgress.Done:
                return (ShardCondition.Done, null);
            case ShardProgress.Interrupted:
                return (ShardCondition.Interrupted, "stopped; running it again resumes it");
            case ShardProgress.Failed:
                return (ShardCondition.Failed, p.Error ?? "failed");
        }

        if (string.Equals(p.Host, Environment.MachineName, StringComparison.Ordinal) && !IsRunning(p.Pid))
        {
            return (ShardCondition.Stalled, string.Create(CultureInfo.InvariantCulture,
                $"its process {p.Pid} on {p.Host} is gone (killed?); running it again resumes it"));
        }

        if (since > stallAfter)
        {
            return (ShardCondition.Stalled, string.Create(CultureInfo.InvariantCulture,
                $"no update for {Math.Round(since.TotalSeconds)} s (process {p.Pid} on {p.Host})"));
        }

        return (ShardCondition.Running, null);
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}"));
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
