using System.Globalization;
using System.Text;

namespace Prover.Bench.Core;

/// <summary>One metric present in both runs.</summary>
public sealed record BenchComparison(string Key, string Unit, double A, double B, bool HigherIsBetter)
{
    /// <summary>B / A (0 when A is 0).</summary>
    public double Ratio => A != 0 ? B / A : 0;

    /// <summary>True when B is better than A (higher for rates, lower for times).</summary>
    public bool BIsBetter => HigherIsBetter ? B > A : B < A;
}

/// <summary><c>post bench compare A.json B.json</c>: ratios B/A per metric key, and the keys only one run has.</summary>
public sealed record BenchCompareResult(IReadOnlyList<BenchComparison> Common, IReadOnlyList<string> OnlyInA, IReadOnlyList<string> OnlyInB)
{
    public static BenchCompareResult Compare(IReadOnlyList<BenchMetric> a, IReadOnlyList<BenchMetric> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byKeyB = b.GroupBy(m => m.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var keysA = new HashSet<string>(a.Select(m => m.Key), StringComparer.Ordinal);
        var common = new List<BenchComparison>();
        foreach (var m in a.GroupBy(m => m.Key, StringComparer.Ordinal).Select(g => g.First()))
        {
            if (byKeyB.TryGetValue(m.Key, out var other))
            {
                common.Add(new BenchComparison(m.Key, m.Unit, m.Value, other.Value, m.HigherIsBetter));
            }
        }

        return new BenchCompareResult(
            common,
            [.. a.Select(m => m.Key).Distinct(StringComparer.Ordinal).Where(k => !byKeyB.ContainsKey(k))],
            [.. b.Select(m => m.Key).Distinct(StringComparer.Ordinal).Where(k => !keysA.Contains(k))]);
    }

    /// <summary>A plain-text table: metric, A, B, B/A and whether B is better.</summary>
    public string ToText(string nameA, string nameB)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"A = {nameA}\nB = {nameB}\n\n");
        int width = Math.Max(6, Common.Count == 0 ? 0 : Common.Max(c => c.Key.Length));
        text.Append(CultureInfo.InvariantCulture, $"{"metric".PadRight(width)}  {"A",16}  {"B",16}  {"B/A",8}\n");
        foreach (var c in Common)
        {
            string verdict = c.A == c.B ? "" : c.BIsBetter ? "  B better" : "  B worse";
            text.Append(CultureInfo.InvariantCulture,
                $"{c.Key.PadRight(width)}  {Value(c.A, c.Unit),16}  {Value(c.B, c.Unit),16}  {c.Ratio,8:F3}{verdict}\n");
        }

        if (OnlyInA.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nmissing in B ({OnlyInA.Count}):\n");
            foreach (string key in OnlyInA)
            {
                text.Append("  ").Append(key).Append('\n');
            }
        }

        if (OnlyInB.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nmissing in A ({OnlyInB.Count}):\n");
            foreach (string key in OnlyInB)
            {
                text.Append("  ").Append(key).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Value(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{(Math.Abs(value) >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture) : value.ToString("G4", CultureInfo.InvariantCulture))} {unit}");
}
