using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Prover.Node.Host.Node;
using Prover.Node.Types;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post node run|status|atxs|layers|balance|rewards</c>: the embedded node (NODE.md §6): builds and publishes ATXs for its
/// identities, gossips and validates its peers' ATXs, runs consensus, and shows what it stored (through the running
/// node's operator API, or from the database when the node is stopped).
/// </summary>
public static class NodeCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create() => new("node", "Run the embedded node and query its state.") { Run(), Status(), Atxs(), Layers(), Balance(), Rewards() };

    private static Option<string> DataDir() => Cli.DataDirOpt("the node's data directory");

    private static Command Run()
    {
        var dataDir = DataDir();
        var preset = Cli.Opt("--preset", "network preset (standalone)", "standalone");
        var identities = Cli.Opt("--identities", "identities to run (missing keys are generated)", 1).InRange(1, 64);
        var layer = Cli.Opt<string?>("--layer-duration", "layer duration, e.g. 2s or 500ms (first start only)");
        var layers = Cli.Opt<uint?>("--layers-per-epoch", "layers per epoch (first start only)");
        var phase = Cli.Opt<string?>("--poet-phase-shift", "PoET phase shift (first start only)");
        var gap = Cli.Opt<string?>("--poet-cycle-gap", "PoET cycle gap (first start only)");
        var grace = Cli.Opt<string?>("--grace-period", "time before the round start at which the challenge is built (first start only)");
        var scryptN = Cli.Opt<ulong?>("--scrypt-n", "scrypt N of the PoST data (first start only; small for tests)");
        var prover = Cli.Opt("--prover", "local, remote (wait for post serve on --grpc-post-listener) or supervised", "local");
        var listener = Cli.Opt<string?>("--grpc-post-listener", "the gRPC post listener ip:port (remote, supervised)");
        var coinbase = Cli.Opt<string?>("--coinbase", "reward address (48 hex digits; default: each identity's own)");
        var apiPort = Cli.Opt("--api-port", "operator API port on 127.0.0.1 (0: any)", 0).InRange(0, 65535);
        var poetPort = Cli.Opt("--poet-port", "embedded PoET REST port on 127.0.0.1 (0: any)", 0).InRange(0, 65535);
        var threads = Cli.Opt("--threads", "CPU threads for labels and proofs", 1).InRange(1, Cli.MaxThreads);
        var listen = Cli.Opt<string?>("--listen", "peer gRPC listener ip:port (e.g. 127.0.0.1:7513; none: no inbound peers)");
        var peers = Cli.Opt<string[]>("--peer", "a peer's listen address ip:port (repeatable)");
        peers.AllowMultipleArgumentsPerToken = false;
        var genesisTime = Cli.Opt<string?>("--genesis-time", "genesis time, unix seconds or ISO 8601 (first start only; default now)");
        var extra = Cli.Opt<string?>("--genesis-extra-data", "genesis extra data (first start only; default the preset's)");
        var poetUrl = Cli.Opt<string?>("--poet-url", "register at this PoET's REST API instead of running the embedded one");
        var noPoet = Cli.Opt<bool>("--no-poet", "run no embedded PoET (without --poet-url the node builds no ATXs, only follows)");
        var numUnits = Cli.Opt<uint?>("--num-units", "space units of each identity's PoST data (first init only; default the minimum)");
        var maxUnits = Cli.Opt<uint?>("--max-num-units", "the network's most space units per identity (first start only)");
        var logLevel = Cli.Opt("--log-level", "log lines on standard error: none, error, warning, information, debug", "warning");
        var command = new Command("run", "Run the node until Ctrl-C/SIGTERM.")
        {
            dataDir, preset, identities, layer, layers, phase, gap, grace, scryptN, prover, listener, coinbase, apiPort, poetPort, threads,
            listen, peers, genesisTime, extra, poetUrl, noPoet, numUnits, maxUnits, logLevel,
        };
        command.SetAction(parse => Sync(async () =>
        {
            var mode = parse.GetValue(prover)?.ToLowerInvariant() switch
            {
                "local" => ProverMode.Local,
                "remote" => ProverMode.Remote,
                "supervised" => ProverMode.Supervised,
                var other => throw new ArgumentException($"--prover must be local, remote or supervised (got '{other}')"),
            };
            var level = parse.GetValue(logLevel)?.ToLowerInvariant() switch
            {
                "none" => LogLevel.None,
                "error" => LogLevel.Error,
                "warning" => LogLevel.Warning,
                "information" or "info" => LogLevel.Information,
                "debug" => LogLevel.Debug,
                var other => throw new ArgumentException($"--log-level must be none, error, warning, information or debug (got '{other}')"),
            };
            using var logs = CliLogging.CreateFactory(level);
            var options = new NodeRunnerOptions
            {
                LoggerFactory = logs,
                DataDir = parse.GetValue(dataDir)!,
                Preset = parse.GetValue(preset)!,
                Identities = parse.GetValue(identities),
                LayerDuration = Duration(parse.GetValue(layer)),
                LayersPerEpoch = parse.GetValue(layers),
                PoetPhaseShift = Duration(parse.GetValue(phase)),
                PoetCycleGap = Duration(parse.GetValue(gap)),
                GracePeriod = Duration(parse.GetValue(grace)),
                ScryptN = parse.GetValue(scryptN),
                Prover = mode,
                GrpcPostListener = parse.GetValue(listener),
                Coinbase = parse.GetValue(coinbase) is { } c ? Address.Parse(c) : null,
                ApiPort = parse.GetValue(apiPort),
                PoetPort = parse.GetValue(poetPort),
                Threads = parse.GetValue(threads),
                Console = Console.Out,
                Listen = parse.GetValue(listen),
                Peers = parse.GetValue(peers) ?? [],
                GenesisTime = GenesisTime(parse.GetValue(genesisTime)),
                GenesisExtraData = parse.GetValue(extra),
                PoetUrl = parse.GetValue(poetUrl) is { } u ? PoetUri(u) : null,
                NoPoet = parse.GetValue(noPoet),
                NumUnits = parse.GetValue(numUnits),
                MaxNumUnits = parse.GetValue(maxUnits),
            };
            using var stop = Cli.CancelOnSignals();
            await using var node = await NodeRunner.StartAsync(options, stop.Token);
            Console.Out.WriteLine($"node: genesis {node.Genesis.GenesisId} at {node.Genesis.GenesisTime:O}, api {node.ApiAddress}, poet {node.PoetAddress?.ToString() ?? "none"}" +
                (node.PostListener is { } l ? $", post listener {l}" : "") + (node.PeerAddress is { } p ? $", peers on {p}" : ""));
            await node.RunAsync(stop.Token);
            return stop.IsCancellationRequested ? ExitCodes.Ok : ExitCodes.Invalid;
        }));
        return command;
    }

    private static Command Status()
    {
        var dataDir = DataDir();
        var json = Cli.Opt<bool>("--json", "print JSON");
        var command = new Command("status", "Show the node's epoch, layer and identities (asks the running node, else reads the database).") { dataDir, json };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            var doc = await FromApiAsync(dir, "status", ct) ?? NodeQueries.WithStores(dir, (store, consensus, genesis) => (JsonNode)new JsonObject
            {
                ["genesis_id"] = genesis.GenesisId.ToString(),
                ["running"] = false,
                ["atxs"] = NodeQueries.AtxsJson(store, genesis.GenesisId, null).Count,
                ["applied_layer"] = consensus.LastLayer?.Layer.Value,
            });
            Print(doc, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Atxs()
    {
        var dataDir = DataDir();
        var epoch = Cli.Opt<uint?>("--epoch", "only ATXs published in this epoch");
        var json = Cli.Opt<bool>("--json", "print JSON");
        var command = new Command("atxs", "List the stored ATXs.") { dataDir, epoch, json };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            var e = parse.GetValue(epoch);
            var doc = await FromApiAsync(dir, e is { } v ? $"atxs?epoch={v}" : "atxs", ct)
                ?? NodeQueries.WithStore(dir, (store, genesis) => (JsonNode)NodeQueries.AtxsJson(store, genesis.GenesisId, e));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(doc.ToJsonString(Indented));
                return ExitCodes.Ok;
            }

            foreach (var atx in doc.AsArray())
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {atx!["publish_epoch"]} {atx["id"]} smesher {atx["smesher_id"]} seq {atx["sequence"]} weight {atx["weight"]} valid {atx["valid"]?.ToString() ?? "unknown"}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Runs a long-lived command synchronously: System.CommandLine's own SIGTERM handling of asynchronous actions gives
    /// up on the action after a timeout (and can fail on a second signal), while these commands stop cleanly on
    /// <see cref="Cli.CancelOnSignals"/> however long that takes.
    /// </summary>
    internal static int Sync(Func<Task<int>> action) => action().GetAwaiter().GetResult();

    private static Command Layers()
    {
        var dataDir = DataDir();
        var from = Cli.Opt<uint?>("--from", "first layer");
        var to = Cli.Opt<uint?>("--to", "last layer");
        var json = Cli.Opt<bool>("--json", "print a JSON list of {layer, block_id, valid, state_hash}");
        var command = new Command("layers", "List the applied layers: block id, validity and state hash.") { dataDir, from, to, json };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            uint? a = parse.GetValue(from), b = parse.GetValue(to);
            var query = string.Join('&', new[] { a is { } f ? $"from={f}" : null, b is { } t ? $"to={t}" : null }.OfType<string>());
            var doc = await FromApiAsync(dir, query.Length == 0 ? "layers" : "layers?" + query, ct)
                ?? NodeQueries.WithStores(dir, (_, consensus, _) => (JsonNode)NodeQueries.LayersJson(consensus, a, b));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(doc.ToJsonString(Indented));
                return ExitCodes.Ok;
            }

            foreach (var l in doc.AsArray())
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"layer {l!["layer"]} block {l["block_id"]} valid {l["valid"]} state {l["state_hash"]}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Balance()
    {
        var dataDir = DataDir();
        var coinbase = Coinbase();
        var json = Cli.Opt<bool>("--json", "print JSON {address, balance, rewards}");
        var command = new Command("balance", "Print an account's balance (the rewards its coinbase received).") { dataDir, coinbase, json };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            if (ParseCoinbase(parse.GetValue(coinbase)!) is not { } address)
            {
                return ExitCodes.BadInput;
            }

            var doc = await FromApiAsync(dir, "balance/" + address, ct)
                ?? NodeQueries.WithStores(dir, (_, consensus, _) => (JsonNode)NodeQueries.BalanceJson(consensus, address));
            Console.Out.WriteLine(parse.GetValue(json) ? doc.ToJsonString() : doc["balance"]!.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rewards()
    {
        var dataDir = DataDir();
        var coinbase = Coinbase();
        var from = Cli.Opt<uint?>("--from", "first layer");
        var to = Cli.Opt<uint?>("--to", "last layer");
        var json = Cli.Opt<bool>("--json", "print a JSON list of {layer, atx_id, amount}");
        var command = new Command("rewards", "List the rewards an account received: layer, ATX and amount.") { dataDir, coinbase, from, to, json };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            if (ParseCoinbase(parse.GetValue(coinbase)!) is not { } address)
            {
                return ExitCodes.BadInput;
            }

            uint? a = parse.GetValue(from), b = parse.GetValue(to);
            var query = string.Join('&', new[] { a is { } f ? $"from={f}" : null, b is { } t ? $"to={t}" : null }.OfType<string>());
            var path = "rewards/" + address + (query.Length == 0 ? "" : "?" + query);
            var doc = await FromApiAsync(dir, path, ct)
                ?? NodeQueries.WithStores(dir, (_, consensus, _) => (JsonNode)NodeQueries.RewardsJson(consensus, address, a, b));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(doc.ToJsonString(Indented));
                return ExitCodes.Ok;
            }

            foreach (var r in doc.AsArray())
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"layer {r!["layer"]} atx {r["atx_id"]} amount {r["amount"]}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> Coinbase() => new("COINBASE") { Description = "the account: 48 hex digits" };

    /// <summary>The account, or null after printing the error (exit 2).</summary>
    private static Address? ParseCoinbase(string text)
    {
        if (NodeQueries.TryParseAddress(text) is { } address)
        {
            return address;
        }

        Console.Error.WriteLine($"error: COINBASE: expected 48 hex digits (a 24-byte address), got '{text}'");
        return null;
    }

    private static void Print(JsonNode doc, bool json) => Console.Out.WriteLine(json ? doc.ToJsonString() : doc.ToJsonString(Indented));

    /// <summary>Asks the running node's operator API; <see langword="null"/> when no node runs on this directory.</summary>
    private static async Task<JsonNode?> FromApiAsync(string dataDir, string path, CancellationToken ct)
    {
        var file = Path.Combine(dataDir, NodeQueries.ApiAddressFile);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var http = new HttpClient { BaseAddress = new Uri((await File.ReadAllTextAsync(file, ct)).Trim()), Timeout = TimeSpan.FromSeconds(5) };
            return JsonNode.Parse(await http.GetStringAsync(path, ct));
        }
        catch (HttpRequestException)
        {
            return null; // a stale file of a node that is gone
        }
    }

    /// <summary>Parses unix seconds or an ISO 8601 time.</summary>
    internal static DateTimeOffset? GenesisTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new ArgumentException($"--genesis-time: not a time: '{text}' (use unix seconds or ISO 8601, e.g. 2026-01-01T00:00:00Z)");
    }

    private static Uri PoetUri(string text) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--poet-url: not an http(s) address: '{text}'");

    /// <summary>Parses 2s, 500ms, 1m, 1h, or plain seconds.</summary>
    internal static TimeSpan? Duration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        (string number, double scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1)
            : text.EndsWith('m') ? (text[..^1], 60)
            : text.EndsWith('h') ? (text[..^1], 3600)
            : (text, 1);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromSeconds(value * scale)
            : throw new ArgumentException($"not a duration: '{text}' (use e.g. 2s, 500ms, 1m)");
    }
}
