using System.Globalization;
using System.Text.RegularExpressions;

namespace Prover.Core.Data;

/// <summary>
/// How labels are spread over <c>postdata_N.bin</c> files (spec §3.4): file k holds labels
/// [k·labelsPerFile, min((k+1)·labelsPerFile, total)), raw 16-byte labels, no header.
/// </summary>
public readonly partial record struct PostDataLayout(ulong TotalLabels, ulong LabelsPerFile)
{
    public const int LabelSize = 16;

    public int NumFiles => LabelsPerFile == 0 ? 0 : checked((int)((TotalLabels + LabelsPerFile - 1) / LabelsPerFile));

    public ulong FirstLabel(int file) => (ulong)file * LabelsPerFile;

    public ulong LabelsInFile(int file)
    {
        ulong first = FirstLabel(file);
        return first >= TotalLabels ? 0 : Math.Min(LabelsPerFile, TotalLabels - first);
    }

    public int FileOf(ulong labelIndex) => checked((int)(labelIndex / LabelsPerFile));

    public static string FileName(int file) => string.Create(CultureInfo.InvariantCulture, $"postdata_{file}.bin");

    /// <summary>The postdata files present in a directory, sorted by their number (as post-rs's reader does).</summary>
    public static IReadOnlyList<(int Index, string Path)> ListFiles(string dataDir)
    {
        var files = new List<(int, string)>();
        foreach (var path in Directory.EnumerateFiles(dataDir))
        {
            var m = FilePattern().Match(Path.GetFileName(path));
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                files.Add((n, path));
            }
        }

        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    [GeneratedRegex(@"^postdata_(\d+)\.bin$")]
    private static partial Regex FilePattern();
}
