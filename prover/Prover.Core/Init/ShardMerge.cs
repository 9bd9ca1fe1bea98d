using System.Globalization;
using System.Text.RegularExpressions;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Core.Init;

/// <summary>What <see cref="ShardMerge.Run"/> merges.</summary>
public sealed record MergeOptions
{
    /// <summary>The data directory the merged data ends up in (created when <see cref="From"/> is given).</summary>
    public required string DataDir { get; init; }

    /// <summary>Directories of shards run elsewhere, whose files are copied into <see cref="DataDir"/> first.</summary>
    public IReadOnlyList<string> From { get; init; } = [];

    /// <summary>Labels recomputed per file, besides its first and last few (at least 1).</summary>
    public int SamplesPerFile { get; init; } = 32;

    /// <summary>Seed of the sample; null: random.</summary>
    public int? Seed { get; init; }
}

/// <summary>A file (or shard record) that keeps the data from being merged, and the shard that should redo it.</summary>
/// <param name="Path">The file at fault.</param>
/// <param name="File">The postdata file's number, when the problem is one.</param>
/// <param name="Redo">The shard whose run (again, with the job's parameters) fixes it; null when none does.</param>
/// <param name="Message">What is wrong, naming fields in the domain's words (<c>shardCount</c>, <c>shardIndex</c>).</param>
public sealed record MergeProblem(string Path, int? File, ShardSpec? Redo, string Message);

/// <summary>The outcome of <see cref="ShardMerge.Run"/>.</summary>
public sealed record MergeResult
{
    /// <summary>Files copied into the data directory from <see cref="MergeOptions.From"/>.</summary>
    public required IReadOnlyList<string> Copied { get; init; }

    /// <summary>Files of <see cref="MergeOptions.From"/> left where they are, and why (already there, bookkeeping that
    /// differs).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Everything that keeps the data from being merged; empty when it was merged.</summary>
    public required IReadOnlyList<MergeProblem> Problems { get; init; }

    /// <summary>The shard records read (path, shard), of this data only.</summary>
    public required IReadOnlyList<(string Path, ShardSpec Shard)> Shards { get; init; }

    /// <summary>Postdata files of the data set.</summary>
    public required int Files { get; init; }

    /// <summary>Labels recomputed and compared.</summary>
    public required ulong LabelsChecked { get; init; }

    /// <summary>The metadata written (or found already written); null when there are problems.</summary>
    public PostMetadata? Metadata { get; init; }

    /// <summary>The metadata was already there, exactly as the merge would write it.</summary>
    public bool AlreadyMerged { get; init; }

    /// <summary>Labels computed past the data because no shard found a VRF nonce in its range.</summary>
    public ulong LabelsSearchedBeyond { get; init; }

    /// <summary>True when the data was merged: every file present and checked, the metadata written.</summary>
    public bool Ok => Problems.Count == 0 && Metadata is not null;
}

/// <summary>
/// <c>post init merge</c>: gathers the shards of one identity into a data directory (copying them from other
/// directories if asked: atomically, never over a file that differs), checks that every file of the identity is there,
/// complete and made with the same identity, scrypt N and layout (first, last and sampled labels recomputed, as
/// <c>verify-data</c> does), picks the best VRF nonce across the shards' records, and writes
/// <c>postdata_metadata.json</c> exactly as one machine initializing the whole identity would. Every missing, short,
/// foreign or unfinished file is named with the shard that should redo it, and nothing is written then. Nothing is
/// ever deleted.
/// </summary>
public sealed partial class ShardMerge
{
    private const int RunLength = 16;
    private const ulong LargestNTried = 1UL << 16;
    private readonly IReadOnlyList<ILabelProvider> _providers;

    /// <summary>A merge that recomputes labels with <paramref name="providers"/> (the first does the checks; all of
    /// them search past the data when no shard found a VRF nonce, as <see cref="Initializer"/> does).</summary>
    public ShardMerge(IReadOnlyList<ILabelProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        if (providers.Count == 0)
        {
            throw new ArgumentException("at least one label provider is needed", nameof(providers));
        }

        _providers = providers;
    }

    /// <summary>Merges (see the class summary).</summary>
    /// <exception cref="InvalidInputException">no data directory, a shard still running, no shard records, or records
    /// that disagree with no majority: nothing was changed.</exception>
    public MergeResult Run(MergeOptions options, IProgress<(ulong Done, ulong Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string dir = options.DataDir;
        CheckDirectories(options);
        Directory.CreateDirectory(dir);
        using var dirLock = DataDirLock.AcquireExclusive(dir, "post init merge");
        var sourceLocks = new List<DataDirLock>();
        try
        {
            foreach (var source in options.From)
            {
                if (LockSource(source) is { } held)
                {
                    sourceLocks.Add(held);
                }
            }

            var gather = Gather(options, cancellationToken);
            return Check(options, gather, progress, cancellationToken);
        }
        finally
        {
            foreach (var held in sourceLocks)
            {
                held.Dispose();
            }
        }
    }

    private static void CheckDirectories(MergeOptions options)
    {
        string dir = options.DataDir;
        if (File.Exists(dir))
        {
            throw new InvalidInputException(InputField.DataDir, $"{dir} is a file, not a data directory");
        }

        if (!Directory.Exists(dir) && options.From.Count == 0)
        {
            throw new InvalidInputException(InputField.DataDir, $"{dir} does not exist");
        }

        foreach (var source in options.From)
        {
            if (!Directory.Exists(source))
            {
                throw new InvalidInputException(InputField.DataDir, $"{source} (a shard directory to merge from) does not exist");
            }

            if (string.Equals(Path.GetFullPath(source).TrimEnd('/'), Path.GetFullPath(dir).TrimEnd('/'), StringComparison.Ordinal))
            {
                throw new InvalidInputException(InputField.DataDir, $"{source} is the data directory itself: give only the other shards' directories to copy from");
            }
        }
    }

    /// <summary>A shard directory is read only when no shard writes there (its files' locks are free); held shared
    /// meanwhile, unless it cannot be locked at all (a read-only mount, where nothing writes either).</summary>
    private static DataDirLock? LockSource(string source)
    {
        if (DataDirLock.HeldFileRanges(source) is { Count: > 0 } held)
        {
            throw new DataDirLockedException(source, held[0].Holders,
                $"{source}: files {held[0].FromFile}..{held[0].ToFile} are still being written by {DataDirLockedException.Who(held[0].Holders)}: merge once every shard has finished.");
        }

        try
        {
            return DataDirLock.AcquireShared(source, "post init merge (reading)");
        }
        catch (Exception e) when (e is UnauthorizedAccessException || (e is IOException && !File.Exists(Path.Combine(source, DataDirLock.FileName))))
        {
            return null;
        }
    }

    private sealed record Gathered(List<string> Copied, List<string> Notes, List<MergeProblem> Problems);

    /// <summary>Copies the shards' files from each source into the data directory.</summary>
    private static Gathered Gather(MergeOptions options, CancellationToken ct)
    {
        var result = new Gathered([], [], []);
        foreach (var source in options.From)
        {
            var names = Directory.EnumerateFiles(source).Select(Path.GetFileName).OfType<string>()
                .Order(StringComparer.Ordinal).ToList();
            var sameData = new HashSet<string>(StringComparer.Ordinal);

            // Data and shard records first: they must not conflict. The bookkeeping beside them follows.
            foreach (var name in names.Where(n => DataFile().IsMatch(n) || ShardRecord.IsRecordName(n)))
            {
                ct.ThrowIfCancellationRequested();
                var outcome = CopyInto(Path.Combine(source, name), Path.Combine(options.DataDir, name), ct);
                switch (outcome)
                {
                    case CopyOutcome.Copied:
                        result.Copied.Add(name);
                        sameData.Add(name);
                        break;
                    case CopyOutcome.Same:
                        result.Notes.Add($"{Path.Combine(source, name)} is already in {options.DataDir}");
                        sameData.Add(name);
                        break;
                    default:
                        result.Problems.Add(new MergeProblem(Path.Combine(options.DataDir, name), FileNumber(name), null,
                            $"{Path.Combine(source, name)} differs from {Path.Combine(options.DataDir, name)}, which is already there: not copied (a merge never overwrites a file). Find out which one is right, move the other away, and merge again"));
                        break;
                }
            }

            foreach (var name in names.Where(IsBookkeeping))
            {
                ct.ThrowIfCancellationRequested();
                // Block checksums belong to their data file: copied only beside the very same data.
                if (SumsFile().Match(name) is { Success: true } m && !sameData.Contains(PostDataLayout.FileName(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))))
                {
                    continue;
                }

                var outcome = CopyInto(Path.Combine(source, name), Path.Combine(options.DataDir, name), ct);
                if (outcome == CopyOutcome.Copied)
                {
                    result.Copied.Add(name);
                }
                else if (outcome == CopyOutcome.Conflict)
                {
                    result.Notes.Add($"{Path.Combine(source, name)} was not copied: {options.DataDir} has its own");
                }
            }
        }

        return result;
    }

    private static bool IsBookkeeping(string name) =>
        SumsFile().IsMatch(name) || StateFile().IsMatch(name) || ShardProgress.IsProgressName(name);

    private static int? FileNumber(string name) =>
        DataFile().Match(name) is { Success: true } m && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : null;

    private enum CopyOutcome
    {
        Copied,
        Same,
        Conflict,
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> when the target is not there (through a temporary
    /// file, made durable, then renamed, keeping the source's modification time so its checksums stay valid); compares
    /// when it is.
    /// </summary>
    private static CopyOutcome CopyInto(string source, string target, CancellationToken ct)
    {
        if (Directory.Exists(target))
        {
            return CopyOutcome.Conflict;
        }

        if (File.Exists(target))
        {
            return SameContent(source, target, ct) ? CopyOutcome.Same : CopyOutcome.Conflict;
        }

        var temp = Path.Combine(Path.GetDirectoryName(target)!,
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(target)}.merge.{Environment.ProcessId}.tmp"));
        try
        {
            File.Copy(source, temp, overwrite: true);
            File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(source));
            using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: false);
            return CopyOutcome.Copied;
        }
        catch (IOException) when (File.Exists(target))
        {
            TryDelete(temp);
            return SameContent(source, target, ct) ? CopyOutcome.Same : CopyOutcome.Conflict;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool SameContent(string a, string b, CancellationToken ct)
    {
        using var fa = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        using var fb = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        if (fa.Length != fb.Length)
        {
            return false;
        }

        var ba = new byte[1 << 20];
        var bb = new byte[1 << 20];
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            int n = fa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            int m = fb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (n != m || !ba.AsSpan(0, n).SequenceEqual(bb.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    /// <summary>The merge proper, on the gathered directory.</summary>
    private MergeResult Check(MergeOptions options, Gathered gathered, IProgress<(ulong Done, ulong Total)>? progress,
        CancellationToken ct)
    {
        string dir = options.DataDir;
        var problems = gathered.Problems;
        var records = ShardRecord.ListIn(dir);
        PostMetadata? existing = PostMetadata.Exists(dir) ? PostMetadata.Load(dir) : null;
        var reference = ChooseReference(dir, records, existing);
        var ours = records.Where(r => r.Record is not null && r.Record.Differences(reference).Count == 0)
            .Select(r => (r.Path, Record: r.Record!)).ToList();
        var layout = reference.Layout;
        int count = ours.GroupBy(r => r.Record.ShardCount)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        ShardSpec ShardFor(int file) => new(ShardPlan.ShardOf(layout.NumFiles, count, file), count);

        // Records that cannot be read, or describe other data.
        foreach (var (path, record, error) in records)
        {
            if (record is null)
            {
                var shard = RecordShard(path);
                problems.Add(new MergeProblem(path, null, shard, $"{error}: {Redo(shard)}"));
            }
            else if (record.Differences(reference) is { Count: > 0 } d)
            {
                problems.Add(new MergeProblem(path, null, record.Shard,
                    $"{path} ({record.Shard}, files {record.FromFile}..{record.ToFile}) was made with {string.Join(", ", d)}: its files are not part of this data. {Redo(record.Shard)} with the job's parameters"));
            }
        }

        // Conflicting copies of postdata files: the shard that wrote the file settles it.
        for (int i = 0; i < problems.Count; i++)
        {
            if (problems[i] is { File: { } f, Redo: null } p && f < layout.NumFiles)
            {
                problems[i] = p with { Redo = ShardFor(f) };
            }
        }

        var commitment = Commitment.Of(Primitives.NodeId.Parse(reference.NodeId), AtxId.Parse(reference.CommitmentAtxId)).ToArray();
        var alternatives = Alternatives(records, reference);
        var random = options.Seed is { } seed ? new Random(seed) : new Random();
        var complete = new bool[layout.NumFiles];
        foreach (var (_, record) in ours.Where(r => r.Record.Complete))
        {
            for (int f = record.FromFile; f <= record.ToFile; f++)
            {
                complete[f] = true;
            }
        }

        // Per file: present, complete, made with this identity and N (sampled), and finished by a shard.
        var samples = new List<(int File, ulong Offset, int Count)>();
        var checkable = new List<int>();
        for (int f = 0; f < layout.NumFiles; f++)
        {
            var path = Path.Combine(dir, PostDataLayout.FileName(f));
            var shard = ShardFor(f);
            ulong labels = layout.LabelsInFile(f);
            long expected = (long)labels * PostDataLayout.LabelSize;
            if (problems.Any(p => p.File == f))
            {
                continue; // a conflicting copy: already named
            }

            if (Directory.Exists(path))
            {
                problems.Add(new MergeProblem(path, f, shard, $"{path} is a directory, not a postdata file: move it away; {Redo(shard)}"));
                continue;
            }

            if (!File.Exists(path))
            {
                problems.Add(new MergeProblem(path, f, shard, string.Create(CultureInfo.InvariantCulture,
                    $"{path} is missing ({labels} labels): {Redo(shard)}")));
                continue;
            }

            long size = new FileInfo(path).Length;
            if (size != expected)
            {
                problems.Add(new MergeProblem(path, f, shard, string.Create(CultureInfo.InvariantCulture,
                    $"{path} is {size} bytes, not {expected} ({(size < expected ? "truncated: " + (size / PostDataLayout.LabelSize) + " of " + labels + " labels" : "longer than this layout's file")}): {Redo(shard)}")));
                continue;
            }

            checkable.Add(f);
            foreach (var run in SampleRuns(labels, options.SamplesPerFile, random))
            {
                samples.Add((f, run.Offset, run.Count));
            }
        }

        ulong total = (ulong)samples.Sum(s => s.Count);
        ulong done = 0;
        var outputs = new byte[RunLength * 32];
        var onDisk = new byte[RunLength * PostDataLayout.LabelSize];
        foreach (var group in samples.GroupBy(s => s.File))
        {
            int f = group.Key;
            var path = Path.Combine(dir, PostDataLayout.FileName(f));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            foreach (var (_, offset, n) in group)
            {
                ct.ThrowIfCancellationRequested();
                ulong first = layout.FirstLabel(f) + offset;
                _providers[0].ComputeOutputs(commitment, reference.ScryptN, first, n, outputs, ct);
                fs.Position = (long)(offset * PostDataLayout.LabelSize);
                fs.ReadExactly(onDisk.AsSpan(0, n * PostDataLayout.LabelSize));
                done += (ulong)n;
                progress?.Report((done, total));
                int bad = Enumerable.Range(0, n).FirstOrDefault(i => !onDisk.AsSpan(i * PostDataLayout.LabelSize, PostDataLayout.LabelSize)
                    .SequenceEqual(outputs.AsSpan(i * 32, PostDataLayout.LabelSize)), -1);
                if (bad >= 0)
                {
                    ulong index = first + (ulong)bad;
                    var label = onDisk.AsSpan(bad * PostDataLayout.LabelSize, PostDataLayout.LabelSize).ToArray();
                    var shard = ShardFor(f);
                    problems.Add(new MergeProblem(path, f, shard, string.Create(CultureInfo.InvariantCulture,
                        $"{path}: label {index} is not this data's (node id {reference.NodeId}, commitment ATX {reference.CommitmentAtxId}, scrypt N = {reference.ScryptN}): {Explain(label, index, reference, alternatives, ct)}. {Redo(shard)}")));
                    checkable.Remove(f);
                    break;
                }
            }
        }

        foreach (int f in checkable.Where(f => !complete[f]))
        {
            var shard = ShardFor(f);
            var unfinished = ours.Where(r => r.Record.FromFile <= f && f <= r.Record.ToFile).Select(r => Path.GetFileName(r.Path)).ToList();
            problems.Add(new MergeProblem(Path.Combine(dir, PostDataLayout.FileName(f)), f, shard,
                (unfinished.Count > 0
                    ? $"{PostDataLayout.FileName(f)} is complete but its shard did not finish ({string.Join(", ", unfinished)} is not marked complete)"
                    : $"{PostDataLayout.FileName(f)} is complete but no shard record of this data covers it")
                + $", so the best VRF nonce among its labels is not known: {Redo(shard)} (it keeps the finished files and only scans them)"));
        }

        foreach (var (index, path) in PostDataLayout.ListFiles(dir).Where(x => x.Index >= layout.NumFiles))
        {
            problems.Add(new MergeProblem(path, index, null, string.Create(CultureInfo.InvariantCulture,
                $"{path} is not part of this data, which has {layout.NumFiles} files: move it away")));
        }

        var shards = ours.Select(r => (r.Path, r.Record.Shard)).ToList();
        MergeResult Result(PostMetadata? metadata, bool already, ulong beyond) => new()
        {
            Copied = gathered.Copied,
            Notes = gathered.Notes,
            Problems = problems.OrderBy(p => p.File ?? int.MaxValue).ThenBy(p => p.Path, StringComparer.Ordinal).ToList(),
            Shards = shards,
            Files = layout.NumFiles,
            LabelsChecked = done,
            Metadata = metadata,
            AlreadyMerged = already,
            LabelsSearchedBeyond = beyond,
        };

        if (problems.Count > 0)
        {
            return Result(null, false, 0);
        }

        var (nonce, lastPosition, searched) = BestNonce(dir, ours.Select(r => r.Record).Where(r => r.Complete).ToList(), reference,
            commitment, problems, ct);
        if (problems.Count > 0)
        {
            return Result(null, false, 0);
        }

        var merged = new PostMetadata
        {
            NodeId = Primitives.NodeId.Parse(reference.NodeId),
            CommitmentAtxId = AtxId.Parse(reference.CommitmentAtxId),
            LabelsPerUnit = reference.LabelsPerUnit,
            NumUnits = reference.NumUnits,
            MaxFileSize = layout.LabelsPerFile * PostDataLayout.LabelSize,
            Nonce = nonce,
            LastPosition = lastPosition,
        };
        bool already = existing is not null && string.Equals(existing.ToJson(), merged.ToJson(), StringComparison.Ordinal)
            && string.Equals(File.ReadAllText(Path.Combine(dir, PostMetadata.FileName)), merged.ToJson(), StringComparison.Ordinal);
        if (!already)
        {
            merged.Save(dir);
        }

        return Result(merged, already, searched);
    }

    /// <summary>
    /// The parameters of the data: those of the metadata when the directory has one, and among the shard records the
    /// ones most of them agree on.
    /// </summary>
    private static ShardRecord ChooseReference(string dir, IReadOnlyList<(string Path, ShardRecord? Record, string? Error)> records,
        PostMetadata? existing)
    {
        var readable = records.Where(r => r.Record is not null).Select(r => r.Record!).ToList();
        if (existing is not null)
        {
            readable = readable.Where(r => string.Equals(r.NodeId, existing.NodeId.ToString(), StringComparison.OrdinalIgnoreCase)
                && string.Equals(r.CommitmentAtxId, existing.CommitmentAtxId.ToString(), StringComparison.OrdinalIgnoreCase)
                && r.LabelsPerUnit == existing.LabelsPerUnit && r.NumUnits == existing.NumUnits
                && r.MaxFileSize / PostDataLayout.LabelSize == existing.MaxFileSize / PostDataLayout.LabelSize).ToList();
        }

        if (readable.Count == 0)
        {
            throw new InvalidInputException(InputField.DataDir, records.Count == 0
                ? $"{dir} holds no shard records (.post-shard-I-of-N.json): nothing to merge. Run the shards first, each with shardCount and shardIndex, into this directory or into directories to merge from"
                : $"{dir} holds no readable shard record{(existing is null ? "" : $" of the data its {PostMetadata.FileName} describes")}: nothing to merge");
        }

        var groups = readable.GroupBy(r => r.Parameters).OrderByDescending(g => g.Count()).ToList();
        if (groups.Count > 1 && groups[0].Count() == groups[1].Count())
        {
            throw new InvalidInputException(InputField.DataDir,
                $"the shard records in {dir} disagree on the data and no version has a majority: " +
                string.Join("; ", groups.Select(g => string.Create(CultureInfo.InvariantCulture,
                    $"{string.Join(", ", g.Select(r => FileNameOf(r)))}: node id {g.Key.NodeId}, scrypt N = {g.Key.ScryptN}, {g.Key.NumUnits} units"))) +
                ". Move the records (and files) of the wrong shards away and merge again");
        }

        return groups[0].First();
    }

    private static string FileNameOf(ShardRecord r) => ShardRecord.FileNameOf(r.Shard);

    /// <summary>Other (commitment, N) pairs found in the directory's records, to say whose a foreign label is.</summary>
    private static List<(byte[] Commitment, ulong ScryptN, string Source)> Alternatives(
        IReadOnlyList<(string Path, ShardRecord? Record, string? Error)> records, ShardRecord reference)
    {
        var result = new List<(byte[], ulong, string)>();
        foreach (var (path, record, _) in records)
        {
            if (record is null || (string.Equals(record.NodeId, reference.NodeId, StringComparison.OrdinalIgnoreCase)
                                   && string.Equals(record.CommitmentAtxId, reference.CommitmentAtxId, StringComparison.OrdinalIgnoreCase)
                                   && record.ScryptN == reference.ScryptN))
            {
                continue;
            }

            var commitment = Commitment.Of(Primitives.NodeId.Parse(record.NodeId), AtxId.Parse(record.CommitmentAtxId)).ToArray();
            result.Add((commitment, record.ScryptN, string.Create(CultureInfo.InvariantCulture,
                $"node id {record.NodeId}, commitment ATX {record.CommitmentAtxId}, scrypt N = {record.ScryptN}, as in {Path.GetFileName(path)}")));
        }

        return result;
    }

    /// <summary>Whose label <paramref name="label"/> at <paramref name="index"/> is: another record's identity or N, or this
    /// identity at another power-of-two N; else unknown.</summary>
    private string Explain(byte[] label, ulong index, ShardRecord reference, List<(byte[] Commitment, ulong ScryptN, string Source)> alternatives,
        CancellationToken ct)
    {
        var output = new byte[32];
        foreach (var (commitment, n, source) in alternatives)
        {
            _providers[0].ComputeOutputs(commitment, n, index, 1, output, ct);
            if (output.AsSpan(0, PostDataLayout.LabelSize).SequenceEqual(label))
            {
                return $"it was made with {source}";
            }
        }

        var own = Commitment.Of(Primitives.NodeId.Parse(reference.NodeId), AtxId.Parse(reference.CommitmentAtxId)).ToArray();
        for (ulong n = 2; n <= LargestNTried; n <<= 1)
        {
            if (n == reference.ScryptN)
            {
                continue;
            }

            _providers[0].ComputeOutputs(own, n, index, 1, output, ct);
            if (output.AsSpan(0, PostDataLayout.LabelSize).SequenceEqual(label))
            {
                return string.Create(CultureInfo.InvariantCulture, $"it was made with scrypt N = {n}, not {reference.ScryptN}");
            }
        }

        return "it was made with another identity or scrypt N, or it is corrupt";
    }

    /// <summary>Runs of labels to recompute in a file: the first and last few, and random runs for the rest.</summary>
    private static List<(ulong Offset, int Count)> SampleRuns(ulong labels, int samples, Random random)
    {
        var offsets = new SortedSet<ulong> { 0 };
        ulong slots = (labels + RunLength - 1) / RunLength;
        offsets.Add((slots - 1) * RunLength);
        int runs = Math.Max(1, (samples + RunLength - 1) / RunLength);
        for (int i = 0; i < runs && (ulong)offsets.Count < slots; i++)
        {
            ulong slot;
            do
            {
                slot = (ulong)random.NextInt64((long)slots);
            }
            while (!offsets.Add(slot * RunLength));
        }

        return offsets.Select(o => (o, (int)Math.Min(RunLength, labels - o))).ToList();
    }

    /// <summary>
    /// The VRF nonce: the smallest output below the difficulty among the shards' best (on a tie the lowest index, as one
    /// machine scanning in order keeps the first), checked by recomputing it. When no shard found one, the search goes
    /// on past the data as <see cref="Initializer"/> does, and the position it stops at is the metadata's LastPosition.
    /// </summary>
    private (ulong? Nonce, ulong? LastPosition, ulong Searched) BestNonce(string dir, List<ShardRecord> complete,
        ShardRecord reference, byte[] commitment, List<MergeProblem> problems, CancellationToken ct)
    {
        var difficulty = Convert.FromHexString(reference.VrfDifficulty);
        var candidates = complete.Where(r => r.BestIndex is not null)
            .OrderBy(r => Convert.FromHexString(r.BestOutput!), ByteOrder.Instance).ThenBy(r => r.BestIndex)
            .ToList();
        var output = new byte[32];
        foreach (var record in candidates)
        {
            ulong index = record.BestIndex!.Value;
            var layout = record.Layout;
            ulong first = layout.FirstLabel(record.FromFile);
            ulong end = layout.FirstLabel(record.ToFile) + layout.LabelsInFile(record.ToFile);
            _providers[0].ComputeOutputs(commitment, reference.ScryptN, index, 1, output, ct);
            if (index < first || index >= end || !string.Equals(Hex.Format(output), record.BestOutput, StringComparison.OrdinalIgnoreCase)
                || !VrfDifficulty.IsBelow(output, difficulty))
            {
                problems.Add(new MergeProblem(ShardRecord.PathFor(dir, record.Shard), null, record.Shard, string.Create(CultureInfo.InvariantCulture,
                        $"{FileNameOf(record)}: its VRF nonce {index} is not a label of its files {record.FromFile}..{record.ToFile} whose output {record.BestOutput} is below the difficulty (recomputed: {Hex.Format(output)}): {Redo(record.Shard)}")));
                return (null, null, 0);
            }

            return (index, null, 0);
        }

        // No label of the data is below the difficulty: search past it, as one machine would.
        var best = new VrfBest(difficulty);
        var layoutAll = reference.Layout;
        ulong position = layoutAll.TotalLabels;
        new ChunkPipeline(_providers).Run(commitment, reference.ScryptN, layoutAll.TotalLabels, ulong.MaxValue, (start, count, outputs) =>
        {
            best.Scan(start, count, outputs);
            position = start + (ulong)count;
            return !best.Found;
        }, ct);
        return (best.Index, position, position - layoutAll.TotalLabels);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    private static string Redo(ShardSpec? shard) => shard is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"{s} should run again (shardCount {s.Count}, shardIndex {s.Index})")
        : "no shard writes it";

    /// <summary>The shard a record's file name names.</summary>
    private static ShardSpec? RecordShard(string path)
    {
        var m = RecordName().Match(Path.GetFileName(path));
        return m.Success
               && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int i)
               && int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
               && i < n
            ? new ShardSpec(i, n)
            : null;
    }

    [GeneratedRegex(@"^postdata_(\d+)\.bin$")]
    private static partial Regex DataFile();

    [GeneratedRegex(@"^\.postdata_(\d+)\.bin\.sums$")]
    private static partial Regex SumsFile();

    [GeneratedRegex(@"^\.post-init-\d+-\d+\.json$")]
    private static partial Regex StateFile();

    [GeneratedRegex(@"^\.post-shard-(\d+)-of-(\d+)\.json$")]
    private static partial Regex RecordName();
}
