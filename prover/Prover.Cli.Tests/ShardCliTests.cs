using System.Diagnostics;
using System.Text.Json;
using Prover.Core.Data;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary><c>post init --shards</c>, <c>post init merge</c> and <c>post init status</c> as real processes.</summary>
public class ShardCliTests
{
    // 4 units × 8000 labels in files of 4000 labels: 8 files, 2 per shard of 4.
    private static string[] InitArgs(string dir, params string[] extra) =>
    [
        "init", "--datadir", dir, "--node-id", string.Concat(Enumerable.Repeat("4d", 32)),
        "--commitment-atx-id", new string('0', 64), "--num-units", "4", "--labels-per-unit", "8000",
        "--max-file-size", "64000", "--scrypt-n", "32", .. extra,
    ];

    private static string[] Shard(string dir, int index, params string[] extra) =>
        InitArgs(dir, ["--shards", "4", "--shard-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);

    private static long Bytes(string path)
    {
        try
        {
            return File.Exists(path) ? new FileInfo(path).Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Shards run by hand in a shuffled order into one directory: shard 1 (on the slow scalar provider) is started a
    /// second time while it runs, which is refused naming its PID; it is then SIGKILLed mid-way (status calls it
    /// stalled) and run again. The merge writes files and metadata byte-identical to one <c>post init</c>.
    /// </summary>
    [Fact]
    public void Shards_by_hand_with_one_started_twice_and_one_sigkilled_merge_to_the_single_machine_bytes()
    {
        using var tmp = new TempDir();
        var single = tmp.Sub("single");
        var (code, _, err) = PostCli.Run(InitArgs(single));
        Assert.True(code == 0, err);

        var dir = tmp.Sub("shared");
        foreach (int i in new[] { 3, 0 })
        {
            var r = PostCli.Run(Shard(dir, i));
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Contains($"shard {i} of 4 done", r.StdOut);
        }

        using (var slow = Process.Start(PostCli.StartInfo(Shard(dir, 1, "--provider", "reference", "--threads", "1")))!)
        {
            _ = slow.StandardOutput.ReadToEndAsync();
            _ = slow.StandardError.ReadToEndAsync();
            // Once its first labels are on disk it is paused (SIGSTOP), so that it is surely still holding its lock
            // and mid-way however loaded the machine is.
            var first = Path.Combine(dir, "postdata_2.bin");
            var watch = Stopwatch.StartNew();
            while (!slow.HasExited && Bytes(first) == 0 && watch.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(2);
            }

            using (var stop = Process.Start("kill", ["-STOP", slow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                stop.WaitForExit();
            }

            Assert.False(slow.HasExited, "shard 1 finished before it could be interrupted");
            var twice = PostCli.Run(Shard(dir, 1));
            Assert.Equal(2, twice.ExitCode);
            Assert.Contains("files 2..3", twice.StdErr);
            Assert.Contains($"PID {slow.Id} (post init shard 1/4", twice.StdErr);

            slow.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            slow.WaitForExit();
        }

        Assert.True(Bytes(Path.Combine(dir, "postdata_3.bin")) < 4000 * 16, "shard 1 was killed after it finished");
        var status = PostCli.Run("init", "status", "--datadir", dir, "--json");
        Assert.Equal(1, status.ExitCode);
        using (var doc = JsonDocument.Parse(status.StdOut))
        {
            var shards = doc.RootElement.GetProperty("shards").EnumerateArray().ToList();
            Assert.Equal(new[] { "done", "stalled", "not started", "done" }, shards.Select(s => s.GetProperty("condition").GetString()));
            Assert.Contains("is gone", shards[1].GetProperty("why").GetString());
            var total = doc.RootElement.GetProperty("total");
            Assert.Equal(32000, total.GetProperty("labels_total").GetInt64());
            Assert.Equal(shards.Sum(s => s.GetProperty("labels_done").GetInt64()), total.GetProperty("labels_done").GetInt64());
            Assert.InRange(total.GetProperty("labels_done").GetInt64(), 16000, 23999);
        }

        var early = PostCli.Run("init", "merge", "--datadir", dir);
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("--shards 4, --shard-index 1", early.StdOut);
        Assert.Contains("--shards 4, --shard-index 2", early.StdOut);
        Assert.False(File.Exists(Path.Combine(dir, PostMetadata.FileName)));

        foreach (int i in new[] { 1, 2 })
        {
            var r = PostCli.Run(Shard(dir, i));
            Assert.True(r.ExitCode == 0, r.StdErr);
        }

        var merge = PostCli.Run("init", "merge", "--datadir", dir);
        Assert.True(merge.ExitCode == 0, merge.StdOut + merge.StdErr);
        Assert.StartsWith("merged: 8 files", merge.StdOut);
        Assert.Equal(LabelFiles.ReadAll(single), LabelFiles.ReadAll(dir));
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, PostMetadata.FileName)), File.ReadAllBytes(Path.Combine(dir, PostMetadata.FileName)));

        var finished = PostCli.Run("init", "status", "--datadir", dir);
        Assert.Equal(0, finished.ExitCode);
        Assert.Contains("total: 100.0% 32000/32000 labels", finished.StdOut);
    }

    [Fact]
    public void Shard_flags_are_refused_with_exit_2_when_the_index_is_missing_or_out_of_range()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        var psi = PostCli.StartInfo(InitArgs(dir, "--shards", "4"));
        psi.Environment.Remove("SLURM_ARRAY_TASK_ID");
        psi.Environment["JOB_COMPLETION_INDEX"] = "7";
        using var p = Process.Start(psi)!;
        Assert.Equal("", p.StandardOutput.ReadToEnd());
        var stderr = p.StandardError.ReadToEnd(); // a few lines: the pipe cannot fill while stdout is read
        p.WaitForExit();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("shard 7 (JOB_COMPLETION_INDEX=7) does not exist: with --shards 4 the shards are numbered 0..3", stderr);

        var tooMany = PostCli.Run(InitArgs(dir, "--shards", "9", "--shard-index", "0"));
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("--shards 9 is more than the 8 files", tooMany.StdErr);
        Assert.False(Directory.Exists(dir));

        var help = PostCli.Run("init", "--help");
        Assert.Contains("--shard-index", help.StdOut);
        Assert.Contains("SLURM_ARRAY_TASK_ID", help.StdOut);
        Assert.Contains("merge", help.StdOut);
        Assert.Contains("status", help.StdOut);
    }
}
