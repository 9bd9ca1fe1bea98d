using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Verifier;

namespace Prover.Service.Tests;

/// <summary>
/// <c>post</c> dropped in for post-rs's post-service: started by go-spacemesh 1.7's supervisor as
/// <c>&lt;dir&gt;/post-service</c> with bare flags (issue 11: the binary name, <c>--max-retries</c> as post-rs counts it,
/// <c>--pinned-cores</c>, <c>-V/--version</c>, log levels).
/// </summary>
public sealed class DropInTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Started_as_post_service_with_the_supervisors_exact_argv_it_proves()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Real mainnet K1 = 26, K2 = 37 and scrypt N = 8192 on 4 units of 64 labels. Only the k2pow settings carry
        // test values (FF…FF difficulty, light RandomX): the mainnet difficulty with a 2 GiB fast dataset takes minutes.
        var dir = MainnetShapedData(0x71);
        var node = new GoSpacemeshNode();
        var challenge = NodeProtocolTests.Challenge(0x3c);
        node.Challenges[TestIdentities.NodeIdHex(0x71)] = challenge;
        await using var server = await TestNode.StartAsync(node.RunAsync);

        using var p = StartPostService(SupervisorArgv(server.Port, dir, maxRetries: 10));
        var stderr = p.StandardError.ReadToEndAsync();
        var (response, registered) = await ProofOrFailAsync(node.ProofFor(TestIdentities.NodeIdHex(0x71)), p, stderr);
        Assert.Equal(challenge, response.Metadata.Challenge.ToByteArray());
        Assert.Equal(4u, registered.NumUnits);
        Assert.Equal(64ul, registered.LabelsPerUnit);
        Assert.False(response.Proof.Indices.IsEmpty);

        Assert.False(p.HasExited, "the service exited after proving");
        Assert.Equal(0, await StopAsync(p));
        Assert.Contains("proof sent", await stderr);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(0)]
    public async Task Register_refusals_do_not_count_as_failed_connections(int maxRetries)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Three refusals ("no coinbase", "already registered", "no coinbase") then a normal node: post-service retries
        // refusals without limit, whatever --max-retries says, and then proves.
        var dir = TestIdentities.Create(_tmp.Path, 0x72);
        var node = new GoSpacemeshNode();
        var challenge = NodeProtocolTests.Challenge(0x3d);
        node.Challenges[TestIdentities.NodeIdHex(0x72)] = challenge;
        var refusing = new RefusingTestNode(3, node);
        await using var server = await TestNode.StartAsync(refusing.RunAsync);

        using var p = StartPostService([.. SmallDataArgv(server.Port, dir), "--max-retries", maxRetries.ToString(CultureInfo.InvariantCulture),
            "--reconnect-interval-s", "1"]);
        var stderr = p.StandardError.ReadToEndAsync();
        await ProofOrFailAsync(node.ProofFor(TestIdentities.NodeIdHex(0x72)), p, stderr);

        Assert.False(p.HasExited, "the service exited");
        Assert.Equal(4, refusing.Calls);
        Assert.Equal(0, await StopAsync(p));
        var log = await stderr;
        Assert.Contains("no coinbase", log);
        Assert.Contains("already registered", log);
        Assert.DoesNotContain("giving up", log);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(0, 1)]
    public async Task Nothing_listening_exits_1_after_max_retries_plus_one_attempts(int maxRetries, int attempts)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var dir = TestIdentities.Create(_tmp.Path, 0x73);
        int port = await FreePortAsync();
        using var p = StartPostService([.. SmallDataArgv(port, dir), "--max-retries", maxRetries.ToString(CultureInfo.InvariantCulture),
            "--reconnect-interval-s", "1"]);
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            Stop(p);
            Assert.Fail(await stderr);
        }

        var log = await stderr;
        Assert.True(p.ExitCode == 1, log);
        Assert.Equal(attempts, Regex.Count(log, @"connecting to http://127\.0\.0\.1:"));
        Assert.Equal(Enumerable.Range(1, attempts).ToList(),
            Regex.Matches(log, @"failed \(attempt (\d+)\)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList());
        Assert.Contains($"giving up after {attempts} failed connection attempts", log);
        Assert.DoesNotContain("   at ", log);
    }

    [Fact]
    public async Task A_connection_that_reaches_the_node_resets_the_failed_attempts()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // --max-retries 1: two failed attempts are allowed in a row. The node is down for the first attempt, up for the
        // second (which it ends at once), down again for the next two: the count restarts after the second attempt, so
        // the service gives up only after attempt 4, on its second failure in a row.
        var dir = TestIdentities.Create(_tmp.Path, 0x74);
        int port = await FreePortAsync();
        var sessions = 0;
        TestNode? server = null;
        // 15 s between attempts: the test node must be up before the second one even while the rest of the suite loads
        // both cores (5 s was not enough under the full suite: Kestrel's cold start lost the race twice).
        using var p = StartPostService([.. SmallDataArgv(port, dir), "--max-retries", "1", "--reconnect-interval-s", "15"]);
        var log = new System.Text.StringBuilder();
        var stderrDone = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        });
        string Log()
        {
            lock (log)
            {
                return log.ToString();
            }
        }

        try
        {
            await NodeProtocolTests.WaitUntil(() => Log().Contains("failed (attempt 1)", StringComparison.Ordinal));
            server = await TestNode.StartAsync(_ =>
            {
                Interlocked.Increment(ref sessions);
                return Task.CompletedTask; // the node ends the stream at once
            }, port);
            await NodeProtocolTests.WaitUntil(() => Volatile.Read(ref sessions) == 1);
            // Stop the node only once the service has seen the end of that stream: disposing it earlier can reset the
            // connection before the response reaches the service, which then (rightly) counts a failed attempt.
            await NodeProtocolTests.WaitUntil(() => Log().Contains("the node refused the connection", StringComparison.Ordinal));
            await server.DisposeAsync();
            server = null;
            if (!p.WaitForExit(Timeout))
            {
                Stop(p);
                Assert.Fail(Log());
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        await stderrDone;
        Assert.True(p.ExitCode == 1, Log());
        Assert.True(Regex.Count(Log(), @"connecting to http://127\.0\.0\.1:") == 4, Log());
        Assert.Contains("giving up after 2 failed connection attempts", Log());
    }

    [Theory]
    [InlineData("post-service", "--version")]
    [InlineData("post-service", "-V")]
    [InlineData("service", "-V")]
    [InlineData("post", "--version")]
    [InlineData("post", "-V")]
    public async Task Version_prints_one_line_and_exits_0(string name, string flag)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var p = Start(Link(name), [flag]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(Timeout));
        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+\S*\n$", await stdout);
    }

    [Fact]
    public async Task Serve_version_prints_the_version()
    {
        var (code, stdout, stderr) = await PostProcess.RunAsync("serve", "-V");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public async Task Post_service_help_is_serves_help()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var p = Start(Link("post-service"), ["--help"]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(Timeout));
        Assert.Equal(0, p.ExitCode);
        var help = await stdout;
        foreach (var flag in new[] { "--max-retries", "--pinned-cores", "--log-level", "--version", "-V" })
        {
            Assert.Matches($@"(^|[\s,]){Regex.Escape(flag)}[\s,<]", help);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0,1")]
    public async Task Pinned_cores_restrict_every_thread_to_those_cores(string cores)
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2)
        {
            return;
        }

        var dir = TestIdentities.Create(_tmp.Path, 0x75);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        var argv = SmallDataArgv(server.Port, dir).ToList();
        int t = argv.IndexOf("--threads");
        argv.RemoveRange(t, 2); // post-service refuses --threads with --pinned-cores
        using var p = StartPostService([.. argv, "--pinned-cores", cores]);
        var stderr = p.StandardError.ReadToEndAsync();
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty || p.HasExited);
        Assert.False(p.HasExited, p.HasExited ? await stderr : "");

        string expected = cores == "0" ? "0" : "0-1";
        var allowed = Directory.EnumerateDirectories($"/proc/{p.Id}/task")
            .Select(task => ReadAllowed(Path.Combine(task, "status")))
            .Where(a => a is not null)
            .ToList();
        Assert.NotEmpty(allowed);
        Assert.All(allowed, a => Assert.Equal(expected, a));
        Assert.Equal(0, await StopAsync(p));
    }

    [Theory]
    [InlineData("--pinned-cores 4096", "--pinned-cores: core 4096 does not exist")]
    [InlineData("--pinned-cores 0,x", "--pinned-cores '0,x'")]
    [InlineData("--pinned-cores 0,0", "a core is given twice")]
    [InlineData("--pinned-cores 0 --threads 2", "--pinned-cores and --threads cannot be used together")]
    [InlineData("--log-level loud", "--log-level 'loud'")]
    [InlineData("--max-retries -1", "--max-retries")]
    public async Task Bad_values_of_the_new_flags_exit_2(string extra, string message)
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x76);
        string[] args = ["serve", "--address", "http://127.0.0.1:1", "--dir", dir, "--min-num-units", "1", .. extra.Split(' ')];
        var (code, _, stderr) = await PostProcess.RunAsync(args);
        Assert.True(code == 2, stderr);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("--log-level debug", null, true, true)]
    [InlineData("--log-level error", null, false, false)]
    [InlineData("--log-level warn", null, false, false)]
    [InlineData("", "debug", true, true)]
    [InlineData("", "post_service=debug,info", true, true)]
    [InlineData("", "info,post_service=warn", false, false)]
    [InlineData("", "trace,h2=info", true, true)]
    [InlineData("", "warn", false, false)]
    [InlineData("", "", false, true)]
    [InlineData("--log-level info", "debug", false, true)]
    [InlineData("--log-level debug", "error", true, true)]
    public async Task Log_level_from_the_flag_or_RUST_LOG(string flag, string? rustLog, bool debugLines, bool infoLines)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var dir = TestIdentities.Create(_tmp.Path, 0x77);
        var node = new GoSpacemeshNode();
        await using var server = await TestNode.StartAsync(node.RunAsync);
        string[] argv = [.. SmallDataArgv(server.Port, dir), .. flag.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        using var p = Start(Link("post-service"), argv, rustLog);
        var stderr = p.StandardError.ReadToEndAsync();
        await NodeProtocolTests.WaitUntil(() => !node.Registrations.IsEmpty || p.HasExited);
        Assert.False(p.HasExited, p.HasExited ? await stderr : "");
        Assert.Equal(0, await StopAsync(p));
        var log = await stderr;
        Assert.True(debugLines == log.Contains("request Metadata", StringComparison.Ordinal), log);
        Assert.True(infoLines == log.Contains("connected to the node", StringComparison.Ordinal), log);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("off", LogLevel.None)]
    [InlineData("info,debug", LogLevel.Debug)]
    [InlineData("post_service=debug,info", LogLevel.Debug)]
    [InlineData("info,post_service=error", LogLevel.Error)]
    [InlineData("post_service::client=trace", LogLevel.Trace)]
    [InlineData("post=debug", LogLevel.Debug)]
    [InlineData("post_service", LogLevel.Trace)]
    [InlineData("tonic=trace,h2=debug", null)]
    [InlineData("tonic=trace,warn", LogLevel.Warning)]
    [InlineData("nonsense", null)]
    [InlineData("info/connect", LogLevel.Information)]
    public void Rust_log_directives_map_onto_log_levels(string? value, LogLevel? expected) =>
        Assert.Equal(expected, PostServiceOptions.LevelFromRustLog(value));

    /// <summary>go-spacemesh 1.7's argv for post-service (activation/post_supervisor.go), on this test's data.</summary>
    private static string[] SupervisorArgv(int port, string dir, int maxRetries) =>
    [
        "--address", $"http://127.0.0.1:{port}", "--min-num-units", "4", "--max-num-units", "4294967295",
        "--k1", "26", "--k2", "37", "--pow-difficulty", new string('f', 64), "--dir", dir,
        "-n", "8192", "-r", "1", "-p", "1", "--threads", "1", "--nonces", "288", "--randomx-mode", "light",
        "--watch-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        "--max-retries", maxRetries.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The same flags for the tiny data of <see cref="TestIdentities"/> (N = 16, 2 units), without --max-retries.</summary>
    private static string[] SmallDataArgv(int port, string dir) =>
    [
        "--address", $"http://127.0.0.1:{port}", "--min-num-units", "1", "--max-num-units", "4294967295",
        "--k1", TestIdentities.K1.ToString(CultureInfo.InvariantCulture), "--k2", TestIdentities.K2.ToString(CultureInfo.InvariantCulture),
        "--pow-difficulty", new string('f', 64), "--dir", dir,
        "-n", TestIdentities.ScryptN.ToString(CultureInfo.InvariantCulture), "-r", "1", "-p", "1", "--threads", "1", "--nonces", "16",
        "--randomx-mode", "light", "--watch-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>4 units of 64 labels at scrypt N = 8192, so that mainnet's --min-num-units 4, -n 8192, K1 and K2 apply.</summary>
    private string MainnetShapedData(byte idByte)
    {
        var dir = Path.Combine(_tmp.Path, $"mainnet-{idByte:x2}");
        using var provider = new ReferenceLabelProvider(Environment.ProcessorCount);
        new Initializer([provider]).Run(new InitOptions
        {
            DataDir = dir,
            NodeId = new NodeId(Enumerable.Repeat(idByte, 32).ToArray()),
            CommitmentAtxId = new AtxId(Enumerable.Repeat((byte)(idByte ^ 0x5a), 32).ToArray()),
            NumUnits = 4,
            LabelsPerUnit = 64,
            MaxFileSize = 64 * 16,
            ScryptN = 8192,
        });
        return dir;
    }

    /// <summary>A file named <paramref name="name"/> in a fresh directory: a symlink to the built apphost <c>post</c>.</summary>
    private string Link(string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_tmp.Path, "bin-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var link = Path.Combine(dir, name);
        File.CreateSymbolicLink(link, Path.Combine(AppContext.BaseDirectory, "post"));
        return link;
    }

    private Process StartPostService(string[] args) => Start(Link("post-service"), args);

    /// <summary>Starts <paramref name="file"/> by that path (so its argv[0] is the link's name), as the supervisor does.</summary>
    private static Process Start(string file, string[] args, string? rustLog = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("RUST_LOG");
        if (rustLog is not null)
        {
            psi.Environment["RUST_LOG"] = rustLog;
        }

        return Process.Start(psi)!;
    }

    /// <summary>The node's proof; fails the test with the service's log when the service exits first or time runs out.</summary>
    private static async Task<T> ProofOrFailAsync<T>(Task<T> proof, Process p, Task<string> stderr)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var exited = p.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(proof, exited) != proof)
        {
            Stop(p);
            Assert.Fail((p.HasExited ? $"exited with {p.ExitCode}: " : "no proof in time: ") + await stderr);
        }

        return await proof;
    }

    private static async Task<int> FreePortAsync()
    {
        await using var probe = await TestNode.StartAsync(_ => Task.CompletedTask);
        return probe.Port;
    }

    private static string? ReadAllowed(string statusFile)
    {
        try
        {
            return File.ReadLines(statusFile).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?
                .Split(':')[1].Trim();
        }
        catch (IOException)
        {
            return null; // the thread ended
        }
    }

    /// <summary>SIGTERM, as go-spacemesh stops the service; returns the exit code.</summary>
    private static async Task<int> StopAsync(Process p)
    {
        Assert.Equal(0, Kill(p.Id, 15));
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return p.ExitCode;
    }

    private static void Stop(Process p)
    {
        if (!p.HasExited)
        {
            p.Kill(true);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
