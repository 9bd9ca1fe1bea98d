using System.Diagnostics;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;

namespace Prover.Service.Tests;

/// <summary><c>post serve</c> as go-spacemesh's supervisor starts it: a child process with post-service's flags that
/// connects, serves and stops on SIGTERM. (Its argv checks are in Prover.Cli.Tests' ServeFlagsTests.)</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

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
