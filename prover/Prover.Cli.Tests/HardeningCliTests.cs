using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Prover.Cli.Tests;

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
        Assert.Equal("error: unknown command 'frobnicate'; the commands are: init, labels, verify-data, prove, verify, profile, k2pow, providers, gpu-bench, bench, serve, atx, node, devnet", first);
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
        // The first output (a label on stdout, a line on stderr) says the command runs and its SIGTERM handler is in
        // place; a fixed delay was not enough on a loaded machine, where the runtime's default SIGTERM exit (143) won.
        var started = new TaskCompletionSource();
        var stdoutPump = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (await p.StandardOutput.BaseStream.ReadAsync(buffer) > 0)
            {
                started.TrySetResult();
            }
        });
        var text = new System.Text.StringBuilder();
        var stderrPump = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is { } line)
            {
                lock (text)
                {
                    text.AppendLine(line);
                }

                started.TrySetResult();
            }
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(p.HasExited, "the command ended before it could be interrupted");
        Assert.Equal(0, Kill(p.Id, 15));
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(stdoutPump, stderrPump);
        Assert.Equal(130, p.ExitCode);
        if (init)
        {
            Assert.Contains("interrupted: the work done so far is kept", text.ToString());
        }
        else
        {
            Assert.Contains("interrupted.", text.ToString());
            Assert.DoesNotContain("kept", text.ToString());
        }
    }

    [Fact]
    public void One_thread_is_not_called_threads()
    {
        var (code, stdout, _) = PostCli.Run("providers", "--threads", "1");
        Assert.Equal(0, code);
        Assert.Contains("1 thread", stdout);
        Assert.DoesNotContain("1 threads", stdout);
    }

    [Fact]
    public async Task A_resumed_nonce_search_says_where_it_resumes()
    {
        using var tmp = new TempDir();
        // 1024 labels and a VRF difficulty that needs ~2^28 of them: the search runs past the data for a long time.
        string[] args = [.. HardeningInitTests.Small(tmp.Sub("d")), "--vrf-difficulty", "0000000f" + new string('f', 56)];
        for (int run = 0; run < 2; run++)
        {
            using var p = Process.Start(PostCli.StartInfo(args))!;
            _ = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            string? searching = null;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (searching is null && DateTime.UtcNow < deadline && await p.StandardError.ReadLineAsync() is { } line)
            {
                if (line.Contains("searching labels from", StringComparison.Ordinal))
                {
                    searching = line;
                }
            }

            Assert.NotNull(searching);
            if (run == 1)
            {
                // The second run resumes the search where the first stopped, far past the 1024 stored labels.
                var from = ulong.Parse(System.Text.RegularExpressions.Regex.Match(searching!, @"searching labels from (\d+)").Groups[1].Value);
                Assert.True(from > 1024, searching);
            }

            await Task.Delay(TimeSpan.FromSeconds(3)); // let the search advance and checkpoint (every 2 s)
            Assert.Equal(0, Kill(p.Id, 15));
            _ = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(130, p.ExitCode);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
