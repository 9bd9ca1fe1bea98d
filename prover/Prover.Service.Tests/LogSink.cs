using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prover.Service.Tests;

/// <summary>Keeps every log line of the service under test in memory (and echoes it to the test output on failure).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public bool Contains(string fragment) => _lines.Any(l => l.Contains(fragment, StringComparison.Ordinal));

    public async Task WaitForAsync(string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Contains(fragment))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no log line containing '{fragment}' within {timeout}; log:\n{Dump()}");
            }

            await Task.Delay(20);
        }
    }

    public string Dump() => string.Join('\n', _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += $" [{exception.GetType().Name}: {exception.Message}]";
            }

            sink._lines.Enqueue(line);
        }
    }
}
