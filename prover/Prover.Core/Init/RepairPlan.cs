using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// What one <c>init</c> run does with each file of its range, decided from the disk before anything is written:
/// keep it (complete, and unchanged or matching its block checksums), recompute only its damaged 1 MiB blocks in place
/// (a finished file with checksums that was altered or cut short), or extend it from where its trusted labels stop
/// (the file being written when the last run stopped, a finished file without checksums that was cut short, a missing
/// file). Intact files are never deleted or rewritten. Things that cannot be repaired safely (a directory where a
/// file belongs, a file larger than the layout allows, data of unknown origin after an incomplete file) are refused
/// together, with nothing changed.
/// </summary>
internal sealed class RepairPlan
{
    /// <summary>Labels [Start, End) to compute; in place (overwrite blocks) or appended from Start.</summary>
    public readonly record struct Segment(ulong Start, ulong End, bool InPlace);

    private enum Action
    {
        Keep,
        RepairBlocks,
        Extend,
    }

    private sealed class Entry
    {
        public required int File { get; init; }
        public required string Path { get; init; }
        public required ulong First { get; init; }
        public required ulong Labels { get; init; }
        public required long Size { get; init; }
        public FileSums? Sums { get; init; }
        public bool SumsTouched { get; set; }
        public Action Action { get; set; }
        public bool BeyondFrontier { get; set; }

        /// <summary>For <see cref="Action.Extend"/>: labels at the start of the file that are kept.</summary>
        public ulong KeptLabels { get; set; }

        public List<int> DamagedBlocks { get; } = [];

        public ulong DoneAt { get; set; }

        public long ExpectedBytes => (long)Labels * PostDataLayout.LabelSize;
    }

    private readonly string _dataDir;
    private readonly PostDataLayout _layout;
    private readonly string _commitment;
    private readonly ulong _scryptN;
    private readonly ILogger _log;
    private readonly List<Entry> _entries;
    private readonly Queue<Entry> _pending;
    private readonly ulong _rangeStart;
    private readonly ulong _rangeEnd;

    private RepairPlan(string dataDir, PostDataLayout layout, string commitment, ulong scryptN, ILogger log,
        List<Entry> entries, ulong frontier)
    {
        _dataDir = dataDir;
        _layout = layout;
        _commitment = commitment;
        _scryptN = scryptN;
        _log = log;
        _entries = entries;
        _rangeStart = entries[0].First;
        _rangeEnd = entries[^1].First + entries[^1].Labels;
        Segments = BuildSegments(entries);
        _pending = new Queue<Entry>(entries.Where(e => e.Action != Action.Keep));
        Frontier = SkipKept(frontier);
        WorkLabels = Segments.Aggregate(0UL, (sum, s) => sum + (s.End - s.Start));
    }

    /// <summary>The work of this run in label order.</summary>
    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>The in-order resume point: every label of the range below it is on disk (or being repaired).</summary>
    public ulong Frontier { get; }

    public ulong WorkLabels { get; }

    /// <summary>Bytes the files must still grow by.</summary>
    public ulong BytesToGrow => _entries.Aggregate(0UL, (sum, e) => sum + (ulong)Math.Max(0, e.ExpectedBytes - Math.Min(e.Size, e.ExpectedBytes)));

    /// <summary>Files this run repaired (file names), for the summary.</summary>
    public List<string> RepairedFiles { get; } = [];

    public static RepairPlan Survey(string dataDir, PostDataLayout layout, int from, int to, string commitment,
        ulong scryptN, ulong? stateNext, ILogger log, CancellationToken ct)
    {
        var problems = new List<string>();
        var entries = new List<Entry>();
        for (int f = from; f <= to; f++)
        {
            var path = System.IO.Path.Combine(dataDir, PostDataLayout.FileName(f));
            long expected = (long)layout.LabelsInFile(f) * PostDataLayout.LabelSize;
            long size = 0;
            if (Directory.Exists(path))
            {
                problems.Add($"{path} is a directory where a postdata file belongs: move it away");
            }
            else if (File.Exists(path))
            {
                size = new FileInfo(path).Length;
                if (size > expected)
                {
                    problems.Add($"{path} is {size} bytes, larger than the {expected} bytes this layout puts in it");
                }
            }

            entries.Add(new Entry
            {
                File = f,
                Path = path,
                First = layout.FirstLabel(f),
                Labels = layout.LabelsInFile(f),
                Size = size,
                Sums = FileSums.TryLoad(dataDir, f, commitment, scryptN, expected),
            });
        }

        Refuse(problems);

        ulong rangeStart = entries[0].First;
        ulong rangeEnd = entries[^1].First + entries[^1].Labels;
        ulong frontier = stateNext is { } next
            ? Math.Clamp(next, rangeStart, rangeEnd)
            : entries.FirstOrDefault(e => e.Size < e.ExpectedBytes) is { } shortFile
                ? shortFile.First + (ulong)shortFile.Size / PostDataLayout.LabelSize
                : rangeEnd;
        int frontierFile = frontier < rangeEnd ? layout.FileOf(frontier) : to + 1;

        foreach (var e in entries)
        {
            bool finishedWithSums = e.Sums is not null && (e.File != frontierFile || e.Size == e.ExpectedBytes);
            e.BeyondFrontier = e.File >= frontierFile;
            if (finishedWithSums)
            {
                ClassifyBySums(e, log, ct);
            }
            else if (e.File < frontierFile)
            {
                // Finished by an earlier run (the resume point is past it) but without checksums.
                e.KeptLabels = (ulong)e.Size / PostDataLayout.LabelSize;
                e.Action = e.KeptLabels == e.Labels ? Action.Keep : Action.Extend;
                if (e.Action == Action.Extend)
                {
                    if (e.Size == 0)
                    {
                        log.FileMissing(e.Path);
                    }
                    else
                    {
                        log.FileShort(e.Path, e.Size, e.ExpectedBytes);
                    }
                }
            }
            else if (e.File == frontierFile)
            {
                e.KeptLabels = Math.Min(frontier - e.First, (ulong)e.Size / PostDataLayout.LabelSize);
                e.Action = Action.Extend;
            }
            else if (e.Size == 0)
            {
                e.Action = Action.Extend;
            }
            else if (stateNext is not null)
            {
                // Written after the last durable checkpoint of the run that was stopped: not trusted, recomputed.
                log.FileAfterCheckpoint(e.Path);
                e.Action = Action.Extend;
            }
            else
            {
                problems.Add(
                    $"{e.Path} exists although {PostDataLayout.FileName(frontierFile)} before it is incomplete: refusing to overwrite data this tool did not write. Move it away or initialize it as its own range");
            }
        }

        Refuse(problems);

        // The resume point moves back when the file it points into was cut below it.
        if (frontierFile <= to)
        {
            var current = entries[frontierFile - from];
            if (current.Action == Action.Extend)
            {
                frontier = current.First + current.KeptLabels;
            }
        }

        return new RepairPlan(dataDir, layout, commitment, scryptN, log, entries, frontier);
    }

    private static void ClassifyBySums(Entry e, ILogger log, CancellationToken ct)
    {
        var sums = e.Sums!;
        if (sums.Untouched(new FileInfo(e.Path)))
        {
            e.Action = Action.Keep;
            return;
        }

        e.DamagedBlocks.AddRange(sums.FindDamagedBlocks(e.Path, ct));
        if (e.DamagedBlocks.Count == 0)
        {
            e.Action = Action.Keep;
            e.SumsTouched = true; // same content, new modification time: recorded so the next run need not read it
            return;
        }

        e.Action = Action.RepairBlocks;
        log.BlocksDamaged(e.Path, e.DamagedBlocks.Count, sums.BlockCount, FileSums.BlockBytes >> 20);
    }

    private static void Refuse(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidInputException(InputField.File, string.Join("; ", problems) + ". Nothing was changed.");
        }
    }

    private static List<Segment> BuildSegments(List<Entry> entries)
    {
        var segments = new List<Segment>();
        void Add(ulong start, ulong end, bool inPlace)
        {
            if (end <= start)
            {
                return;
            }

            if (segments.Count > 0 && segments[^1].End == start && segments[^1].InPlace == inPlace)
            {
                segments[^1] = segments[^1] with { End = end };
            }
            else
            {
                segments.Add(new Segment(start, end, inPlace));
            }
        }

        const ulong labelsPerBlock = FileSums.BlockBytes / PostDataLayout.LabelSize;
        foreach (var e in entries)
        {
            switch (e.Action)
            {
                case Action.RepairBlocks:
                    foreach (int b in e.DamagedBlocks)
                    {
                        ulong start = e.First + (ulong)b * labelsPerBlock;
                        Add(start, Math.Min(start + labelsPerBlock, e.First + e.Labels), true);
                    }

                    e.DoneAt = segments[^1].End;
                    break;
                case Action.Extend:
                    Add(e.First + e.KeptLabels, e.First + e.Labels, false);
                    e.DoneAt = e.First + e.Labels;
                    break;
            }
        }

        return segments;
    }

    /// <summary>Moves a resume point past whole files that are kept as they are.</summary>
    public ulong SkipKept(ulong position)
    {
        while (position < _rangeEnd)
        {
            var e = _entries[_layout.FileOf(position) - _entries[0].File];
            if (position != e.First || e.Action != Action.Keep)
            {
                break;
            }

            position = e.First + e.Labels;
        }

        return position;
    }

    /// <summary>Labels of the range present and verified after <paramref name="computed"/> labels of this run.</summary>
    public ulong LabelsPresent(ulong computed) => _rangeEnd - _rangeStart - WorkLabels + Math.Min(computed, WorkLabels);

    /// <summary>Before any write: every file this run writes (and the directory) must be writable.</summary>
    public void CheckWritable()
    {
        var problems = new List<string>();
        // Named by process and range: shards of one process (tests) probe the same directory at once.
        var probe = System.IO.Path.Combine(_dataDir, string.Create(CultureInfo.InvariantCulture, $".post-write-probe.{Environment.ProcessId}.{_rangeStart}"));
        try
        {
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"cannot write into {_dataDir}: {ex.Message}");
        }

        foreach (var e in _entries.Where(e => e.Action != Action.Keep && File.Exists(e.Path)))
        {
            try
            {
                using (new FileStream(e.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{e.Path} needs repair but cannot be written: {ex.Message}");
            }
        }

        Refuse(problems);
    }

    /// <summary>Cuts the file the last run was writing back to its durable resume point; records refreshed checksums.</summary>
    public void TruncateInProgressFile()
    {
        foreach (var e in _entries)
        {
            if (e.Action == Action.Extend && e.Size > (long)e.KeptLabels * PostDataLayout.LabelSize)
            {
                long keep = (long)e.KeptLabels * PostDataLayout.LabelSize;
                using var fs = new FileStream(e.Path, FileMode.Open, FileAccess.Write);
                if (!e.BeyondFrontier)
                {
                    _log.DroppingPartialLabel(e.Path, fs.Length - keep);
                }
                else if (keep > 0)
                {
                    _log.DiscardingPastCheckpoint(e.Path, fs.Length - keep);
                }
                else
                {
                    _log.DiscardingWholeFile(e.Path, fs.Length);
                }
                fs.SetLength(keep);
                fs.Flush(true);
            }

            if (e.SumsTouched)
            {
                (e.Sums! with { ModifiedTicks = File.GetLastWriteTimeUtc(e.Path).Ticks }).Save(_dataDir);
            }
        }
    }

    /// <summary>The next file whose planned work is complete once labels below <paramref name="position"/> are written.</summary>
    public int? FileFinishedBy(ulong position)
    {
        if (_pending.Count > 0 && _pending.Peek().DoneAt <= position)
        {
            return _pending.Dequeue().File;
        }

        return null;
    }

    /// <summary>
    /// Records the checksums of a file this run completed or repaired. A repaired file must match the checksums it had:
    /// when it does not, the disk is not returning what was written.
    /// </summary>
    public void RecordSums(int file, CancellationToken ct)
    {
        var e = _entries[file - _entries[0].File];
        var sums = FileSums.Compute(e.Path, file, _commitment, _scryptN, ct);
        if (e.Action == Action.RepairBlocks)
        {
            if (!string.Equals(sums.Blocks, e.Sums!.Blocks, StringComparison.Ordinal))
            {
                throw new InvalidInputException(InputField.File,
                    $"{e.Path} still differs from its recorded checksums after its damaged blocks were recomputed: the disk may be failing");
            }

            RepairedFiles.Add(PostDataLayout.FileName(file));
        }
        else if (!e.BeyondFrontier)
        {
            RepairedFiles.Add(PostDataLayout.FileName(file));
        }

        sums.Save(_dataDir);
    }

    /// <summary>Kept labels the VRF search must read from disk: all of them without a state file, else those of kept
    /// files past the resume point (the state's search has not seen them).</summary>
    public IEnumerable<(ulong Start, ulong End)> KeptRegionsToScan(bool noState)
    {
        foreach (var e in _entries)
        {
            if (!noState && !e.BeyondFrontier)
            {
                continue;
            }

            ulong kept = e.Action switch
            {
                Action.Keep => e.Labels,
                Action.RepairBlocks => Math.Min(e.Labels, (ulong)e.Size / PostDataLayout.LabelSize),
                _ => noState ? e.KeptLabels : 0,
            };
            if (kept > 0)
            {
                yield return (e.First, e.First + kept);
            }
        }
    }

    /// <summary>Files whose kept labels were not written by a run of ours with checksums: (first, kept count) each.</summary>
    public IEnumerable<(ulong First, ulong Count)> KeptWithoutSums()
    {
        foreach (var e in _entries.Where(e => e.Sums is null || e.Action == Action.Extend))
        {
            ulong kept = e.Action == Action.Keep ? e.Labels : e.KeptLabels;
            if (kept > 0)
            {
                yield return (e.First, kept);
            }
        }
    }
}
