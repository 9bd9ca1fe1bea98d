using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;

namespace Prover.Service;

/// <summary>mTLS settings of the connection to the node (spec §8.4). All three files are required together.</summary>
/// <param name="CaCert">PEM of the CA that signed the node's server certificate.</param>
/// <param name="Cert">PEM of this service's client certificate.</param>
/// <param name="Key">PEM of the private key of <paramref name="Cert"/>.</param>
/// <param name="Domain">Server name to verify (and send as SNI); null = the host of the address.</param>
public sealed record TlsSettings(string CaCert, string Cert, string Key, string? Domain);

/// <summary>
/// Everything <c>post serve</c> is configured with. Field names and defaults follow post-rs's <c>post-service</c>
/// (spec §8.6), so go-spacemesh's supervisor can start this service with the flags it gives post-service.
/// </summary>
public sealed record PostServiceOptions
{
    /// <summary>Mainnet per-unit k2pow difficulty, post-service's default.</summary>
    public const string MainnetPowDifficultyHex = "000dfb23b0979b4b000000000000000000000000000000000000000000000000";

    /// <summary>The node's gRPC endpoint, already normalized by <see cref="ParseAddress"/>.</summary>
    public required Uri Address { get; init; }

    /// <summary>PoST data directories, one identity (one Register stream) each.</summary>
    public required IReadOnlyList<string> DataDirs { get; init; }

    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failed connection attempts in a row tolerated before the service gives up (post-rs: max + 1 attempts in all; a
    /// successful connection resets the count; a node that refuses Register is not a failed connection); null = never.
    /// </summary>
    public int? MaxRetries { get; init; }

    /// <summary>Exit when this process dies (go-spacemesh passes its own PID).</summary>
    public int? WatchPid { get; init; }

    public IPEndPoint? OperatorAddress { get; init; }

    public uint MinNumUnits { get; init; } = 4;

    public uint MaxNumUnits { get; init; } = uint.MaxValue;

    public uint K1 { get; init; } = 26;

    public uint K2 { get; init; } = 37;

    /// <summary>Per-unit k2pow difficulty, 32 bytes big-endian.</summary>
    public byte[] PowDifficulty { get; init; } = Convert.FromHexString(MainnetPowDifficultyHex);

    /// <summary>scrypt N of the data (used only to verify our own proofs before sending them).</summary>
    public ulong ScryptN { get; init; } = 8192;

    public uint ScryptR { get; init; } = 1;

    public uint ScryptP { get; init; } = 1;

    /// <summary>Proving threads; 0 = all cores.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Nonces per pass: a positive multiple of 16, at most 4096.</summary>
    public int Nonces { get; init; } = 128;

    public RandomXMode RandomXMode { get; init; } = RandomXMode.Fast;

    /// <summary>
    /// CPU core ids the process (and so every proving thread) is restricted to, one proving thread per core
    /// (post-service's <c>--pinned-cores</c>); null = no pinning.
    /// </summary>
    public IReadOnlyList<int>? PinnedCores { get; init; }

    /// <summary>Least severe level logged (<c>--log-level</c> or <c>RUST_LOG</c>; post-service's default is info).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public TlsSettings? Tls { get; init; }

    /// <summary>Base URL of a k2pow-service; null = compute k2pow locally.</summary>
    public Uri? RemoteK2Pow { get; init; }

    public int RemoteK2PowParallelism { get; init; } = 5;

    public TimeSpan RemoteK2PowBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>HTTP/2 keep-alive ping interval (post-service: 600 s).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How long a keep-alive ping may go unanswered before the connection is dropped (post-service: 20 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest message accepted from the node (go-spacemesh's limit is 10 MiB).</summary>
    public int MaxMessageSize { get; init; } = 10 << 20;

    /// <summary>
    /// Parses <c>--address</c>: <c>host:port</c> without a scheme means <c>http://</c>; only http and https are allowed.
    /// </summary>
    public static Uri ParseAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidInputException("address", "--address is required (the node's gRPC post listener, e.g. http://127.0.0.1:9094)");
        }

        var s = text.Trim();
        if (!s.Contains("://", StringComparison.Ordinal))
        {
            s = "http://" + s;
        }

        if (!Uri.TryCreate(s, UriKind.Absolute, out var uri))
        {
            throw new InvalidInputException("address", $"--address '{text}' is not a valid address (expected http(s)://host:port)");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidInputException("address", $"--address '{text}': unsupported scheme '{uri.Scheme}' (use http:// or https://)");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidInputException("address", $"--address '{text}' has no host (expected http(s)://host:port)");
        }

        return uri;
    }

    /// <summary>Parses <c>--operator-address ip:port</c>.</summary>
    public static IPEndPoint ParseOperatorAddress(string text)
    {
        var s = text.Trim();
        int colon = s.LastIndexOf(':');
        bool hasPort = colon > 0 && colon > s.LastIndexOf(']') && (s.IndexOf(':', StringComparison.Ordinal) == colon || s.StartsWith('['));
        if (!hasPort || !IPEndPoint.TryParse(s, out var endpoint))
        {
            throw new InvalidInputException("operatorAddress", $"--operator-address '{text}' is not an ip:port (e.g. 127.0.0.1:50051)");
        }

        return endpoint;
    }

    /// <summary>Parses <c>--pow-difficulty</c> (64 hex digits).</summary>
    public static byte[] ParsePowDifficulty(string text) => Hex.Parse(text, "--pow-difficulty", 32);

    /// <summary>Parses <c>--randomx-mode fast|light</c>.</summary>
    public static RandomXMode ParseRandomXMode(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        null or "" or "FAST" => RandomXMode.Fast,
        "LIGHT" => RandomXMode.Light,
        _ => throw new InvalidInputException("randomxMode", $"--randomx-mode '{text}': expected 'fast' or 'light'"),
    };

    /// <summary>Parses <c>--pinned-cores</c>: comma-separated CPU core ids, as post-service takes them (<c>0,1,2</c>).</summary>
    public static IReadOnlyList<int> ParsePinnedCores(string text)
    {
        var cores = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int core))
            {
                throw new InvalidInputException("pinnedCores", $"--pinned-cores '{text}': expected comma-separated CPU core ids, e.g. 0,1,2");
            }

            cores.Add(core);
        }

        ValidatePinnedCores(cores);
        return cores;
    }

    /// <summary>Core ids <c>--pinned-cores</c> can name: this machine's (at most 64 on Windows, 1024 on Linux: the affinity masks).</summary>
    public static int MaxPinnableCores => Math.Min(Environment.ProcessorCount, OperatingSystem.IsWindows() ? 64 : 1024);

    private static void ValidatePinnedCores(IReadOnlyList<int> cores)
    {
        if (cores.Count == 0)
        {
            throw new InvalidInputException("pinnedCores", "--pinned-cores: give at least one CPU core id");
        }

        foreach (int core in cores)
        {
            if (core < 0 || core >= MaxPinnableCores)
            {
                throw new InvalidInputException("pinnedCores", string.Create(CultureInfo.InvariantCulture,
                    $"--pinned-cores: core {core} does not exist (this machine has cores 0..{MaxPinnableCores - 1})"));
            }
        }

        if (cores.Distinct().Count() != cores.Count)
        {
            throw new InvalidInputException("pinnedCores", $"--pinned-cores {string.Join(',', cores)}: a core is given twice");
        }
    }

    /// <summary>Parses a level as <c>--log-level</c> and <c>RUST_LOG</c> name them: off, error, warn, info, debug, trace.</summary>
    public static LogLevel? TryParseLogLevel(string text) => text.Trim().ToUpperInvariant() switch
    {
        "OFF" => LogLevel.None,
        "ERROR" => LogLevel.Error,
        "WARN" or "WARNING" => LogLevel.Warning,
        "INFO" => LogLevel.Information,
        "DEBUG" => LogLevel.Debug,
        "TRACE" => LogLevel.Trace,
        _ => null,
    };

    /// <summary>Parses <c>--log-level</c>.</summary>
    public static LogLevel ParseLogLevel(string text) => TryParseLogLevel(text)
        ?? throw new InvalidInputException("logLevel", $"--log-level '{text}': expected error, warn, info, debug, trace or off");

    /// <summary>
    /// The level a <c>RUST_LOG</c> value sets for this service, env_logger style: comma-separated directives, each a
    /// bare level (<c>debug</c>) or <c>target=level</c>. A directive for our targets (<c>post_service</c>,
    /// <c>post</c> and their modules) wins; otherwise the last bare level; otherwise null (the default, info).
    /// Directives that name other targets or do not parse are ignored, as env_logger does.
    /// </summary>
    public static LogLevel? LevelFromRustLog(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        LogLevel? bare = null, ours = null;
        // env_logger: an optional "/regex" filter follows the directives.
        foreach (var directive in value.Split('/')[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = directive.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (TryParseLogLevel(directive) is { } level)
                {
                    bare = level;
                }
                else if (IsOurTarget(directive))
                {
                    ours = LogLevel.Trace; // a bare target means "everything from it"
                }

                continue;
            }

            if (IsOurTarget(directive[..eq].Trim()) && TryParseLogLevel(directive[(eq + 1)..]) is { } targetLevel)
            {
                ours = targetLevel;
            }
        }

        return ours ?? bare;
    }

    private static bool IsOurTarget(string target) =>
        target is "post_service" or "post"
        || target.StartsWith("post_service::", StringComparison.Ordinal)
        || target.StartsWith("post::", StringComparison.Ordinal);

    /// <summary>
    /// Checks everything that does not need the data: throws <see cref="InvalidInputException"/> naming the flag at fault.
    /// </summary>
    public void Validate()
    {
        if (DataDirs.Count == 0)
        {
            throw new InvalidInputException("dataDir", "--dir is required (the PoST data directory; give it several times for several identities)");
        }

        var dirs = DataDirs.Select(Path.GetFullPath).ToList();
        if (dirs.Distinct(StringComparer.Ordinal).Count() != dirs.Count)
        {
            throw new InvalidInputException("dataDir", "--dir: the same directory is given twice");
        }

        if (Address.Scheme == Uri.UriSchemeHttps && Tls is null)
        {
            throw new InvalidInputException("address",
                $"--address {Address}: https needs --ca-cert, --cert and --key (mTLS with the node's TLS listener)");
        }

        // http:// with --ca-cert/--cert/--key: post-rs (tonic) ignores the TLS settings and connects in plaintext; so do
        // we, with a warning (NodeTls.Load). The files must still exist, as post-rs reads them at start.
        if (Tls is { } tls)
        {
            RequireFile(tls.CaCert, "--ca-cert");
            RequireFile(tls.Cert, "--cert");
            RequireFile(tls.Key, "--key");
        }

        if (MinNumUnits > MaxNumUnits)
        {
            throw new InvalidInputException("minNumUnits", $"--min-num-units {MinNumUnits} is larger than --max-num-units {MaxNumUnits}");
        }

        if (K1 == 0 || K2 == 0)
        {
            throw new InvalidInputException("k1", "--k1 and --k2 must be positive");
        }

        if (PowDifficulty.Length != 32)
        {
            throw new InvalidInputException("powDifficulty", "--pow-difficulty must be 32 bytes (64 hex digits)");
        }

        if (ScryptN < 2 || (ScryptN & (ScryptN - 1)) != 0)
        {
            throw new InvalidInputException("scryptN", $"-n {ScryptN}: scrypt N must be a power of two, at least 2");
        }

        if (ScryptR != 1 || ScryptP != 1)
        {
            throw new InvalidInputException("r", $"-r {ScryptR} -p {ScryptP}: only scrypt r = 1 and p = 1 are supported");
        }

        if (Threads < 0)
        {
            throw new InvalidInputException("threads", $"--threads {Threads}: must be 0 (all cores) or positive");
        }

        if (Nonces <= 0 || Nonces % 16 != 0 || Nonces > 4096)
        {
            throw new InvalidInputException("nonces", $"--nonces {Nonces}: must be a positive multiple of 16, at most 4096");
        }

        if (ReconnectInterval < TimeSpan.Zero)
        {
            throw new InvalidInputException("reconnectIntervalS", "--reconnect-interval-s must not be negative");
        }

        if (MaxRetries is < 0)
        {
            throw new InvalidInputException("maxRetries", $"--max-retries {MaxRetries}: must be 0 or more (failed connection attempts tolerated before giving up)");
        }

        if (PinnedCores is { } cores)
        {
            ValidatePinnedCores(cores);
        }

        if (RemoteK2Pow is { } k2pow && k2pow.Scheme != Uri.UriSchemeHttp && k2pow.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidInputException("remoteK2pow", $"--remote-k2pow {k2pow}: expected an http(s):// URL");
        }

        if (RemoteK2PowParallelism <= 0)
        {
            throw new InvalidInputException("remoteK2powParallelism", "--remote-k2pow-parallelism must be positive");
        }

        if (RemoteK2PowBackoff < TimeSpan.Zero)
        {
            throw new InvalidInputException("remoteK2powBackoff", "--remote-k2pow-backoff must not be negative");
        }

        if (WatchPid is <= 0)
        {
            throw new InvalidInputException("watchPid", $"--watch-pid {WatchPid}: a process id is at least 1");
        }
    }

    /// <summary>Checks that an identity's units are within [<see cref="MinNumUnits"/>, <see cref="MaxNumUnits"/>].</summary>
    public void ValidateUnits(PostMetadata metadata, string dataDir)
    {
        if (metadata.NumUnits < MinNumUnits || metadata.NumUnits > MaxNumUnits)
        {
            throw new InvalidInputException("minNumUnits", string.Create(CultureInfo.InvariantCulture,
                $"{Path.Combine(dataDir, PostMetadata.FileName)}: NumUnits {metadata.NumUnits} is outside [--min-num-units {MinNumUnits}, --max-num-units {MaxNumUnits}]"));
        }
    }

    private static void RequireFile(string path, string flag)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(flag, $"{flag} {path}: file not found");
        }
    }
}
