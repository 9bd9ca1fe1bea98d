using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Service.Tests;

/// <summary>
/// <c>post serve</c> against a hostile or careless operator (issue 15): a taken operator port, nonsense numbers, and a
/// data directory another process is writing.
/// </summary>
public sealed class HardeningServeTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string[] Serve(string dir, params string[] extra) =>
    [
        "serve", "--address", "http://127.0.0.1:1", "--dir", dir, "--min-num-units", "1", "-n",
        TestIdentities.ScryptN.ToString(CultureInfo.InvariantCulture), "--reconnect-interval-s", "1", "--randomx-mode", "light", .. extra,
    ];

    private static void AssertNoTrace(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("System.", stderr);
    }

    [Fact]
    public async Task A_taken_operator_port_is_one_clear_error_and_exit_2()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x71);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, stderr) = await PostProcess.RunAsync(Serve(dir, "--operator-address", $"127.0.0.1:{port}"));

        Assert.True(code == 2, stderr);
        Assert.Contains($"error: --operator-address 127.0.0.1:{port}: the port is already in use", stderr);
        AssertNoTrace(stderr);
        Assert.DoesNotContain("connecting", stderr, StringComparison.OrdinalIgnoreCase); // stopped before dialing the node
    }

    [Fact]
    public void Bind_failures_are_described_in_the_operators_words()
    {
        Assert.Equal("the port is already in use",
            OperatorApi.BindFailure(new IOException("Failed to bind", new SocketException((int)SocketError.AddressAlreadyInUse))));
        Assert.Equal("that address is not one of this machine's",
            OperatorApi.BindFailure(new IOException("Failed to bind", new SocketException((int)SocketError.AddressNotAvailable))));
        Assert.Null(OperatorApi.BindFailure(new InvalidOperationException("something else")));
    }

    [Theory]
    [InlineData("--watch-pid", "-1")]
    [InlineData("--watch-pid", "0")]
    [InlineData("--threads", "-1")]
    [InlineData("--threads", "100000")]
    [InlineData("--nonces", "0")]
    [InlineData("--nonces", "2147483647")]
    [InlineData("-n", "0")]
    [InlineData("-n", "3")]
    [InlineData("-n", "18446744073709551615")]
    [InlineData("--k1", "0")]
    [InlineData("--k2", "0")]
    [InlineData("--k2", "4294967295")]
    [InlineData("--max-num-units", "0")]
    [InlineData("--reconnect-interval-s", "0")]
    [InlineData("--reconnect-interval-s", "18446744073709551615")]
    [InlineData("--remote-k2pow-parallelism", "0")]
    [InlineData("--remote-k2pow-parallelism", "-1")]
    [InlineData("--remote-k2pow-backoff", "9223372036854775808")]
    public async Task Out_of_range_numbers_are_refused_naming_the_flag(string flag, string value)
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x72);
        var args = Serve(dir).ToList();
        int i = args.IndexOf(flag);
        if (i >= 0)
        {
            args[i + 1] = value;
        }
        else
        {
            args.AddRange([flag, value]);
        }

        var (code, _, stderr) = await PostProcess.RunAsync([.. args]);

        Assert.True(code == 2, stderr);
        Assert.Contains($"error: {flag}", stderr);
        Assert.Contains(value, stderr);
        AssertNoTrace(stderr);
    }

    [Fact]
    public void Options_refuse_a_pid_below_1()
    {
        var options = TestIdentities.Options(new Uri("http://127.0.0.1:1"), _tmp.Path) with { WatchPid = 0 };
        var e = Assert.Throws<InvalidInputException>(options.Validate);
        Assert.Contains("--watch-pid", e.Message);
    }

    [Fact]
    public async Task Serve_refuses_a_directory_being_initialized_and_names_the_writer()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x73);
        using (DataDirLock.AcquireExclusive(dir, "post init"))
        {
            var (code, _, stderr) = await PostProcess.RunAsync(Serve(dir));
            Assert.True(code == 2, stderr);
            Assert.Contains(dir, stderr);
            AssertNoTrace(stderr);
            Assert.Contains($"PID {Environment.ProcessId} (post init)", stderr);
        }
    }

    [Fact]
    public async Task While_serve_runs_a_writer_is_refused_with_its_pid()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x74);
        using var p = Process.Start(PostProcess.StartInfo(Serve(dir)))!;
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            var lockFile = Path.Combine(dir, DataDirLock.FileName);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            string holder = $"{p.Id} post serve";
            while (!(File.Exists(lockFile) && ReadShared(lockFile).Contains(holder, StringComparison.Ordinal)))
            {
                Assert.False(p.HasExited, "serve exited early");
                Assert.True(DateTime.UtcNow < deadline, "serve did not take the lock");
                await Task.Delay(100);
            }

            var e = Assert.Throws<DataDirLockedException>(() => DataDirLock.AcquireExclusive(dir, "post init"));
            Assert.Contains($"PID {p.Id} (post serve)", e.Message);
        }
        finally
        {
            p.Kill(true);
            await p.WaitForExitAsync();
        }

        _ = await stderr;
        using var after = DataDirLock.AcquireExclusive(dir, "post init"); // released with the process
        Assert.True(after.Exclusive);
    }

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
