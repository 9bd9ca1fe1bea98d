using System.Diagnostics;
using System.Globalization;

namespace Prover.Node.Host.PostService;

/// <summary>
/// What the supervised <c>post serve</c> is started with: go-spacemesh's <c>smeshing-opts</c> and
/// <c>smeshing-proving-opts</c>, plus the path of our binary (NODE.md §4.3, <c>activation/post_supervisor.go</c>).
/// </summary>
public sealed record PostSupervisorOptions
{
    /// <summary>The <c>post</c> executable, or <c>post.dll</c> (then run with <c>dotnet</c>).</summary>
    public required string PostBinary { get; init; }

    /// <summary>The node's PostService address the child dials (<c>--address</c>): the bound plain listener.</summary>
    public required Uri NodeAddress { get; init; }

    /// <summary>The PoST data directory (<c>--dir</c>).</summary>
    public required string DataDir { get; init; }

    /// <summary><c>--min-num-units</c>.</summary>
    public uint MinNumUnits { get; init; } = 4;

    /// <summary><c>--max-num-units</c>.</summary>
    public uint MaxNumUnits { get; init; } = uint.MaxValue;

    /// <summary><c>--k1</c>.</summary>
    public uint K1 { get; init; } = 26;

    /// <summary><c>--k2</c>.</summary>
    public uint K2 { get; init; } = 37;

    /// <summary><c>--pow-difficulty</c>: 64 hex digits.</summary>
    public string PowDifficulty { get; init; } = "000dfb23b0979b4b000000000000000000000000000000000000000000000000";

    /// <summary><c>-n</c>: scrypt N of the data.</summary>
    public ulong ScryptN { get; init; } = 8192;

    /// <summary><c>--threads</c>.</summary>
    public int Threads { get; init; } = 1;

    /// <summary><c>--nonces</c>.</summary>
    public int Nonces { get; init; } = 128;

    /// <summary><c>--randomx-mode</c>: <c>fast</c> or <c>light</c>.</summary>
    public string RandomXMode { get; init; } = "fast";

    /// <summary><c>--operator-address</c> (ip:port) when set.</summary>
    public string? OperatorAddress { get; init; }

    /// <summary><c>--max-retries</c> when set.</summary>
    public int? MaxRetries { get; init; }

    /// <summary><c>--reconnect-interval-s</c> when set (go-spacemesh leaves post-service's default).</summary>
    public ulong? ReconnectIntervalSeconds { get; init; }

    /// <summary><c>--ca-cert</c>, <c>--cert</c>, <c>--key</c> for an <c>https://</c> <see cref="NodeAddress"/>.</summary>
    public (string CaCert, string Cert, string Key)? Tls { get; init; }

    /// <summary>How long a graceful stop (SIGTERM) may take before the child is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Supervised mode: runs <c>post serve</c> as a child process with the argv go-spacemesh's supervisor builds,
/// <c>--watch-pid</c> set to this process so the child also ends if the node dies. As the node's builder cannot prove
/// without it, the child is not restarted when it dies: <see cref="Exited"/> completes with its exit code and
/// <see cref="Died"/> is raised, for the node to report and stop. <see cref="StopAsync"/> ends it (SIGTERM, then kill).
/// </summary>
public sealed class PostSupervisor : IAsyncDisposable
{
    private readonly PostSupervisorOptions _options;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private volatile bool _stopping;

    /// <summary>Creates a supervisor; <see cref="Start"/> launches the child.</summary>
    public PostSupervisor(PostSupervisorOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Raised once with the exit code when the child ends without <see cref="StopAsync"/> having been called.</summary>
    public event EventHandler<int>? Died;

    /// <summary>Raised for every line the child writes (stdout and stderr), for the node's log.</summary>
    public event EventHandler<string>? OutputLine;

    /// <summary>Completes with the child's exit code when it ends, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The child's process id, once started.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The <c>post</c> arguments: <c>serve</c> then go-spacemesh's supervisor flags, in its order.</summary>
    public static IReadOnlyList<string> BuildArguments(PostSupervisorOptions options, int watchPid)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            "serve",
            "--address", options.NodeAddress.ToString().TrimEnd('/'),
            "--min-num-units", options.MinNumUnits.ToString(c),
            "--max-num-units", options.MaxNumUnits.ToString(c),
            "--k1", options.K1.ToString(c),
            "--k2", options.K2.ToString(c),
            "--pow-difficulty", options.PowDifficulty,
            "--dir", options.DataDir,
            "-n", options.ScryptN.ToString(c),
            "-r", "1",
            "-p", "1",
            "--threads", options.Threads.ToString(c),
            "--nonces", options.Nonces.ToString(c),
            "--randomx-mode", options.RandomXMode,
            "--watch-pid", watchPid.ToString(c),
        };
        if (options.OperatorAddress is { } op) args.AddRange(["--operator-address", op]);
        if (options.MaxRetries is { } retries) args.AddRange(["--max-retries", retries.ToString(c)]);
        if (options.ReconnectIntervalSeconds is { } seconds) args.AddRange(["--reconnect-interval-s", seconds.ToString(c)]);
        if (options.Tls is { } tls) args.AddRange(["--ca-cert", tls.CaCert, "--cert", tls.Cert, "--key", tls.Key]);
        return args;
    }

    /// <summary>Launches the child.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_process is not null) throw new InvalidOperationException("the post service is already started");
        bool viaDotnet = _options.PostBinary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(viaDotnet ? "dotnet" : _options.PostBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaDotnet) psi.ArgumentList.Add(_options.PostBinary);
        foreach (var a in BuildArguments(_options, Environment.ProcessId)) psi.ArgumentList.Add(a);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) OutputLine?.Invoke(this, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) OutputLine?.Invoke(this, e.Data); };
        process.Exited += (_, _) => OnExited(process);
        if (!process.Start()) throw new InvalidOperationException($"could not start {_options.PostBinary}");
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Stops the child: SIGTERM (post serve's graceful path), then a kill after
    /// <see cref="PostSupervisorOptions.StopTimeout"/>. Returns its exit code; does nothing more when it already ended.</summary>
    public async Task<int?> StopAsync()
    {
        _stopping = true;
        var process = _process;
        if (process is null) return null;
        if (!process.HasExited)
        {
            Terminate(process.Id);
            try
            {
                await process.WaitForExitAsync().WaitAsync(_options.StopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return await Exited.ConfigureAwait(false);
    }

    /// <summary>Stops the child (see <see cref="StopAsync"/>) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process?.Dispose();
    }

    private void OnExited(Process process)
    {
        process.WaitForExit(); // drains the redirected output before the exit is reported
        int code = process.ExitCode;
        if (_exited.TrySetResult(code) && !_stopping) Died?.Invoke(this, code);
    }

    /// <summary>SIGTERM through kill(1) on Unix (no P/Invoke); elsewhere a plain kill.</summary>
    private void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            _process?.Kill(entireProcessTree: true);
            return;
        }

        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            _process?.Kill(entireProcessTree: true);
        }
    }
}
