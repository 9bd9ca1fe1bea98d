using System.Globalization;
using System.Text;

namespace Prover.Bench.Core;

/// <summary>
/// <c>bench.svg</c>: hand-written SVG with two horizontal bar charts, initialization throughput per provider
/// (labels/s) and proving throughput per configuration (GiB/s), each with a labelled value axis.
/// </summary>
public static class BenchSvg
{
    private const int Width = 860;
    private const int LabelWidth = 260;
    private const int PlotWidth = Width - LabelWidth - 90;
    private const int BarHeight = 18;
    private const int BarGap = 6;

    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var init = report.Init
            .Select(r => (Label: r.Provider, Value: BenchStatus.IsOk(r.Status) ? r.LabelsPerSecond?.Median : null,
                Text: BenchStatus.IsOk(r.Status) && r.LabelsPerSecond is { } v ? Fmt(v.Median, "F0") : r.Status, Class: "init"))
            .ToList();
        var proving = (report.Proving?.Configs ?? [])
            .Select(c => (Label: $"{c.Source} · {c.Nonces} nonces · {c.Threads} thread{(c.Threads == 1 ? "" : "s")}",
                Value: BenchStatus.IsOk(c.Status) ? (double?)c.GiBPerSecond : null,
                Text: BenchStatus.IsOk(c.Status) ? Fmt(c.GiBPerSecond, "F3") : c.Status,
                Class: c.Source == "file" ? "file" : "memory"))
            .ToList();

        var body = new StringBuilder();
        int y = 20;
        body.Append(Text(Width / 2, y, "title", "middle",
            $"post bench: {report.Machine.CpuModel}, {report.Machine.LogicalCores} cores, {report.Started:yyyy-MM-dd}{(report.Interrupted ? " (interrupted)" : "")}"));
        y += 20;
        y = Panel(body, y, $"Initialization, scrypt N={report.Settings.ScryptN} (median labels/s)", "labels/s", init);
        y = Panel(body, y + 10, "Proving, difficulty 0 as post profile (GiB/s; file = page cache dropped)", "GiB/s", proving);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{y + 10}\" viewBox=\"0 0 {Width} {y + 10}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<style>.title{font-size:15px;font-weight:bold}.panel{font-size:13px;font-weight:bold}.axis{stroke:#444;stroke-width:1}")
            .Append(".grid{stroke:#ddd;stroke-width:1}.init{fill:#4c78a8}.memory{fill:#54a24b}.file{fill:#f58518}.failed{fill:#c00}.axis-label{font-weight:bold}</style>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{y + 10}\" fill=\"white\"/>\n");
        svg.Append(body);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static int Panel(StringBuilder svg, int y, string title, string unit,
        List<(string Label, double? Value, string Text, string Class)> bars)
    {
        svg.Append(Text(10, y + 14, "panel", "start", title));
        y += 24;
        if (bars.Count == 0)
        {
            svg.Append(Text(LabelWidth, y + 12, "", "start", "not measured"));
            return y + 24;
        }

        double max = NiceCeiling(bars.Max(b => b.Value ?? 0));
        int top = y;
        int height = bars.Count * (BarHeight + BarGap);
        // Grid and ticks.
        for (int i = 0; i <= 4; i++)
        {
            double x = LabelWidth + (PlotWidth * i / 4.0);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line class=\"grid\" x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{top + height}\"/>\n");
            svg.Append(Text(x, top + height + 14, "", "middle", Tick(max * i / 4)));
        }

        foreach (var (label, value, text, cls) in bars)
        {
            svg.Append(Text(LabelWidth - 6, y + 13, "", "end", label));
            if (value is { } v)
            {
                double w = max > 0 ? PlotWidth * v / max : 0;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar {cls}\" x=\"{LabelWidth}\" y=\"{y}\" width=\"{w:F1}\" height=\"{BarHeight}\"><title>{Escape(label)}: {Escape(text)} {Escape(unit)}</title></rect>\n");
                svg.Append(Text(LabelWidth + w + 4, y + 13, "", "start", $"{text} {unit}"));
            }
            else
            {
                svg.Append(Text(LabelWidth + 4, y + 13, "failed", "start", text));
            }

            y += BarHeight + BarGap;
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"axis\" x1=\"{LabelWidth}\" y1=\"{top + height}\" x2=\"{LabelWidth + PlotWidth}\" y2=\"{top + height}\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"axis\" x1=\"{LabelWidth}\" y1=\"{top}\" x2=\"{LabelWidth}\" y2=\"{top + height}\"/>\n");
        svg.Append(Text(LabelWidth + (PlotWidth / 2.0), top + height + 30, "axis-label", "middle", unit));
        return top + height + 40;
    }

    /// <summary>The smallest 1, 2 or 5 × 10^k at or above <paramref name="value"/> (1 for nothing to show).</summary>
    internal static double NiceCeiling(double value)
    {
        if (!(value > 0))
        {
            return 1;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Tick(double value) => value switch
    {
        0 => "0",
        >= 100 => Fmt(value, "F0"),
        >= 1 => Fmt(value, "0.##"),
        _ => Fmt(value, "0.###"),
    };

    private static string Fmt(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Text(double x, double y, string cls, string anchor, string text) =>
        string.Create(CultureInfo.InvariantCulture,
            $"<text{(cls.Length > 0 ? $" class=\"{cls}\"" : "")} x=\"{x:F1}\" y=\"{y:F1}\" text-anchor=\"{anchor}\">{Escape(text)}</text>\n");

    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
