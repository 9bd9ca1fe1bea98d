using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prover.Node.Tests.Activation;

/// <summary>Keeps log lines (with a timestamp) so a failing test can show what the builders did.</summary>
internal sealed class CollectingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}");

    public override string ToString() => string.Join("\n", _lines);
}
