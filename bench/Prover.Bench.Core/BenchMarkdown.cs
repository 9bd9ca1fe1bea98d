using System.Globalization;
using System.Text;

namespace Prover.Bench.Core;

/// <summary><c>bench.md</c>: the machine and every measurement as Markdown tables, ready to paste.</summary>
public static class BenchMarkdown
{
    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var m = report.Machine;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        Line(F($"### post bench: {m.CpuModel}, {report.Started:yyyy-MM-dd}"));
        Line();
        if (report.Interrupted)
        {
            Line("**Interrupted** (Ctrl-C/SIGTERM): only the parts below were measured.");
            Line();
        }

        Line("| machine | |");
        Line("|---|---|");
        Line(F($"| CPU | {Cell(m.CpuModel)}, {m.LogicalCores} logical cores, SIMD {m.Simd} ({m.CpuFeatures}), AES {m.Aes} |"));
        Line(F($"| memory | {m.MemoryBytes / (double)(1L << 30):F1} GiB |"));
        Line(m.Gpus.Count == 0
            ? $"| GPU | none ({Cell(string.Join("; ", m.GpuNotes))}) |"
            : $"| GPU | {Cell(string.Join("; ", m.Gpus.Select(g => F($"{g.Id} {g.Name}, {g.MemoryBytes / (double)(1L << 30):F1} GiB{(g.Driver is null ? "" : ", driver " + g.Driver)}"))))} |");
        Line($"| OS | {Cell(m.Os)} |");
        Line($"| runtime | {Cell(m.Runtime)} |");
        Line($"| post | {Cell(m.ProjectVersion)}{(m.GitDescribe is null ? "" : $" (git {Cell(m.GitDescribe)})")} |");
        Line($"| disk | {Cell(m.Disk)} |");
        Line(F($"| run | --duration {s.Duration:0.##} s, {s.Repetitions} repetitions, {report.ElapsedSeconds:F0} s in all (planned ≈ {report.PlannedSeconds:F0} s) |"));
        if (report.LoadAverageStart is not null)
        {
            Line($"| load average (1/5/15 min) | {report.LoadAverageStart} before, {report.LoadAverageEnd} after |");
        }
        Line();

        if (report.Init.Count > 0)
        {
            Line(F($"**Initialization** (scrypt N={s.ScryptN}; median of the timed repetitions after a warm-up; each provider checked against the scalar reference first; Initializer = a real `post init` run of the same provider)"));
            Line();
            Line("| provider | device | status | labels/s | repetitions | spread (max−min) | MiB/s | h per 64 GiB unit | h per 256 GiB (4 units) | Initializer labels/s |");
            Line("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in report.Init)
            {
                string name = Cell(r.Name) + (r.Tuning is null ? "" : $" ({Cell(r.Tuning)})") + (r.BudgetNote is null ? "" : " *");
                Line(r.LabelsPerSecond is { } rate && BenchStatus.IsOk(r.Status)
                    ? F($"| {r.Provider} | {name} | ok | {rate.Median:F0} | {r.Repetitions.Count} | {rate.SpreadPercent:F1}% | {Number(r.MiBPerSecond)} | {r.HoursPerUnit:F1} | {r.HoursPerMinimum:F1} | {(r.Initializer is { } i ? i.LabelsPerSecond.ToString("F0", CultureInfo.InvariantCulture) : "–")} |")
                    : $"| {r.Provider} | {name} | {Cell(r.Status)} | – | {r.Repetitions.Count} | – | – | – | – | – |");
            }

            foreach (var r in report.Init.Where(r => r.BudgetNote is not null))
            {
                Line();
                Line($"\\* {r.Provider}: {Cell(r.BudgetNote!)}.");
            }

            Line();
        }

        if (report.Proving is { } p)
        {
            Line($"**Proving** ({Cell(p.Scanner)}, difficulty 0 as in `post profile`, {p.DataBytes >> 20} MiB per pass; status {Cell(p.Status)}; file passes with the page cache dropped by {Cell(p.CacheDropMethod)})");
            Line();
            Line("| source | nonces | threads | GiB/s | passes |");
            Line("|---|---:|---:|---:|---:|");
            foreach (var c in p.Configs)
            {
                Line(BenchStatus.IsOk(c.Status)
                    ? F($"| {c.Source} | {c.Nonces} | {c.Threads} | {c.GiBPerSecond:F3} | {c.Passes} |")
                    : $"| {c.Source} | {c.Nonces} | {c.Threads} | {Cell(c.Status)} | {c.Passes} |");
            }

            Line();
        }

        if (report.K2Pow is { } k)
        {
            int all = s.ThreadCounts[^1];
            Line(F($"**k2pow** (RandomX; {k.ExpectedHashesPerGroup:F0} hashes expected per nonce group for {k.NumUnits} units at the mainnet difficulty; minutes of k2pow per proving pass with {all} thread(s))"));
            Line();
            string nonceHeader = string.Join(" | ", s.Nonces.Select(n => $"min per pass, {n} nonces"));
            Line($"| mode | status | init s | hashes/s, 1 thread | hashes/s, {all} threads | {nonceHeader} |");
            Line($"|---|---|---:|---:|---:|{string.Concat(s.Nonces.Select(_ => "---:|"))}");
            foreach (var mode in k.Modes)
            {
                string one = mode.Rates.FirstOrDefault(r => r.Threads == 1) is { } r1 ? r1.HashesPerSecond.ToString("F1", CultureInfo.InvariantCulture) : "–";
                string many = mode.Rates.LastOrDefault() is { } rn ? rn.HashesPerSecond.ToString("F1", CultureInfo.InvariantCulture) : "–";
                string minutes = string.Join(" | ", s.Nonces.Select(n => mode.MinutesPerProof.TryGetValue(n, out double v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "–"));
                Line(F($"| {mode.Mode} | {Cell(mode.Status)} | {(BenchStatus.IsOk(mode.Status) ? mode.InitSeconds.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {one} | {many} | {minutes} |"));
            }

            Line();
        }

        if (report.Verification is { } v)
        {
            Line($"**Verification** (status {Cell(v.Status)}): {Cell(v.What)}");
            Line();
            Line("| mode | labels recomputed | median ms | min ms | max ms | runs |");
            Line("|---|---:|---:|---:|---:|---:|");
            foreach (var mode in v.Modes)
            {
                Line(F($"| {mode.Mode} | {mode.LabelsChecked} | {mode.Seconds.Median * 1000:F1} | {mode.Seconds.Min * 1000:F1} | {mode.Seconds.Max * 1000:F1} | {mode.Runs} |"));
            }

            Line();
        }

        foreach (string note in report.Notes)
        {
            Line($"- {Cell(note)}");
        }

        return md.ToString();
    }

    private static string Number(double value) => value >= 10
        ? value.ToString("F1", CultureInfo.InvariantCulture)
        : value.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Text safe inside a table cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
