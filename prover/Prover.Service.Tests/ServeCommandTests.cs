using System.Diagnostics;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary><c>post serve</c> as go-spacemesh's supervisor starts it: a child process with post-service's flags.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Help_documents_every_post_service_flag()
    {
        var (code, stdout, _) = await PostProcess.RunAsync("serve", "--help");
        Assert.Equal(0, code);
        foreach (var flag in new[]
                 {
                     "--address", "-a", "--dir", "-d", "--min-num-units", "--max-num-units", "--k1", "--k2", "--pow-difficulty",
                     "-n", "-r", "-p", "--threads", "--nonces", "--randomx-mode", "--watch-pid", "--max-retries",
                     "--reconnect-interval-s", "--ca-cert", "--cert", "--key", "--domain", "--operator-address", "--remote-k2pow",
                     "--remote-k2pow-parallelism", "--remote-k2pow-backoff",
                 })
        {
            Assert.Matches($@"(^|[\s,]){System.Text.RegularExpressions.Regex.Escape(flag)}[\s,<]", stdout);
        }
    }

    [Theory]
    [InlineData("--nonces 100", "--nonces 100")]
    [InlineData("-r 2", "only scrypt r = 1 and p = 1")]
    [InlineData("--address ftp://x:1", "unsupported scheme 'ftp'")]
    [InlineData("--ca-cert ca.pem", "must be given together")]
    [InlineData("--min-num-units 4", "is outside [--min-num-units 4")]
    public async Task Bad_flags_exit_2_with_a_message_naming_the_flag(string extra, string message)
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x61);
        var args = new List<string> { "serve", "--address", "http://127.0.0.1:1", "--dir", dir, "--min-num-units", "1" };
        var parts = extra.Split(' ');
        int i = args.IndexOf(parts[0]);
        if (i >= 0)
        {
            args[i + 1] = parts[1];
        }
        else
        {
            args.AddRange(parts);
        }

        var (code, _, stderr) = await PostProcess.RunAsync([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Started_like_the_supervisor_does_it_serves_then_exits_0_on_sigterm()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var dir = TestIdentities.Create(_tmp.Path, 0x62);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        using var p = Process.Start(PostProcess.StartInfo("serve",
            "--address", server.Address.ToString(), "--min-num-units", "1", "--max-num-units", "16",
            "--k1", TestIdentities.K1.ToString(), "--k2", TestIdentities.K2.ToString(), "--pow-difficulty", new string('f', 64),
            "--dir", dir, "-n", TestIdentities.ScryptN.ToString(), "-r", "1", "-p", "1",
            "--threads", "1", "--nonces", "16", "--randomx-mode", "light", "--watch-pid", Environment.ProcessId.ToString(),
            "--max-retries", "10"))!;
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty || p.HasExited);
            if (p.HasExited)
            {
                Assert.Fail(await stderr);
            }

            Assert.Equal(TestIdentities.Metadata(dir).NodeId.ToArray(), node.Registrations.First().NodeId.ToByteArray());
        }
        finally
        {
            if (!p.HasExited)
            {
                Assert.Equal(0, Kill(p.Id, 15));
            }
        }

        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var log = await stderr;
        Assert.True(p.ExitCode == 0, log);
        Assert.Contains("connected to the node", log);
        Assert.Contains("stopping", log); // the host's graceful path ran, not the runtime's default SIGTERM exit
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
