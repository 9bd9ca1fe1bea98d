using Microsoft.Extensions.Logging;

namespace Prover.Cli;

/// <summary>
/// The CLI's logging: the library components (initializer, provider catalog, bench runner) log through
/// <see cref="ILogger{TCategoryName}"/>; on the command line each message is one plain line on standard error, as the
/// commands always printed them, without level or category prefixes.
/// </summary>
public static class CliLogging
{
    /// <summary>A logger factory whose only provider is <see cref="PlainLineLoggerProvider"/> at <paramref name="minimum"/>.</summary>
    public static ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Information, TextWriter? writer = null) =>
        new LoggerFactory([new PlainLineLoggerProvider(writer)], new LoggerFilterOptions { MinLevel = minimum });
}

/// <summary>
/// Writes each log message, formatted by its template and nothing else, as one line to a writer (standard error
/// unless told otherwise, looked up at each write so that a redirected <see cref="Console.Error"/> is honoured).
/// An exception attached to an entry follows on the next line as <c>  type: message</c>.
/// </summary>
public sealed class PlainLineLoggerProvider(TextWriter? writer = null) : ILoggerProvider
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new PlainLineLogger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string line, Exception? exception)
    {
        TextWriter target = writer ?? Console.Error;
        lock (_gate)
        {
            target.WriteLine(line);
            if (exception is not null)
            {
                target.WriteLine($"  {exception.GetType().Name}: {exception.Message}");
            }
        }
    }

    private sealed class PlainLineLogger(PlainLineLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(formatter(state, exception), exception);
            }
        }
    }
}
