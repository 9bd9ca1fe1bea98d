using Microsoft.Extensions.Logging;

namespace Prover.Bench.Core;

/// <summary>
/// Every log line of <c>post bench</c> (<see cref="BenchRunner"/> and its phases), as compile-time generated
/// <see cref="ILogger"/> calls. Event ids 300–399 belong to the bench. Numbers are formatted with the invariant culture.
/// </summary>
internal static partial class BenchLog
{
    [LoggerMessage(300, LogLevel.Information, "[{Clock}] {Phase}")]
    public static partial void Phase(this ILogger logger, string clock, string phase);

    [LoggerMessage(301, LogLevel.Warning, "interrupted: writing what was measured so far")]
    public static partial void Interrupted(this ILogger logger);

    [LoggerMessage(302, LogLevel.Warning, "  {Subject}: {Status}")]
    public static partial void PhaseStatus(this ILogger logger, string subject, string status);

    [LoggerMessage(303, LogLevel.Information, "  {Subject}: {Text}")]
    public static partial void Note(this ILogger logger, string subject, string text);

    [LoggerMessage(304, LogLevel.Information, "  {Check}")]
    public static partial void Check(this ILogger logger, string check);

    [LoggerMessage(310, LogLevel.Information,
        "  {Provider}: repetition {Repetition}/{Repetitions}: {Labels} labels in {Seconds:F2} s = {LabelsPerSecond:F0} labels/s")]
    public static partial void InitRepetition(this ILogger logger, string provider, int repetition, int repetitions,
        ulong labels, double seconds, double labelsPerSecond);

    [LoggerMessage(311, LogLevel.Information,
        "  {Provider}: median {LabelsPerSecond:F0} labels/s ({MiBPerSecond:F3} MiB/s, spread {SpreadPercent:F1}%), {HoursPerUnit:F1} h per 64 GiB unit")]
    public static partial void InitMedian(this ILogger logger, string provider, double labelsPerSecond, double mibPerSecond,
        double spreadPercent, double hoursPerUnit);

    [LoggerMessage(312, LogLevel.Information,
        "  {Provider}: Initializer wrote {Labels} labels in {Seconds:F2} s = {LabelsPerSecond:F0} labels/s (what post init --json reports)")]
    public static partial void InitializerRun(this ILogger logger, string provider, ulong labels, double seconds,
        double labelsPerSecond);

    [LoggerMessage(320, LogLevel.Information, "  wrote {MiB} MiB of random labels to {File} in {Seconds:F2} s")]
    public static partial void ProvingDataWritten(this ILogger logger, int mib, string file, double seconds);

    [LoggerMessage(321, LogLevel.Information,
        "  {Source,-6} {Nonces,4} nonces, {Threads,2} thread(s): {GiBPerSecond:F3} GiB/s ({Passes} pass(es), {Seconds:F2} s)")]
    public static partial void ProvingConfig(this ILogger logger, string source, int nonces, int threads, double gibPerSecond,
        int passes, double seconds);

    [LoggerMessage(330, LogLevel.Information,
        "  {Mode}: {Threads} thread(s): {Hashes} hashes in {Seconds:F2} s = {HashesPerSecond:F1} hashes/s")]
    public static partial void K2PowRate(this ILogger logger, string mode, int threads, ulong hashes, double seconds,
        double hashesPerSecond);

    [LoggerMessage(331, LogLevel.Information, "  fast: RandomX dataset {Percent}%")]
    public static partial void DatasetProgress(this ILogger logger, int percent);

    [LoggerMessage(332, LogLevel.Information, "  fast: dataset built in {Seconds:F1} s")]
    public static partial void DatasetBuilt(this ILogger logger, double seconds);

    [LoggerMessage(340, LogLevel.Information,
        "  dataset of {Labels} labels at N={ScryptN} in {InitSeconds:F2} s; proof (nonce {Nonce}, pow {Pow}) in {ProveSeconds:F2} s")]
    public static partial void VerifySample(this ILogger logger, ulong labels, ulong scryptN, double initSeconds, uint nonce,
        ulong pow, double proveSeconds);

    [LoggerMessage(341, LogLevel.Information, "  verify {Mode} ({Labels} label(s)): median {MedianMs:F1} ms over {Runs} run(s)")]
    public static partial void VerifyMode(this ILogger logger, string mode, int labels, double medianMs, int runs);
}
