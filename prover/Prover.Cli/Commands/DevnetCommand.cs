using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Node.Host.Node;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post devnet</c>: a network of N <c>post node run</c> processes on loopback (NODE.md §6): one identity each, PoST
/// of 1..N space units, RocksDB in <c>D/node-&lt;i&gt;</c>, node 0 running the PoET that the others register at,
/// every node dialing every other, one shared genesis. The choices of the first start are kept in
/// <c>D/devnet.json</c>, so the same command resumes the same network. A table of each node's layer, verified layer,
/// block, ATX weight and balance is printed every layer; Ctrl-C/SIGTERM stops every node cleanly; a node that dies is
/// reported and restarted once.
/// </summary>
public static class DevnetCommand
{
    public static Command Create()
    {
        var nodes = Cli.Opt<int?>("--nodes", "how many nodes (first start; default 3)").InRange(1, 32);
        var dataDir = Cli.DataDirOpt("the devnet's directory (devnet.json and node-<i>/)");
        var layer = Cli.Opt("--layer-duration", "layer duration (first start only)", "2s");
        var layers = Cli.Opt<uint>("--layers-per-epoch", "layers per epoch (first start only)", 5).InRange(1u, 10_000u);
        var scryptN = Cli.Opt<ulong>("--scrypt-n", "scrypt N of the PoST data (first start only)", 16).InRange(2ul, 1ul << 20);
        var phase = Cli.Opt<string?>("--poet-phase-shift", "PoET phase shift (first start only; default: standalone's share of the epoch)");
        var gap = Cli.Opt<string?>("--poet-cycle-gap", "PoET cycle gap (first start only)");
        var grace = Cli.Opt<string?>("--grace-period", "time before the round start at which the challenge is built (first start only)");
        var threads = Cli.Opt("--threads", "CPU threads of each node", 1).InRange(1, Cli.MaxThreads);
        var restartDelay = Cli.Opt("--restart-delay", "wait before restarting a node that died", "1s");
        var command = new Command("devnet", "Run a network of N nodes on loopback with a live table (Ctrl-C/SIGTERM stops it; the same command resumes it).")
        {
            nodes, dataDir, layer, layers, scryptN, phase, gap, grace, threads, restartDelay,
        };
        command.SetAction(parse => NodeCommand.Sync(async () =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
            var config = DevnetConfig.Load(dir);
            var asked = parse.GetValue(nodes);
            if (config is null)
            {
                config = DevnetConfig.Create(asked ?? 3, NodeCommand.Duration(parse.GetValue(layer))!.Value, parse.GetValue(layers),
                    parse.GetValue(scryptN), NodeCommand.Duration(parse.GetValue(phase)), NodeCommand.Duration(parse.GetValue(gap)),
                    NodeCommand.Duration(parse.GetValue(grace)));
                Directory.CreateDirectory(dir);
                config.Save(dir);
                Console.Out.WriteLine($"devnet: new network of {config.Nodes.Count} nodes in {dir}, genesis {config.Genesis:O}");
            }
            else if (asked is { } n && n != config.Nodes.Count)
            {
                Console.Error.WriteLine($"error: --nodes {n}: {Path.Combine(dir, DevnetConfig.FileName)} holds a network of {config.Nodes.Count} nodes (resume it without --nodes, or use another --datadir)");
                return ExitCodes.BadInput;
            }
            else
            {
                Console.Out.WriteLine($"devnet: resuming the network of {config.Nodes.Count} nodes in {dir}, genesis {config.Genesis:O} (timing flags of the first start apply)");
            }

            using var stop = Cli.CancelOnSignals();
            await using var devnet = new Devnet(dir, config, parse.GetValue(threads), NodeCommand.Duration(parse.GetValue(restartDelay))!.Value,
                Console.Out, !Console.IsOutputRedirected);
            await devnet.RunAsync(stop.Token);
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>One node of the devnet as <c>devnet.json</c> keeps it: its ports and PoST size.</summary>
/// <param name="Index">0..N-1; node 0 runs the PoET.</param>
/// <param name="ListenPort">The peer gRPC listener's port on 127.0.0.1.</param>
/// <param name="ApiPort">The operator API's port on 127.0.0.1.</param>
/// <param name="PoetPort">The PoET's REST port (node 0 only; 0 for the others).</param>
/// <param name="NumUnits">Space units of its identity's PoST data.</param>
public sealed record DevnetNode(int Index, int ListenPort, int ApiPort, int PoetPort, uint NumUnits);

/// <summary>The devnet's first-start choices (<c>devnet.json</c>): genesis, timing, nodes and their ports.</summary>
public sealed record DevnetConfig(
    long GenesisUnix, string ExtraData, long LayerDurationMs, uint LayersPerEpoch, ulong ScryptN, long? PhaseShiftMs,
    long? CycleGapMs, long? GracePeriodMs, IReadOnlyList<DevnetNode> Nodes)
{
    /// <summary>The file name in the devnet's directory.</summary>
    public const string FileName = "devnet.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The shared genesis time.</summary>
    public DateTimeOffset Genesis => DateTimeOffset.FromUnixTimeSeconds(GenesisUnix);

    /// <summary>The layer duration.</summary>
    public TimeSpan LayerDuration => TimeSpan.FromMilliseconds(LayerDurationMs);

    /// <summary>A new network: genesis a few seconds from now (the nodes start and initialize first), free loopback
    /// ports, node i with i+1 space units.</summary>
    public static DevnetConfig Create(int nodes, TimeSpan layerDuration, uint layersPerEpoch, ulong scryptN, TimeSpan? phaseShift,
        TimeSpan? cycleGap, TimeSpan? gracePeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(layerDuration, TimeSpan.Zero, "--layer-duration");
        var ports = FreePorts(2 * nodes + 1);
        var list = Enumerable.Range(0, nodes)
            .Select(i => new DevnetNode(i, ports[2 * i], ports[2 * i + 1], i == 0 ? ports[^1] : 0, (uint)i + 1)).ToList();
        var genesis = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5;
        return new DevnetConfig(genesis, "devnet-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]),
            (long)layerDuration.TotalMilliseconds, layersPerEpoch, scryptN, Ms(phaseShift), Ms(cycleGap), Ms(gracePeriod), list);
    }

    /// <summary>Reads the file, or <see langword="null"/> when there is none.</summary>
    public static DevnetConfig? Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<DevnetConfig>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"{path}: empty")
            : null;
    }

    /// <summary>Writes the file atomically.</summary>
    public void Save(string dir)
    {
        var path = Path.Combine(dir, FileName);
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The <c>post node run</c> arguments of <paramref name="node"/> in <paramref name="dir"/>.</summary>
    public IReadOnlyList<string> NodeArguments(string dir, DevnetNode node, int threads)
    {
        ArgumentNullException.ThrowIfNull(node);
        var args = new List<string>
        {
            "node", "run", "--datadir", NodeDir(dir, node.Index),
            "--genesis-time", GenesisUnix.ToString(CultureInfo.InvariantCulture), "--genesis-extra-data", ExtraData,
            "--layer-duration", $"{LayerDurationMs}ms", "--layers-per-epoch", LayersPerEpoch.ToString(CultureInfo.InvariantCulture),
            "--scrypt-n", ScryptN.ToString(CultureInfo.InvariantCulture),
            "--num-units", node.NumUnits.ToString(CultureInfo.InvariantCulture),
            "--max-num-units", Nodes.Max(n => n.NumUnits).ToString(CultureInfo.InvariantCulture),
            "--listen", $"127.0.0.1:{node.ListenPort}", "--api-port", node.ApiPort.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture), "--log-level", "information",
        };
        AddMs(args, "--poet-phase-shift", PhaseShiftMs);
        AddMs(args, "--poet-cycle-gap", CycleGapMs);
        AddMs(args, "--grace-period", GracePeriodMs);
        var poet = Nodes.First(n => n.Index == 0);
        if (node.Index == 0)
        {
            args.AddRange(["--poet-port", poet.PoetPort.ToString(CultureInfo.InvariantCulture)]);
        }
        else
        {
            args.AddRange(["--poet-url", $"http://127.0.0.1:{poet.PoetPort}/"]);
        }

        foreach (var peer in Nodes.Where(n => n.Index != node.Index))
        {
            args.AddRange(["--peer", $"127.0.0.1:{peer.ListenPort}"]);
        }

        return args;
    }

    /// <summary>The data directory of node <paramref name="index"/>.</summary>
    public static string NodeDir(string dir, int index) => Path.Combine(dir, "node-" + index.ToString(CultureInfo.InvariantCulture));

    private static void AddMs(List<string> args, string flag, long? ms)
    {
        if (ms is { } v)
        {
            args.AddRange([flag, $"{v}ms"]);
        }
    }

    private static long? Ms(TimeSpan? t) => t is { } v ? (long)v.TotalMilliseconds : null;

    /// <summary>Distinct free loopback ports (each bound once, then released).</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var l = new TcpListener(IPAddress.Loopback, 0);
                l.Start();
                listeners.Add(l);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var l in listeners)
            {
                l.Stop();
                l.Dispose();
            }
        }
    }
}

/// <summary>
/// Runs the devnet's node processes: starts each (output appended to <c>node-&lt;i&gt;/node.log</c>), restarts one that
/// dies once, prints the table every layer, and on cancellation stops every node with SIGTERM (then a kill after a
/// grace time).
/// </summary>
public sealed class Devnet : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private readonly string _dir;
    private readonly DevnetConfig _config;
    private readonly int _threads;
    private readonly TimeSpan _restartDelay;
    private readonly TextWriter _out;
    private readonly bool _redraw;
    private readonly Child[] _children;
    private readonly List<string> _events = [];
    private readonly Lock _gate = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private volatile bool _stopping;
    private bool _stopped;

    /// <summary>A devnet over <paramref name="dir"/> as <paramref name="config"/> describes it.</summary>
    public Devnet(string dir, DevnetConfig config, int threads, TimeSpan restartDelay, TextWriter output, bool redraw)
    {
        ArgumentNullException.ThrowIfNull(config);
        _dir = dir;
        _config = config;
        _threads = threads;
        _restartDelay = restartDelay;
        _out = output;
        _redraw = redraw;
        _children = [.. config.Nodes.Select(n => new Child(n))];
    }

    /// <summary>Starts every node, then prints the table every layer until <paramref name="ct"/> is cancelled; then
    /// stops every node.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        // Ctrl-C in a terminal reaches the nodes too: from that moment an exit is a stop, not a death.
        using var stopping = ct.Register(() => _stopping = true);
        foreach (var child in _children)
        {
            Directory.CreateDirectory(DevnetConfig.NodeDir(_dir, child.Node.Index));
            Start(child);
        }

        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Wake just after each layer boundary (or every second before genesis).
                var now = DateTimeOffset.UtcNow;
                var sinceGenesis = now - _config.Genesis;
                var wait = sinceGenesis < TimeSpan.Zero
                    ? TimeSpan.FromSeconds(1)
                    : _config.LayerDuration - TimeSpan.FromTicks(sinceGenesis.Ticks % _config.LayerDuration.Ticks) + TimeSpan.FromMilliseconds(150);
                await Task.Delay(wait, ct).ConfigureAwait(false);
                await PrintTableAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }

        await StopAllAsync().ConfigureAwait(false);
    }

    /// <summary>Stops every node (if still running) and frees the HTTP client.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAllAsync().ConfigureAwait(false);
        foreach (var child in _children)
        {
            child.Process?.Dispose();
        }

        _http.Dispose();
    }

    private async Task StopAllAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = _stopping = true;
        _out.WriteLine("devnet: stopping every node (SIGTERM)");
        await Task.WhenAll(_children.Select(StopAsync)).ConfigureAwait(false);
        _out.WriteLine("devnet: every node stopped; run the same command to resume");
    }

    private async Task StopAsync(Child child)
    {
        var process = child.Process;
        if (process is null || process.HasExited)
        {
            return;
        }

        Terminate(process);
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Report($"node-{child.Node.Index} did not stop within {StopGrace.TotalSeconds:0} s: killed");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void Start(Child child)
    {
        var dir = DevnetConfig.NodeDir(_dir, child.Node.Index);
        var self = Environment.ProcessPath ?? "dotnet";
        var viaDotnet = Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // a child must not read the terminal (nor get its Ctrl-C as input)
            UseShellExecute = false,
        };
        if (viaDotnet)
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "post.dll"));
        }

        foreach (var a in _config.NodeArguments(_dir, child.Node, _threads))
        {
            psi.ArgumentList.Add(a);
        }

        var log = new StreamWriter(Path.Combine(dir, "node.log"), append: true, Encoding.UTF8) { AutoFlush = true };
        log.WriteLine($"---- devnet start {DateTimeOffset.UtcNow:O}");
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data is null ? null : "! " + e.Data);
        process.Exited += (_, _) => _ = OnExitedAsync(child, process, log);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {self}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Process?.Dispose();
        child.Process = process;
        child.Starts++;
        Report($"node-{child.Node.Index} started (pid {process.Id}, {child.Node.NumUnits} units, log {Path.Combine(dir, "node.log")})");
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // the process ended and its log was closed
            }
        }
    }

    private async Task OnExitedAsync(Child child, Process process, StreamWriter log)
    {
        process.WaitForExit(); // drains the output readers
        var code = process.ExitCode;
        lock (log)
        {
            log.WriteLine($"---- exited with code {code} at {DateTimeOffset.UtcNow:O}");
            log.Dispose();
        }

        if (_stopping)
        {
            return;
        }

        if (child.Starts > 1)
        {
            Report($"node-{child.Node.Index} died again (exit code {code}); it was restarted once already and stays down (see its node.log)");
            return;
        }

        Report($"node-{child.Node.Index} died (exit code {code}); restarting it in {_restartDelay.TotalSeconds:0.#} s");
        await Task.Delay(_restartDelay).ConfigureAwait(false);
        if (!_stopping)
        {
            Start(child);
        }
    }

    private void Report(string line)
    {
        var stamped = $"{DateTimeOffset.UtcNow:HH:mm:ss} {line}";
        lock (_gate)
        {
            _events.Add(stamped);
            if (_events.Count > 8)
            {
                _events.RemoveAt(0);
            }
        }

        if (!_redraw)
        {
            _out.WriteLine("devnet: " + line);
        }
    }

    private async Task PrintTableAsync(CancellationToken ct)
    {
        var rows = await Task.WhenAll(_children.Select(c => StatusAsync(c, ct))).ConfigureAwait(false);
        var since = DateTimeOffset.UtcNow - _config.Genesis;
        var layer = since < TimeSpan.Zero ? 0 : since.Ticks / _config.LayerDuration.Ticks;
        var sb = new StringBuilder();
        if (_redraw)
        {
            sb.Append("\u001b[H\u001b[J");
        }

        sb.Append(CultureInfo.InvariantCulture,
            $"devnet {_dir}: layer {layer}, epoch {layer / _config.LayersPerEpoch} ({_config.Nodes.Count} nodes, {_config.LayerDurationMs} ms layers, {_config.LayersPerEpoch} per epoch)\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"node",-8}{"pid",-8}{"units",6}{"peers",6}{"layer",7}{"verified",9}  {"block",-10}{"state",-10}{"atx weight",11}{"balance",14}  identity\n");
        foreach (var (child, status) in _children.Zip(rows))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{"node-" + child.Node.Index,-8}");
            if (status is null)
            {
                sb.Append(child.Process is { HasExited: false } p ? $"{p.Id,-8}(starting)\n" : $"{"-",-8}(down)\n");
                continue;
            }

            var identities = status["identities"]?.AsArray() ?? [];
            var weight = identities.Aggregate(0UL, (sum, i) => sum + ((ulong?)i?["last_atx_weight"] ?? 0));
            var state = string.Join(",", identities.Select(i => (string?)i?["state"] ?? "?"));
            sb.Append(CultureInfo.InvariantCulture,
                $"{(long?)status["pid"],-8}{child.Node.NumUnits,6}{status["peers"]?.AsArray().Count ?? 0,6}{(long?)status["layer"],7}{Text(status["verified_layer"]),9}  {Short(status["verified_block"]),-10}{Short(status["verified_state_hash"]),-10}{weight,11}{Text(status["balance"]),14}  {state}\n");
        }

        lock (_gate)
        {
            if (_redraw)
            {
                foreach (var e in _events)
                {
                    sb.Append(e).Append('\n');
                }
            }
        }

        _out.Write(sb.ToString());
        _out.Flush();
    }

    private static string Text(JsonNode? node) => node?.ToString() ?? "-";

    private static string Short(JsonNode? node) => node?.ToString() is { Length: > 0 } s ? s[..Math.Min(8, s.Length)] : "-";

    private async Task<JsonNode?> StatusAsync(Child child, CancellationToken ct)
    {
        if (child.Process is not { HasExited: false })
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(await _http.GetStringAsync(
                new Uri($"http://127.0.0.1:{child.Node.ApiPort}/status"), ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            return null; // not listening yet, or busy
        }
    }

    /// <summary>Sends SIGTERM through kill(1) on Unix; elsewhere kills the process.</summary>
    private static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
        {
            process.Kill(entireProcessTree: true);
            return;
        }

        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private sealed class Child(DevnetNode node)
    {
        public DevnetNode Node { get; } = node;

        public Process? Process { get; set; }

        public int Starts { get; set; }
    }
}
