using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// Issue 14's acceptance test on a real one-host Slurm cluster: tests/slurm/init-array-test.sh starts Debian's
/// slurmctld, slurmd and munge (scripts/slurm-cluster.sh), plans one identity with <c>post init plan --format slurm
/// --shards 4</c>, runs the 4-task job array and the dependent merge job, and compares every file byte for byte with a
/// single-machine <c>post init</c>.
/// </summary>
public class SlurmClusterTests
{
    [FactRequiresSlurm]
    public void A_four_task_slurm_job_array_and_its_merge_job_write_the_same_bytes_as_one_machine()
    {
        using var dir = new TempDir();
        // The post under test, as an executable the Slurm tasks can start.
        string post = dir.Sub("post");
        File.WriteAllText(post, $"#!/bin/sh\nexec dotnet '{PostCli.Dll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(post, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string script = Path.Combine(RepoRoot.Path, "tests", "slurm", "init-array-test.sh");
        var (code, stdout, stderr) = InitPlanTests.Run("/bin/bash", [script], new() { ["POST"] = post, ["TMPDIR"] = dir.Path },
            TimeSpan.FromMinutes(10));
        string last = stdout.TrimEnd().Split('\n')[^1];
        Assert.True(code == 0 && last.StartsWith("PASS", StringComparison.Ordinal), $"exit {code}: {last}\n{stderr}");
    }
}

/// <summary>
/// A fact that needs a Slurm cluster on this host: Linux, root (or sudo), and either Slurm's daemons and munge installed
/// or apt able to install them (a candidate for slurmd). Skipped with the reason otherwise.
/// </summary>
public sealed class FactRequiresSlurmAttribute : FactAttribute
{
    public FactRequiresSlurmAttribute()
    {
        Skip = Reason();
    }

    private static string? Reason()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/bash"))
        {
            return "the one-host Slurm cluster test runs on Linux with bash";
        }

        if (Environment.UserName != "root" && RepoRoot.FindOnPath("sudo") is null)
        {
            return "the one-host Slurm cluster test starts slurmctld, slurmd and munged: needs root or sudo";
        }

        bool installed = new[] { "slurmctld", "slurmd", "munged" }.All(d => File.Exists("/usr/sbin/" + d) || RepoRoot.FindOnPath(d) is not null)
            && RepoRoot.FindOnPath("sbatch") is not null;
        if (installed)
        {
            return null;
        }

        if (RepoRoot.FindOnPath("apt-cache") is null)
        {
            return "Slurm is not installed and this is not a Debian-based system (no apt-cache): install slurmctld, slurmd, slurm-client and munge";
        }

        try
        {
            var (code, stdout, _) = InitPlanTests.Run("apt-cache", ["policy", "slurmd"], [], TimeSpan.FromSeconds(30));
            bool candidate = code == 0 && stdout.Split('\n').Any(l => l.Trim().StartsWith("Candidate:", StringComparison.Ordinal) && !l.Contains("(none)", StringComparison.Ordinal));
            return candidate
                ? null
                : "Slurm cannot be installed: apt has no candidate for slurmd (run apt-get update, or scripts/slurm-cluster.sh install)";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"Slurm cannot be installed: apt-cache failed ({e.Message})";
        }
    }
}
