using Microsoft.Extensions.Logging;

namespace Prover.Service;

/// <summary>Every log line of the service, as compile-time generated <see cref="ILogger"/> calls.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "[{Id}] serving {DataDir}: {NumUnits} units × {LabelsPerUnit} labels, commitment ATX {Atx}")]
    public static partial void Serving(this ILogger logger, string id, string dataDir, uint numUnits, ulong labelsPerUnit, string atx);

    [LoggerMessage(2, LogLevel.Information, "[{Id}] connecting to {Address}")]
    public static partial void Connecting(this ILogger logger, string id, Uri address);

    [LoggerMessage(3, LogLevel.Information, "[{Id}] connected to the node: Register stream open")]
    public static partial void Connected(this ILogger logger, string id);

    [LoggerMessage(4, LogLevel.Warning, "[{Id}] connection to {Address} failed (attempt {Attempt}): {Reason}")]
    public static partial void ConnectFailed(this ILogger logger, string id, Uri address, int attempt, string reason);

    [LoggerMessage(5, LogLevel.Warning, "[{Id}] stream to the node ended: {Reason}; reconnecting in {Delay}")]
    public static partial void StreamEnded(this ILogger logger, string id, string reason, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Error, "[{Id}] giving up after {Attempts} failed connection attempts (--max-retries)")]
    public static partial void GivingUp(this ILogger logger, string id, int attempts);

    [LoggerMessage(7, LogLevel.Debug, "[{Id}] request {Kind}")]
    public static partial void Request(this ILogger logger, string id, string kind);

    [LoggerMessage(8, LogLevel.Information, "[{Id}] proof generation started for challenge {Challenge}")]
    public static partial void ProvingStarted(this ILogger logger, string id, string challenge);

    [LoggerMessage(9, LogLevel.Warning, "[{Id}] refused GenProofRequest: {Reason}")]
    public static partial void Refused(this ILogger logger, string id, string reason);

    [LoggerMessage(10, LogLevel.Error, "[{Id}] proof generation failed: {Reason}")]
    public static partial void ProvingFailed(this ILogger logger, string id, string reason, Exception? exception);

    [LoggerMessage(11, LogLevel.Error, "[{Id}] our proof does not verify, not sending it: {Reason}")]
    public static partial void SelfCheckFailed(this ILogger logger, string id, string reason);

    [LoggerMessage(12, LogLevel.Information, "[{Id}] proof sent: nonce {Nonce}, pow {Pow}, found in {Elapsed}")]
    public static partial void ProofSent(this ILogger logger, string id, uint nonce, ulong pow, TimeSpan elapsed);

    [LoggerMessage(13, LogLevel.Information, "[{Id}] pass {Pass}: nonces {Start}..{End}")]
    public static partial void Pass(this ILogger logger, string id, int pass, uint start, uint end);

    [LoggerMessage(14, LogLevel.Warning, "[{Id}] request with no known kind answered with GEN_PROOF_STATUS_ERROR")]
    public static partial void UnknownRequest(this ILogger logger, string id);

    [LoggerMessage(15, LogLevel.Warning, "[{Id}] the node refused the connection: {Reason}; retrying in {Delay}")]
    public static partial void RegisterRefused(this ILogger logger, string id, string reason, TimeSpan delay);

    [LoggerMessage(20, LogLevel.Error, "TLS: the node presented no certificate")]
    public static partial void TlsNoCertificate(this ILogger logger);

    [LoggerMessage(21, LogLevel.Error, "TLS: the node's certificate '{Subject}' does not match the expected server name '{Name}' (set --domain to the name in its certificate)")]
    public static partial void TlsNameMismatch(this ILogger logger, string subject, string name);

    [LoggerMessage(22, LogLevel.Error, "TLS: the node's certificate '{Subject}' (issuer '{Issuer}') is not trusted by the CA in --ca-cert {CaFile}: {Status}")]
    public static partial void TlsUntrusted(this ILogger logger, string subject, string issuer, string caFile, string status);

    [LoggerMessage(23, LogLevel.Information, "TLS: client certificate '{Subject}', trusting CA '{Ca}', server name '{Name}'")]
    public static partial void TlsConfigured(this ILogger logger, string subject, string ca, string name);

    [LoggerMessage(30, LogLevel.Information, "operator API listening on http://{Endpoint} (GET /status, /status/{{node_id}}, /metrics)")]
    public static partial void OperatorListening(this ILogger logger, string endpoint);

    [LoggerMessage(31, LogLevel.Warning, "watched process {Pid} has exited: stopping")]
    public static partial void WatchedProcessGone(this ILogger logger, int pid);

    [LoggerMessage(32, LogLevel.Information, "RandomX {Mode} context ready in {Elapsed}")]
    public static partial void RandomXReady(this ILogger logger, string mode, TimeSpan elapsed);

    [LoggerMessage(33, LogLevel.Information, "stopping")]
    public static partial void Stopping(this ILogger logger);
}
