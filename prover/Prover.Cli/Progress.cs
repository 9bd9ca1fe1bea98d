using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Prover.Cli;

/// <summary>
/// Progress on stderr: a Spectre.Console bar when stderr is a terminal, otherwise a plain line every few seconds,
/// so stdout stays clean for machine-readable output.
/// </summary>
public sealed class ProgressDisplay
{
    private readonly bool _interactive;
    private readonly TimeSpan _plainInterval;

    public ProgressDisplay(bool? interactive = null, TimeSpan? plainInterval = null)
    {
        _interactive = interactive ?? !Console.IsErrorRedirected;
        _plainInterval = plainInterval ?? TimeSpan.FromSeconds(5);
    }

    public static IAnsiConsole Stderr { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    /// <summary>Runs <paramref name="work"/> with a callback (done, total, detail) that updates the display.</summary>
    public T Run<T>(string title, Func<Action<double, double, string>, T> work)
    {
        if (!_interactive)
        {
            var last = Stopwatch.StartNew();
            bool any = false;
            return work((done, total, detail) =>
            {
                if (!any || last.Elapsed >= _plainInterval || done >= total)
                {
                    any = true;
                    last.Restart();
                    double pct = total > 0 ? 100 * done / total : 0;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{title}: {pct,6:F2}%  {detail}"));
                }
            });
        }

        T result = default!;
        Stderr.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                result = work((done, total, detail) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = Math.Min(done, task.MaxValue);
                    task.Description = Markup.Escape($"{title} {detail}");
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:D2}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1}s");
}
