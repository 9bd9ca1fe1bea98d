using Microsoft.Extensions.Logging;

namespace Prover.Kernels;

/// <summary>
/// Every log line of provider discovery (<see cref="ProviderCatalog"/>), as compile-time generated
/// <see cref="ILogger"/> calls. Event ids 200–299 belong to the kernels.
/// </summary>
internal static partial class CatalogLog
{
    [LoggerMessage(200, LogLevel.Warning, "cpu: no hardware SIMD acceleration; the CPU provider runs its scalar path")]
    public static partial void ScalarCpu(this ILogger logger);

    [LoggerMessage(201, LogLevel.Warning, "{Backend}: device {DeviceIndex} ({DeviceName}) skipped: {ErrorType}: {ErrorMessage}")]
    public static partial void DeviceSkipped(this ILogger logger, string backend, int deviceIndex, string deviceName,
        string errorType, string errorMessage);

    [LoggerMessage(202, LogLevel.Information, "{Backend}: no device found")]
    public static partial void NoDevice(this ILogger logger, string backend);

    [LoggerMessage(203, LogLevel.Information, "{Backend}: unavailable ({Reason})")]
    public static partial void BackendUnavailable(this ILogger logger, string backend, string reason);
}

/// <summary>
/// Passes every entry on to a logger and keeps its formatted text, so that the catalog's
/// <see cref="ProviderCatalog.Notes"/> are exactly the lines it logged.
/// </summary>
internal sealed class NoteRecorder(ILogger inner) : ILogger
{
    /// <summary>The formatted messages, in order.</summary>
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        Lines.Add(formatter(state, exception));
        inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
