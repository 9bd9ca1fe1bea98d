using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Prover.Cli;

/// <summary>
/// Progress on stderr: a Spectre.Console bar when stderr is a terminal, otherwise a plain line every few seconds,
/// so stdout stays clean for machine-readable output. The display adds one ETA of its own (from the progress it has
/// seen), so the details a command passes carry none; the bar's line is cut to the terminal's width so it never wraps.
/// </summary>
public sealed class ProgressDisplay
{
    /// <summary>Width of the bar itself on an interactive terminal.</summary>
    public const int BarWidth = 20;

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
        var eta = new EtaEstimator();
        if (!_interactive)
        {
            var last = Stopwatch.StartNew();
            bool any = false;
            return work((done, total, detail) =>
            {
                string remaining = EtaSuffix(eta.Update(done, total));
                if (!any || last.Elapsed >= _plainInterval || done >= total)
                {
                    any = true;
                    last.Restart();
                    double pct = total > 0 ? 100 * done / total : 0;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{title}: {pct,6:F2}%  {detail}{remaining}"));
                }
            });
        }

        T result = default!;
        Stderr.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = BarWidth }, new PercentageColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(Fit(title, DescriptionWidth(Stderr.Profile.Width))), maxValue: 1);
                result = work((done, total, detail) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = Math.Min(done, task.MaxValue);
                    task.Description = Markup.Escape(Line(title, detail, eta.Update(done, total), DescriptionWidth(Stderr.Profile.Width)));
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>
    /// Room for the description on a terminal <paramref name="terminalWidth"/> columns wide, next to the bar, the
    /// percentage ("100%"), the spinner and the gaps between them (at least 10 columns).
    /// </summary>
    public static int DescriptionWidth(int terminalWidth) => Math.Max(10, terminalWidth - BarWidth - 4 - 2 - 6);

    /// <summary>
    /// The bar's description: "title detail, ETA eta" in at most <paramref name="width"/> characters; the detail is cut
    /// first, so the ETA stays visible on a narrow terminal.
    /// </summary>
    public static string Line(string title, string detail, string? eta, int width)
    {
        string suffix = EtaSuffix(eta);
        return suffix.Length * 2 > width ? Fit($"{title} {detail}", width) : Fit($"{title} {detail}", width - suffix.Length) + suffix;
    }

    /// <summary><paramref name="text"/> cut to <paramref name="width"/> characters, ending in "…" when cut.</summary>
    public static string Fit(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= width)
        {
            return text;
        }

        return width <= 1 ? text[..Math.Max(width, 0)] : string.Concat(text.AsSpan(0, width - 1), "…");
    }

    /// <summary>A byte count in B, KiB, MiB, GiB or TiB: "512 B", "1.50 KiB", "64.00 GiB".</summary>
    public static string Size(double bytes)
    {
        var (value, unit) = Scale(bytes, bytes);
        return unit == "B"
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F2} {unit}");
    }

    /// <summary>Progress in bytes, both in the unit of the total: "1.25/64.00 GiB".</summary>
    public static string Sizes(double doneBytes, double totalBytes)
    {
        var (total, unit) = Scale(totalBytes, totalBytes);
        var (done, _) = Scale(doneBytes, totalBytes);
        return unit == "B"
            ? string.Create(CultureInfo.InvariantCulture, $"{doneBytes:F0}/{totalBytes:F0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{done:F2}/{total:F2} {unit}");
    }

    /// <summary>
    /// Time left, two units at most: "2d 03h", "5h 12m", "4m 05s", "42s"; "> 999d" beyond; null when unknown
    /// (no progress yet, or a negative, infinite or NaN estimate).
    /// </summary>
    public static string? Eta(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds < 0)
        {
            return null;
        }

        if (seconds >= 1000 * 86400.0)
        {
            return "> 999d";
        }

        long s = (long)Math.Ceiling(seconds);
        long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
        return d > 0 ? string.Create(CultureInfo.InvariantCulture, $"{d}d {h:D2}h")
            : h > 0 ? string.Create(CultureInfo.InvariantCulture, $"{h}h {m:D2}m")
            : m > 0 ? string.Create(CultureInfo.InvariantCulture, $"{m}m {sec:D2}s")
            : string.Create(CultureInfo.InvariantCulture, $"{sec}s");
    }

    /// <summary>
    /// The progress detail of label work (init): bytes of labels done and in all, and the speed, e.g.
    /// "1.25/64.00 GiB, 13.28 MiB/s" (with the ETA the display adds, it fits next to the bar on 80 columns).
    /// </summary>
    public static string LabelsDetail(double labelsDone, double labelsTotal, double labelsPerSecond) =>
        $"{Sizes(labelsDone * LabelBytes, labelsTotal * LabelBytes)}, {Size(labelsPerSecond * LabelBytes)}/s";

    public static string Duration(TimeSpan t) => t.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d{t.Hours:D2}h{t.Minutes:D2}m")
        : t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
            : t.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:D2}s")
                : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1}s");

    private const double LabelBytes = 16;

    private static string EtaSuffix(string? eta) => eta is null ? "" : $", ETA {eta}";

    private static (double Value, string Unit) Scale(double bytes, double magnitude)
    {
        magnitude = Math.Abs(magnitude);
        return magnitude >= 1L << 40 ? (bytes / (1L << 40), "TiB")
            : magnitude >= 1 << 30 ? (bytes / (1 << 30), "GiB")
            : magnitude >= 1 << 20 ? (bytes / (1 << 20), "MiB")
            : magnitude >= 1 << 10 ? (bytes / (1 << 10), "KiB")
            : (bytes, "B");
    }

    /// <summary>
    /// Seconds left from the progress seen since the first report (or since progress went backwards, e.g. a new
    /// proving pass); unknown until a second has passed with progress.
    /// </summary>
    private sealed class EtaEstimator
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _startDone = double.NaN;
        private double _lastDone;
        private TimeSpan _startTime;

        public string? Update(double done, double total)
        {
            if (double.IsNaN(_startDone) || done < _lastDone)
            {
                _startDone = done;
                _startTime = _clock.Elapsed;
            }

            _lastDone = done;
            if (done >= total)
            {
                return null;
            }

            double seconds = (_clock.Elapsed - _startTime).TotalSeconds;
            double rate = seconds >= 1 ? (done - _startDone) / seconds : 0;
            return rate > 0 ? Eta((total - done) / rate) : null;
        }
    }
}
