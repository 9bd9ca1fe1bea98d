using Microsoft.Extensions.Logging;

namespace Prover.Core.Tests;

/// <summary>One entry a component logged: level, event id, the formatted message and the structured fields.</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>An <see cref="ILogger{TCategoryName}"/> that keeps every entry, for tests of what a component logs.</summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                fields[key] = value;
            }
        }

        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, eventId, formatter(state, exception), fields));
        }
    }
}
