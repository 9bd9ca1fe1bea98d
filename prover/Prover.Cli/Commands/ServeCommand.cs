using System.CommandLine;
using System.Globalization;
using Prover.Core;
using Prover.Core.Data;
using Prover.Service;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post serve</c>: the remote prover of go-spacemesh (spec §8). Same flags and defaults as post-rs's
/// <c>post-service</c>, so go-spacemesh's supervisor can start it in its place.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var address = new Option<string>("--address", "-a")
        {
            Description = "the node's gRPC post listener: http://host:port, or https://host:port with --ca-cert/--cert/--key (a missing scheme means http)",
            Required = true,
        };
        var dirs = Cli.Opt<string[]>("--dir", "PoST data directory; give it several times to serve several identities (one stream each)", "-d");
        dirs.Required = true;
        dirs.AllowMultipleArgumentsPerToken = false;
        var minUnits = Cli.Opt("--min-num-units", "refuse to start if the data has fewer units", 4u);
        var maxUnits = Cli.Opt("--max-num-units", "refuse to start if the data has more units", uint.MaxValue).InRange(1u, uint.MaxValue);
        var k1 = Cli.Opt("--k1", "proof parameter K1 (expected good labels per nonce)", 26u).InRange(1u, MaxK);
        var k2 = Cli.Opt("--k2", "proof parameter K2 (labels in a proof)", 37u).InRange(1u, MaxK);
        var powDifficulty = Cli.Opt("--pow-difficulty", "k2pow difficulty per space unit, 64 hex digits (big-endian)", PostServiceOptions.MainnetPowDifficultyHex);
        var scryptN = Cli.Opt("-n", "scrypt N of the data (used to verify our proofs before sending them)", 8192UL)
            .PowerOfTwo(2UL, ProviderSelection.MaxScryptN);
        var scryptR = Cli.Opt("-r", "scrypt r (only 1 is supported)", 1u);
        var scryptP = Cli.Opt("-p", "scrypt p (only 1 is supported)", 1u);
        var threads = Cli.Opt("--threads", "proving threads (0 = all cores)", 1).InRange(0, Cli.MaxThreads);
        var pinnedCores = Cli.Opt<string?>("--pinned-cores",
            "comma-separated CPU core ids (e.g. 0,1,2): one proving thread per core, and the whole process runs on these " +
            "cores only (Linux, Windows); instead of --threads");
        var nonces = Cli.Opt("--nonces", "nonces per pass: a multiple of 16, at most 4096", 128).InRange(16, 4096);
        var randomxMode = Cli.Opt("--randomx-mode", "k2pow RandomX mode: fast (~2 GiB, quicker) or light (~256 MiB)", "fast");
        var watchPid = Cli.Opt<int?>("--watch-pid", "exit when the process with this PID exits (go-spacemesh passes its own)")
            .InRange(1, int.MaxValue);
        var maxRetries = Cli.Opt<int?>("--max-retries",
                "give up (exit 1) after this many retries: N + 1 failed connection attempts in a row; a node that refuses " +
                "Register (no coinbase, already registered) is retried without limit (default: never give up)")
            .InRange(0, int.MaxValue);
        var reconnect = Cli.Opt("--reconnect-interval-s", "seconds between connection attempts", 5UL).InRange(1UL, MaxSeconds);
        var caCert = Cli.Opt<string?>("--ca-cert", "PEM of the CA that signed the node's TLS certificate (with --cert and --key)");
        var cert = Cli.Opt<string?>("--cert", "PEM of this service's client certificate");
        var key = Cli.Opt<string?>("--key", "PEM of this service's private key");
        var domain = Cli.Opt<string?>("--domain", "server name to verify in the node's certificate (default: the host of --address)");
        var operatorAddress = Cli.Opt<string?>("--operator-address", "serve GET /status, /status/{node_id} and /metrics over HTTP on this ip:port");
        var remoteK2Pow = Cli.Opt<string?>("--remote-k2pow", "base URL of a k2pow-service to compute k2pow remotely");
        var remoteParallelism = Cli.Opt("--remote-k2pow-parallelism", "k2pow jobs sent to the k2pow-service at once", 5)
            .InRange(1, MaxParallelism);
        var remoteBackoff = Cli.Opt("--remote-k2pow-backoff", "seconds between polls of a running k2pow job", 5UL)
            .InRange(1UL, MaxSeconds);
        var logLevel = Cli.Opt<string?>("--log-level",
            "least severe log level: error, warn, info (default), debug, trace or off; overrides RUST_LOG " +
            "(also read: RUST_LOG=debug or RUST_LOG=post_service=debug,info)");
        var version = new VersionOption("--version", "-V");

        var command = new Command("serve",
            "Remote prover for go-spacemesh: dial the node's PostService, answer its metadata and proof requests " +
            "(flags as post-rs's post-service). Stops cleanly on SIGTERM/Ctrl-C; exit 1 when --max-retries runs out.")
        {
            address, dirs, minUnits, maxUnits, k1, k2, powDifficulty, scryptN, scryptR, scryptP, threads, nonces, randomxMode,
            watchPid, maxRetries, reconnect, caCert, cert, key, domain, operatorAddress, remoteK2Pow, remoteParallelism, remoteBackoff,
            pinnedCores, logLevel, version,
        };

        command.SetAction(parse =>
        {
            var ca = parse.GetValue(caCert);
            var certFile = parse.GetValue(cert);
            var keyFile = parse.GetValue(key);
            TlsSettings? tls = null;
            int tlsGiven = (ca is null ? 0 : 1) + (certFile is null ? 0 : 1) + (keyFile is null ? 0 : 1);
            if (tlsGiven is 1 or 2)
            {
                throw new InvalidInputException("caCert", "--ca-cert, --cert and --key must be given together (mTLS with the node)");
            }

            if (tlsGiven == 3)
            {
                tls = new TlsSettings(ca!, certFile!, keyFile!, parse.GetValue(domain));
            }
            else if (parse.GetValue(domain) is not null)
            {
                throw new InvalidInputException("domain", "--domain only applies with --ca-cert, --cert and --key");
            }

            // --pinned-cores sets the thread count; post-service refuses it together with --threads.
            var cores = parse.GetValue(pinnedCores) is { } coreList ? PostServiceOptions.ParsePinnedCores(coreList) : null;
            if (cores is not null && parse.GetResult(threads) is { Implicit: false })
            {
                throw new InvalidInputException("pinnedCores", "--pinned-cores and --threads cannot be used together (--pinned-cores runs one thread per core)");
            }

            var options = new PostServiceOptions
            {
                Address = PostServiceOptions.ParseAddress(parse.GetValue(address)),
                DataDirs = parse.GetValue(dirs) ?? [],
                MinNumUnits = parse.GetValue(minUnits),
                MaxNumUnits = parse.GetValue(maxUnits),
                K1 = parse.GetValue(k1),
                K2 = parse.GetValue(k2),
                PowDifficulty = PostServiceOptions.ParsePowDifficulty(parse.GetValue(powDifficulty)!),
                ScryptN = parse.GetValue(scryptN),
                ScryptR = parse.GetValue(scryptR),
                ScryptP = parse.GetValue(scryptP),
                Threads = cores?.Count ?? parse.GetValue(threads),
                PinnedCores = cores,
                LogLevel = parse.GetValue(logLevel) is { } level
                    ? PostServiceOptions.ParseLogLevel(level)
                    : PostServiceOptions.LevelFromRustLog(Environment.GetEnvironmentVariable("RUST_LOG")) ?? Microsoft.Extensions.Logging.LogLevel.Information,
                Nonces = parse.GetValue(nonces),
                RandomXMode = PostServiceOptions.ParseRandomXMode(parse.GetValue(randomxMode)),
                WatchPid = parse.GetValue(watchPid),
                MaxRetries = parse.GetValue(maxRetries),
                ReconnectInterval = Seconds(parse.GetValue(reconnect), "--reconnect-interval-s"),
                Tls = tls,
                OperatorAddress = parse.GetValue(operatorAddress) is { } op ? PostServiceOptions.ParseOperatorAddress(op) : null,
                RemoteK2Pow = parse.GetValue(remoteK2Pow) is { } url ? ParseUrl(url) : null,
                RemoteK2PowParallelism = parse.GetValue(remoteParallelism),
                RemoteK2PowBackoff = Seconds(parse.GetValue(remoteBackoff), "--remote-k2pow-backoff"),
            };

            // Hold each data directory as a reader while serving, so that `post init` cannot rewrite files under a
            // proof (and a running init makes serve refuse to start). A missing directory is left to Build's message.
            var locks = new List<DataDirLock>();
            try
            {
                foreach (string dir in options.DataDirs.Where(Directory.Exists))
                {
                    locks.Add(DataDirLock.AcquireShared(dir, "post serve"));
                }

                var stop = StopOnSigterm();
                using var host = PostServiceHost.Build(options, Prover.Service.Proving.ServiceProvers.Create);
                if (options.PinnedCores is { } pinned)
                {
                    CorePinning.Pin(pinned);
                }

                if (stop.IsCancellationRequested)
                {
                    return 0; // SIGTERM while loading: a clean stop, as once serving
                }

                try
                {
                    return PostServiceHost.RunAsync(host, stop).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return 0;
                }
            }
            finally
            {
                foreach (var l in locks)
                {
                    l.Dispose();
                }
            }
        });
        return command;
    }

    private static System.Runtime.InteropServices.PosixSignalRegistration? _sigterm;
    private static readonly CancellationTokenSource SigtermSource = new();

    /// <summary>
    /// A token cancelled by SIGTERM, held for the rest of the process. The host's own SIGTERM handler lives only while
    /// the host does; a SIGTERM that arrives while the service loads its data, or while it shuts down after giving up
    /// (exit 1), would otherwise kill the process with the runtime's default (exit 143) instead of the service's code.
    /// </summary>
    private static CancellationToken StopOnSigterm()
    {
        _sigterm ??= System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            SigtermSource.Cancel();
        });
        return SigtermSource.Token;
    }

    /// <summary>Largest --k1/--k2: far above any network's (mainnet 26/37), small enough that a pass stays in memory.</summary>
    private const uint MaxK = 1 << 16;

    /// <summary>Longest wait flag: one day (a .NET timer cannot wait more than about 49 days anyway).</summary>
    private const ulong MaxSeconds = 24 * 3600;

    private const int MaxParallelism = 1024;

    private static TimeSpan Seconds(ulong value, string flag) => value <= int.MaxValue
        ? TimeSpan.FromSeconds(value)
        : throw new InvalidInputException(flag, string.Create(CultureInfo.InvariantCulture, $"{flag} {value}: too large"));

    private static Uri ParseUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri)
        ? uri
        : throw new InvalidInputException("remoteK2pow", $"--remote-k2pow '{text}' is not a URL (expected http(s)://host:port)");
}
