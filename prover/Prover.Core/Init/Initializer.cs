using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Crypto;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Core.Init;

/// <summary>
/// Fills a data directory with labels (spec §3): <c>postdata_N.bin</c> files in order, the VRF nonce search (smallest
/// 32-byte output below the difficulty, continuing past the data as postcli does when none was found) and
/// <c>postdata_metadata.json</c> in post-rs's form. Crash-safe and resumable: see <see cref="InitState"/>.
/// Several providers can work at once; the label range is handed out in chunks as each provider asks for more,
/// and the chunks are written back in order.
/// </summary>
public sealed class Initializer
{
    private readonly IReadOnlyList<ILabelProvider> _providers;
    private readonly ILogger _log;

    /// <summary>Labels re-checked against a fresh computation before a run extends existing data.</summary>
    public const int ResumeCheckLabels = 4;

    /// <summary>An initializer that computes labels with <paramref name="providers"/> (at least one).</summary>
    /// <param name="providers">Label providers working together; the first also does single-label checks.</param>
    /// <param name="logger">Receives what the run decides (resume, repair, growth, nonce search); none: nothing is logged.</param>
    public Initializer(IReadOnlyList<ILabelProvider> providers, ILogger<Initializer>? logger = null)
    {
        if (providers.Count == 0)
        {
            throw new ArgumentException("at least one label provider is needed", nameof(providers));
        }

        _providers = providers;
        _log = logger ?? (ILogger)NullLogger<Initializer>.Instance;
    }

    public static void ValidateOptions(InitOptions o)
    {
        if (o.NumUnits == 0)
        {
            throw new InvalidInputException(InputField.NumUnits, "numUnits must be at least 1");
        }

        if (o.LabelsPerUnit == 0)
        {
            throw new InvalidInputException(InputField.LabelsPerUnit, "labelsPerUnit must be at least 1");
        }

        if (o.LabelsPerUnit > ulong.MaxValue / o.NumUnits)
        {
            throw new InvalidInputException(InputField.NumUnits, "labelsPerUnit × numUnits overflows 64 bits");
        }

        if (o.MaxFileSize < PostDataLayout.LabelSize || o.MaxFileSize % PostDataLayout.LabelSize != 0)
        {
            throw new InvalidInputException(InputField.MaxFileSize,
                $"maxFileSize must be a multiple of {PostDataLayout.LabelSize} bytes (the label size) and at least one label, got {o.MaxFileSize}");
        }

        if (o.ScryptN < 2 || o.ScryptN > InitOptions.MaxScryptN || (o.ScryptN & (o.ScryptN - 1)) != 0)
        {
            throw new InvalidInputException(InputField.ScryptN, $"scryptN must be a power of two in 2..{InitOptions.MaxScryptN}, got {o.ScryptN}");
        }

        ulong total = o.LabelsPerUnit * o.NumUnits;
        ulong labelsPerFile = o.MaxFileSize / PostDataLayout.LabelSize;
        if (total > ulong.MaxValue / PostDataLayout.LabelSize / 2)
        {
            throw new InvalidInputException(InputField.NumUnits,
                $"labelsPerUnit × numUnits = {total} labels is more data than a file system can hold");
        }

        if (total / labelsPerFile >= int.MaxValue)
        {
            throw new InvalidInputException(InputField.MaxFileSize,
                $"{total} labels in files of {o.MaxFileSize} bytes would need more than {int.MaxValue} files: raise maxFileSize");
        }

        if (o.VrfDifficulty is { Length: not 32 })
        {
            throw new InvalidInputException(InputField.VrfDifficulty, "vrfDifficulty must be 32 bytes");
        }

        double expectedLabels = o.VrfDifficulty is { } vrf ? Prover.Core.Pow.K2PowDifficulty.ExpectedHashes(vrf) : 0;
        if (expectedLabels > Math.Pow(2, 64))
        {
            // The nonce is the first label whose output is below the difficulty; labels have 64-bit indices.
            throw new InvalidInputException(InputField.VrfDifficulty, double.IsPositiveInfinity(expectedLabels)
                ? "vrfDifficulty is 0: no label output is below it, so the VRF nonce search would never end"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"vrfDifficulty needs about 2^{Math.Log2(expectedLabels):F0} labels per VRF nonce, more than the 2^64 label indices: the search would never end"));
        }

        var layout = new PostDataLayout(o.LabelsPerUnit * o.NumUnits, o.MaxFileSize / PostDataLayout.LabelSize);
        if (o.Shard is { } shard)
        {
            if (o.FromFile is not null || o.ToFile is not null)
            {
                throw new InvalidInputException(InputField.ShardCount,
                    "shardCount cannot be combined with fromFile or toFile: a shard's files follow from shardCount and shardIndex");
            }

            if (shard.Count < 1 || shard.Index < 0 || shard.Index >= shard.Count)
            {
                throw new InvalidInputException(InputField.ShardIndex, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"shard {shard.Index} does not exist: with shardCount {shard.Count} the shards are numbered 0..{shard.Count - 1}"));
            }

            ShardPlan.Validate(layout.NumFiles, shard.Count);
        }

        int from = o.FromFile ?? 0;
        int to = o.ToFile ?? layout.NumFiles - 1;
        if (from < 0 || from >= layout.NumFiles)
        {
            throw new InvalidInputException(InputField.FromFile, $"fromFile {from} is outside the data's files 0..{layout.NumFiles - 1}");
        }

        if (to < from || to >= layout.NumFiles)
        {
            throw new InvalidInputException(InputField.ToFile, $"toFile {to} must be within {from}..{layout.NumFiles - 1}");
        }
    }

    public InitResult Run(InitOptions options, IProgress<InitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ValidateOptions(options);
        if (options.Shard is { } shard)
        {
            var layout = new PostDataLayout(options.LabelsPerUnit * options.NumUnits, options.MaxFileSize / PostDataLayout.LabelSize);
            var (from, to) = ShardPlan.FileRange(layout.NumFiles, shard.Count, shard.Index);
            options = options with { FromFile = from, ToFile = to };
        }

        bool createdDir = PrepareDataDir(options.DataDir);
        var undo = new RunUndo();
        try
        {
            if (options.Shard is { } s)
            {
                // Shards write into one directory at once: each holds the directory's lock shared (so a whole-directory
                // init or a merge cannot start meanwhile) and its own files' lock exclusively (so the same shard, or
                // one that overlaps it, cannot run twice at once).
                string purpose = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"post init shard {s.Index}/{s.Count}, files {options.FromFile}..{options.ToFile}");
                using var dirLock = AcquireForShard(options.DataDir, purpose);
                using var filesLock = DataDirLock.AcquireFiles(options.DataDir, options.FromFile!.Value, options.ToFile!.Value, purpose);
                return RunLocked(options, progress, undo, cancellationToken);
            }
            else
            {
                using var dirLock = DataDirLock.AcquireExclusive(options.DataDir, "post init");
                return RunLocked(options, progress, undo, cancellationToken);
            }
        }
        catch when (!undo.WroteLabels)
        {
            // Nothing of this run reached the data: leave the directory as it was found.
            if (undo.CreatedMetadata)
            {
                TryDelete(Path.Combine(options.DataDir, PostMetadata.FileName));
            }

            if (undo.CreatedShardRecord)
            {
                TryDelete(ShardRecord.PathFor(options.DataDir, options.Shard!.Value));
            }

            // Other shards may hold the lock file of a directory a shard created: only a whole-directory run removes it.
            if (createdDir && options.Shard is null)
            {
                TryDelete(Path.Combine(options.DataDir, DataDirLock.FileName));
                TryDeleteEmptyDirectory(options.DataDir);
            }

            throw;
        }
    }

    /// <summary>What a failed run must undo when it wrote no label.</summary>
    private sealed class RunUndo
    {
        public bool CreatedMetadata { get; set; }
        public bool CreatedShardRecord { get; set; }
        public bool WroteLabels { get; set; }
    }

    private static DataDirLock AcquireForShard(string dataDir, string purpose)
    {
        try
        {
            return DataDirLock.AcquireShared(dataDir, purpose);
        }
        catch (DataDirLockedException e)
        {
            throw new DataDirLockedException(dataDir, e.Holders,
                $"{dataDir} is in use by {DataDirLockedException.Who(e.Holders)}: a shard writes beside other shards, not while a whole-directory init or a merge runs there. Wait for it to finish or stop it first.");
        }
    }

    private InitResult RunLocked(InitOptions options, IProgress<InitProgress>? progress, RunUndo undo,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        InitJob job = PlanJob(options, cancellationToken);
        if (options.Shard is not { } shard)
        {
            var metadata = job.Metadata;
            if (metadata is null)
            {
                metadata = NewMetadata(options, job.Layout);
                metadata.Save(options.DataDir);
                undo.CreatedMetadata = true;
            }

            return Execute(job, metadata, progress, undo, stopwatch, cancellationToken);
        }

        // A shard records what it does in its own files only (its record and its progress); the metadata is the merge's.
        var recordPath = ShardRecord.PathFor(options.DataDir, shard);
        bool recordExisted = File.Exists(recordPath);
        if (!recordExisted || job.Plan.Segments.Count > 0)
        {
            // Not complete until this run ends: a merge must not trust the range while it is being written.
            var start = new VrfBest(job.Difficulty);
            if (job.State is { BestIndex: { } bi, BestOutput: { } bo })
            {
                start.Offer(bi, Convert.FromHexString(bo));
            }

            ShardRecord.For(options, job.FromFile, job.ToFile, job.Difficulty, start, complete: false).Save(options.DataDir);
            undo.CreatedShardRecord = !recordExisted;
        }

        ulong rangeLabels = job.RangeEnd - job.RangeStart;
        var writer = new ShardProgressWriter(options.DataDir, shard, job.Layout, job.FromFile, job.ToFile, rangeLabels,
            rangeLabels - job.Plan.WorkLabels);
        var reporting = new ForwardingProgress(p =>
        {
            writer.Report(p);
            progress?.Report(p);
        });
        try
        {
            var result = Execute(job, null, reporting, undo, stopwatch, cancellationToken);
            writer.Finish(ShardProgress.Done, rangeLabels);
            return result;
        }
        catch (OperationCanceledException)
        {
            writer.Finish(ShardProgress.Interrupted);
            throw;
        }
        catch (Exception e)
        {
            writer.Finish(ShardProgress.Failed, error: e.Message);
            throw;
        }
    }

    /// <summary>An IProgress that calls back on the reporting thread.</summary>
    private sealed class ForwardingProgress(Action<InitProgress> report) : IProgress<InitProgress>
    {
        public void Report(InitProgress value) => report(value);
    }

    /// <summary>
    /// Decides the run (<see cref="InitJob"/>): layout, file and label ranges, the metadata and checkpoint it continues,
    /// and what is on disk; refuses, before anything is written or removed, input that conflicts with the directory.
    /// </summary>
    private InitJob PlanJob(InitOptions options, CancellationToken cancellationToken)
    {
        var layout = new PostDataLayout(options.LabelsPerUnit * options.NumUnits,
            options.MaxFileSize / PostDataLayout.LabelSize);
        int from = options.FromFile ?? 0;
        int to = options.ToFile ?? layout.NumFiles - 1;
        var commitment = Commitment.Of(options.NodeId, options.CommitmentAtxId).ToArray();
        var commitmentHex = Hex.Format(commitment);
        var difficulty = options.VrfDifficulty ?? VrfDifficulty.ForLabels(layout.TotalLabels);
        var statePath = InitState.PathFor(options.DataDir, from, to);

        var metadata = CheckMetadata(options, layout);
        if (options.Shard is { } shard)
        {
            CheckShardRecords(options, shard, from, to, difficulty);
        }

        if (metadata is not null && metadata.NumUnits < options.NumUnits)
        {
            _log.GrowingData(metadata.NumUnits, options.NumUnits);
        }

        var state = InitState.TryLoad(statePath);
        if (state is not null)
        {
            CheckState(state, statePath, commitment, options, layout, from, to, difficulty);
        }

        // What is on disk, file by file: kept as it is, repaired block by block, or extended from where it stops.
        // Everything is decided (and refused, if it must be) before anything is written or removed.
        var plan = RepairPlan.Survey(options.DataDir, layout, from, to, commitmentHex, options.ScryptN,
            state?.Next, _log, cancellationToken);
        CheckFreeSpace(options, plan);
        plan.CheckWritable();
        return new InitJob(options, layout, from, to, commitment, difficulty, metadata, state, plan);
    }

    /// <summary>
    /// Carries out a planned job: the repair plan's truncation, the checks of kept labels and the VRF search over them,
    /// then each planned segment through the ordered chunk pipeline (written in order, checkpointed), the VRF search
    /// past the data when no nonce was found, and the final metadata and checkpoint.
    /// </summary>
    private InitResult Execute(InitJob job, PostMetadata? metadata, IProgress<InitProgress>? progress, RunUndo undo,
        Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        // A shard (no metadata of its own) searches its range only: whether the data holds a nonce at all is known
        // only when every shard is done, so the search past the data is the merge's.
        bool sharded = job.Options.Shard is not null;
        InitOptions options = job.Options;
        PostDataLayout layout = job.Layout;
        RepairPlan plan = job.Plan;
        InitState? state = job.State;
        byte[] commitment = job.Commitment;
        ulong rangeStart = job.RangeStart;
        ulong rangeEnd = job.RangeEnd;
        var pipeline = new ChunkPipeline(_providers);
        plan.TruncateInProgressFile();
        var best = new VrfBest(job.Difficulty);
        if (state is { BestIndex: { } bi, BestOutput: { } bo })
        {
            best.Offer(bi, Convert.FromHexString(bo));
        }

        VerifyKeptLabels(options, layout, commitment, plan, cancellationToken);
        foreach (var (start, end) in plan.KeptRegionsToScan(state is null))
        {
            // Labels kept on disk that the VRF search has not seen (no state file: a run killed before its first
            // checkpoint, or data another tool wrote): offered to it from the stored labels.
            ScanStoredLabelsForNonce(options, layout, commitment, start, end, best, cancellationToken);
        }

        // A nonce already recorded in the metadata (another range, postcli, post-rs) competes with ours.
        if (metadata?.Nonce is { } existingNonce)
        {
            var output = ComputeOne(commitment, options.ScryptN, existingNonce, cancellationToken);
            best.Offer(existingNonce, output);
        }

        ulong beyond = state?.SearchedBeyond ?? layout.TotalLabels;
        bool nonceNeeded = !sharded && job.CoversLastFile && !best.Found;
        if (plan.Segments.Count == 0 && !nonceNeeded)
        {
            job.SaveState(rangeEnd, best, state?.SearchedBeyond, true);
            if (metadata is null)
            {
                bool recorded = SaveShardRecord(job, best);
                return Result(alreadyComplete: !recorded, resumedFrom: rangeEnd, computed: 0, best.Index, best.Output,
                    nonceRecorded: false);
            }

            var done = FinishMetadata(options.DataDir, metadata, options.NumUnits, best, state?.SearchedBeyond);
            return Result(alreadyComplete: !done.Changed, resumedFrom: rangeEnd, computed: 0, done.Metadata.Nonce, best.Output,
                nonceRecorded: done.Changed);
        }

        ulong computed = 0;
        ulong frontier = plan.Frontier;
        var runStart = plan.Segments.Count > 0 ? plan.Segments[0].Start : rangeEnd;
        if (frontier > rangeStart && frontier < rangeEnd)
        {
            _log.Resuming(frontier, frontier - rangeStart, rangeEnd - rangeStart, job.FromFile, job.ToFile);
        }

        foreach (var segment in plan.Segments)
        {
            bool atFrontier = segment.Start == frontier;
            using var writer = new LabelFileWriter(options.DataDir, layout, segment.Start, segment.InPlace);
            var lastCheckpoint = Stopwatch.StartNew();
            ulong position = segment.Start;

            void Checkpoint()
            {
                writer.Flush();
                if (atFrontier)
                {
                    frontier = plan.SkipKept(position);
                    job.SaveState(frontier, best, null, false);
                }

                lastCheckpoint.Restart();
                options.AfterCheckpoint?.Invoke(position);
            }

            try
            {
                pipeline.Run(commitment, options.ScryptN, segment.Start, segment.End, (start, count, outputs) =>
                {
                    undo.WroteLabels = true;
                    writer.Write(start, count, outputs);
                    best.Scan(start, count, outputs);
                    position = start + (ulong)count;
                    computed += (ulong)count;
                    bool fileDone = false;
                    while (plan.FileFinishedBy(position) is { } file)
                    {
                        writer.Close();
                        plan.RecordSums(file, cancellationToken);
                        fileDone = true;
                    }

                    if (fileDone || lastCheckpoint.Elapsed >= options.CheckpointInterval)
                    {
                        Checkpoint();
                    }

                    progress?.Report(new InitProgress(plan.LabelsPresent(computed), rangeEnd - rangeStart, computed,
                        stopwatch.Elapsed, false));
                    return true;
                }, cancellationToken);
            }
            finally
            {
                // Whatever was written in order is kept: make it durable and record it as the resume point.
                Checkpoint();
            }
        }

        frontier = plan.SkipKept(frontier);
        ulong? searchedBeyond = state?.SearchedBeyond;
        if (!sharded && job.CoversLastFile && !best.Found)
        {
            _log.SearchingNonceBeyondData(beyond, layout.TotalLabels);
            ulong position = beyond;
            var lastSave = Stopwatch.StartNew();
            try
            {
                pipeline.Run(commitment, options.ScryptN, beyond, ulong.MaxValue, (start, count, outputs) =>
                {
                    best.Scan(start, count, outputs);
                    position = start + (ulong)count;
                    computed += (ulong)count;
                    if (lastSave.Elapsed >= options.CheckpointInterval)
                    {
                        job.SaveState(frontier, best, position, false);
                        lastSave.Restart();
                    }

                    progress?.Report(new InitProgress(rangeEnd - rangeStart, rangeEnd - rangeStart, computed,
                        stopwatch.Elapsed, true));
                    return !best.Found;
                }, cancellationToken);
            }
            finally
            {
                job.SaveState(frontier, best, position, false);
            }

            searchedBeyond = position;
        }

        ulong? nonce = best.Index;
        if (metadata is null)
        {
            SaveShardRecord(job, best);
        }
        else
        {
            nonce = FinishMetadata(options.DataDir, metadata, options.NumUnits, best, searchedBeyond).Metadata.Nonce;
        }

        job.SaveState(rangeEnd, best, searchedBeyond, true);
        return Result(alreadyComplete: false, resumedFrom: runStart, computed, nonce, best.Output, nonceRecorded: false);

        InitResult Result(bool alreadyComplete, ulong resumedFrom, ulong computed, ulong? nonce, byte[]? nonceOutput,
            bool nonceRecorded) => new()
            {
                AlreadyComplete = alreadyComplete,
                FromFile = job.FromFile,
                ToFile = job.ToFile,
                FirstLabel = rangeStart,
                EndLabel = rangeEnd,
                ResumedFrom = resumedFrom,
                LabelsComputed = computed,
                Elapsed = stopwatch.Elapsed,
                Nonce = nonce,
                NonceOutput = nonceOutput,
                Providers = ProviderNames,
                Repaired = plan.RepairedFiles,
                NonceRecorded = nonceRecorded,
            };
    }

    /// <summary>
    /// Records a shard's finished range and its best VRF nonce in its own record; true when that changed the record
    /// (false: the same complete record was already there).
    /// </summary>
    private static bool SaveShardRecord(InitJob job, VrfBest best)
    {
        var record = ShardRecord.For(job.Options, job.FromFile, job.ToFile, job.Difficulty, best, complete: true);
        var path = ShardRecord.PathFor(job.Options.DataDir, record.Shard);
        ShardRecord? existing = null;
        try
        {
            existing = File.Exists(path) ? ShardRecord.Load(path) : null;
        }
        catch (InvalidInputException)
        {
            // Unreadable: replaced by the record of this run.
        }

        if (existing == record)
        {
            return false;
        }

        record.Save(job.Options.DataDir);
        return true;
    }

    /// <summary>Creates the data directory if needed; true when this call created it.</summary>
    private static bool PrepareDataDir(string dataDir)
    {
        if (File.Exists(dataDir))
        {
            throw new InvalidInputException(InputField.DataDir, $"data directory {dataDir} is a file, not a directory");
        }

        if (Directory.Exists(dataDir))
        {
            return false;
        }

        for (var parent = Path.GetDirectoryName(Path.GetFullPath(dataDir)); !string.IsNullOrEmpty(parent);
             parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                throw new InvalidInputException(InputField.DataDir, $"data directory {dataDir} cannot be created: {parent} is a file");
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        Directory.CreateDirectory(dataDir);
        return true;
    }

    private static void CheckFreeSpace(InitOptions options, RepairPlan plan)
    {
        ulong needed = plan.BytesToGrow;
        if (needed == 0 || options.AllowOvercommit)
        {
            return;
        }

        long available;
        try
        {
            available = new DriveInfo(Path.GetFullPath(options.DataDir)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // the file system does not say: the disk-full handling of the writer remains
        }

        if ((ulong)available < needed)
        {
            throw new InvalidInputException(InputField.DataDir,
                $"{options.DataDir} needs {Sizes.Format(needed)} more for this data but its file system has {Sizes.Format((ulong)available)} free: " +
                "free space, choose a smaller number of units, or allow it to fill up as space appears (allow overcommit).");
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

    private static void TryDeleteEmptyDirectory(string path)
    {
        try
        {
            if (!Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private string ProviderNames => string.Join(", ", _providers.Select(p => $"{p.Id} ({p.Name})"));

    private static PostMetadata NewMetadata(InitOptions o, PostDataLayout layout) => new()
    {
        NodeId = o.NodeId,
        CommitmentAtxId = o.CommitmentAtxId,
        LabelsPerUnit = o.LabelsPerUnit,
        NumUnits = o.NumUnits,
        MaxFileSize = layout.LabelsPerFile * PostDataLayout.LabelSize,
    };

    /// <summary>The existing metadata, checked against the options; null when there is none (and no data either).</summary>
    private static PostMetadata? CheckMetadata(InitOptions o, PostDataLayout layout)
    {
        if (!PostMetadata.Exists(o.DataDir))
        {
            // Shards fill one directory at once and the metadata comes last (the merge): their records vouch for
            // the files instead (CheckShardRecords), and files in the shard's own range are checked before use.
            if (o.Shard is null && PostDataLayout.ListFiles(o.DataDir).Count > 0)
            {
                throw new InvalidInputException(InputField.DataDir,
                    $"{o.DataDir} holds postdata files but no {PostMetadata.FileName}: refusing to write into data of unknown origin");
            }

            return null;
        }

        var existing = PostMetadata.Load(o.DataDir);
        var problems = new List<string>();
        if (existing.NodeId != o.NodeId)
        {
            problems.Add($"NodeId is {existing.NodeId}, not {o.NodeId}");
        }

        if (existing.CommitmentAtxId != o.CommitmentAtxId)
        {
            problems.Add($"CommitmentAtxId is {existing.CommitmentAtxId}, not {o.CommitmentAtxId}");
        }

        if (existing.LabelsPerUnit != o.LabelsPerUnit)
        {
            problems.Add($"LabelsPerUnit is {existing.LabelsPerUnit}, not {o.LabelsPerUnit}");
        }

        if (existing.NumUnits > o.NumUnits)
        {
            problems.Add($"NumUnits is {existing.NumUnits}, not {o.NumUnits} (shrinking data is not supported)");
        }
        else if (existing.NumUnits < o.NumUnits
                 && (o.FromFile is > 0 || (o.ToFile is { } t && t != layout.NumFiles - 1)))
        {
            problems.Add($"NumUnits is {existing.NumUnits}, not {o.NumUnits} (grow the data with the whole file range, then split)");
        }

        if (existing.MaxFileSize / PostDataLayout.LabelSize != layout.LabelsPerFile)
        {
            problems.Add($"MaxFileSize is {existing.MaxFileSize}, not {o.MaxFileSize}");
        }

        if (problems.Count == 0 && existing.NumUnits < o.NumUnits)
        {
            // Growing: the labels already there stay (their indices do not change), the new ones follow, and the
            // metadata takes the new size and the VRF nonce for it only when the larger data set is complete.
            return existing;
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException(InputField.DataDir,
                $"{Path.Combine(o.DataDir, PostMetadata.FileName)} describes different data ({string.Join("; ", problems)}): refusing to mix them. Use another dataDir or the same parameters.");
        }

        return existing;
    }

    /// <summary>
    /// A shard refuses a directory whose shard records describe other data (another identity, scrypt N, layout or VRF
    /// difficulty): shards of different jobs must not be mixed in one directory.
    /// </summary>
    private static void CheckShardRecords(InitOptions o, ShardSpec shard, int from, int to, byte[] difficulty)
    {
        var ours = ShardRecord.For(o, from, to, difficulty, new VrfBest(difficulty), complete: false);
        var problems = new List<string>();
        foreach (var (path, record, _) in ShardRecord.ListIn(o.DataDir))
        {
            // An unreadable record is replaced (our own) or reported by the merge (another shard's).
            if (record is not null && record.Differences(ours) is { Count: > 0 } d)
            {
                problems.Add($"{path} ({record.Shard}) was made with {string.Join(", ", d)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException(InputField.DataDir,
                $"{o.DataDir} holds shards of other data ({string.Join("; ", problems)}): refusing to mix them with {shard}. Use another dataDir or the same parameters. Nothing was changed.");
        }
    }

    private static void CheckState(InitState s, string path, byte[] commitment, InitOptions o, PostDataLayout layout,
        int from, int to, byte[] difficulty)
    {
        string? problem = null;
        if (!string.Equals(s.Commitment, Hex.Format(commitment), StringComparison.Ordinal))
        {
            problem = $"commitment {s.Commitment}, not {Hex.Format(commitment)}";
        }
        else if (s.ScryptN != o.ScryptN)
        {
            problem = $"scrypt N = {s.ScryptN}, not {o.ScryptN}";
        }
        else if (s.LabelsPerFile != layout.LabelsPerFile || s.TotalLabels != layout.TotalLabels)
        {
            problem = $"{s.TotalLabels} labels in files of {s.LabelsPerFile}, not {layout.TotalLabels} in files of {layout.LabelsPerFile}";
        }
        else if (s.FromFile != from || s.ToFile != to)
        {
            problem = $"files {s.FromFile}..{s.ToFile}, not {from}..{to}";
        }
        else if (!string.Equals(s.VrfDifficulty, Hex.Format(difficulty), StringComparison.Ordinal))
        {
            problem = $"VRF difficulty {s.VrfDifficulty}, not {Hex.Format(difficulty)}";
        }

        if (problem is not null)
        {
            throw new InvalidInputException(InputField.File,
                $"{path}: this data was being initialized with {problem}; refusing to extend it with other parameters.");
        }
    }

    /// <summary>
    /// Before anything is written: a few labels kept on disk that carry no checksums of ours (the first and last kept
    /// label of each such file, and the last few before the resume point) must equal a fresh computation, so that data
    /// made with other parameters is never extended or mixed.
    /// </summary>
    private void VerifyKeptLabels(InitOptions o, PostDataLayout layout, byte[] commitment, RepairPlan plan,
        CancellationToken ct)
    {
        var checks = new List<(ulong Start, int Count)>();
        foreach (var (first, kept) in plan.KeptWithoutSums())
        {
            checks.Add((first, 1));
            if (kept > 1)
            {
                ulong tail = Math.Min((ulong)ResumeCheckLabels, kept - 1);
                checks.Add((first + kept - tail, (int)tail));
            }
        }

        foreach (var (start, n) in checks)
        {
            var outputs = new byte[n * 32];
            _providers[0].ComputeOutputs(commitment, o.ScryptN, start, n, outputs, ct);
            for (int i = 0; i < n; i++)
            {
                ulong index = start + (ulong)i;
                int file = layout.FileOf(index);
                long offset = (long)((index - layout.FirstLabel(file)) * PostDataLayout.LabelSize);
                var path = Path.Combine(o.DataDir, PostDataLayout.FileName(file));
                var onDisk = new byte[PostDataLayout.LabelSize];
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    fs.Position = offset;
                    fs.ReadExactly(onDisk);
                }

                if (!onDisk.AsSpan().SequenceEqual(outputs.AsSpan(i * 32, PostDataLayout.LabelSize)))
                {
                    throw new InvalidInputException(InputField.File,
                        $"{path} offset {offset}: label {index} on disk ({Hex.Format(onDisk)}) differs from a fresh computation " +
                        $"({Hex.Format(outputs.AsSpan(i * 32, 16))}) with commitment {Hex.Format(commitment)} and scrypt N = {o.ScryptN}: " +
                        "the existing data was made with other parameters or is corrupt; refusing to extend it. Nothing was changed.");
                }
            }
        }
    }

    /// <summary>
    /// Offers the labels [start, end) already on disk to the VRF search. A stored label is the first 16 bytes of its
    /// 32-byte output, so only labels whose 16 bytes do not exceed the current bound (the best output so far, else the
    /// difficulty) can win; just those are recomputed in full. With random labels that is a handful of recomputations.
    /// </summary>
    private void ScanStoredLabelsForNonce(InitOptions o, PostDataLayout layout, byte[] commitment, ulong start,
        ulong end, VrfBest best, CancellationToken ct)
    {
        _log.ScanningStoredLabels(end - start);
        const int ChunkLabels = 1 << 16;
        var buffer = new byte[ChunkLabels * PostDataLayout.LabelSize];
        var difficulty = o.VrfDifficulty ?? VrfDifficulty.ForLabels(layout.TotalLabels);
        for (int file = layout.FileOf(start); file <= layout.FileOf(end - 1); file++)
        {
            ulong first = Math.Max(start, layout.FirstLabel(file));
            ulong last = Math.Min(end, layout.FirstLabel(file) + layout.LabelsInFile(file));
            var path = Path.Combine(o.DataDir, PostDataLayout.FileName(file));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
            fs.Position = (long)((first - layout.FirstLabel(file)) * PostDataLayout.LabelSize);
            for (ulong index = first; index < last;)
            {
                ct.ThrowIfCancellationRequested();
                int count = (int)Math.Min(ChunkLabels, last - index);
                fs.ReadExactly(buffer.AsSpan(0, count * PostDataLayout.LabelSize));
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> bound = (best.Output ?? difficulty).AsSpan(0, PostDataLayout.LabelSize);
                    if (buffer.AsSpan(i * PostDataLayout.LabelSize, PostDataLayout.LabelSize).SequenceCompareTo(bound) <= 0)
                    {
                        ulong candidate = index + (ulong)i;
                        var output = ComputeOne(commitment, o.ScryptN, candidate, ct);
                        if (VrfDifficulty.IsBelow(output, difficulty))
                        {
                            best.Offer(candidate, output);
                        }
                    }
                }

                index += (ulong)count;
            }
        }
    }

    private byte[] ComputeOne(byte[] commitment, ulong n, ulong index, CancellationToken ct)
    {
        var output = new byte[32];
        _providers[0].ComputeOutputs(commitment, n, index, 1, output, ct);
        return output;
    }

    private static (PostMetadata Metadata, bool Changed) FinishMetadata(string dataDir, PostMetadata metadata,
        uint numUnits, VrfBest best, ulong? searchedBeyond)
    {
        var updated = metadata with
        {
            NumUnits = numUnits,
            Nonce = best.Index ?? metadata.Nonce,
            LastPosition = searchedBeyond ?? metadata.LastPosition,
            NonceValue = null,
        };
        bool changed = updated != metadata || updated.Nonce != metadata.Nonce;
        if (changed)
        {
            updated.Save(dataDir);
        }

        return (updated, changed);
    }
}
