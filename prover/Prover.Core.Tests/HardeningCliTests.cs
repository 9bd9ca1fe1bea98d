using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>Issue 15, items 15 and 16: what <c>post</c> says about an unknown command and about an interruption.</summary>
public class HardeningCliTests
{
    [Fact]
    public void An_unknown_command_is_named_first_with_the_commands_there_are()
    {
        var (code, stdout, stderr) = PostCli.Run("frobnicate", "--datadir", "x");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var first = stderr.Split('\n')[0];
        Assert.Equal("error: unknown command 'frobnicate'; the commands are: init, labels, verify-data, prove, verify, profile, k2pow, providers, gpu-bench, bench, serve", first);
        Assert.DoesNotContain("Required command", stderr);
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_described_without_type_names()
    {
        var (code, _, stderr) = PostCli.Run("verify-data", "--datadir", "x", "--seed", "99999999999");
        Assert.Equal(2, code);
        Assert.Contains("--seed: '99999999999' is not a whole number in -2147483648..2147483647", stderr);
        Assert.DoesNotContain("System.", stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_init_says_that_interrupted_work_is_kept(bool init)
    {
        using var tmp = new TempDir();
        string[] args = init
            ? ["init", "--datadir", tmp.Sub("d"), "--node-id", new string('a', 64), "--commitment-atx-id", new string('b', 64),
                "--num-units", "1000", "--labels-per-unit", "4096", "--scrypt-n", "1024", "--threads", "1", "--allow-overcommit"]
            : ["labels", "--commitment", new string('0', 64), "--count", "100000000", "--scrypt-n", "1024", "--threads", "1"];
        using var p = Process.Start(PostCli.StartInfo(args))!;
        _ = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var stderr = p.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // well into the work (the process starts in well under a second)
        Assert.False(p.HasExited, "the command ended before it could be interrupted");
        Assert.Equal(0, Kill(p.Id, 15));
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(130, p.ExitCode);
        string text = await stderr;
        if (init)
        {
            Assert.Contains("interrupted: the work done so far is kept", text);
        }
        else
        {
            Assert.Contains("interrupted.", text);
            Assert.DoesNotContain("kept", text);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
