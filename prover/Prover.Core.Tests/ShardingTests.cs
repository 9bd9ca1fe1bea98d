using System.Security.Cryptography;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>Initialization split into shards that share one directory, their merge, and their progress.</summary>
public class ShardingTests
{
    private static readonly NodeId Node = new(TestData.Repeat(0x4d));
    private static readonly AtxId Atx = new(TestData.Repeat(0x00));

    // 8 units × 200 labels in files of 200 labels: 8 files, a few hundred labels per shard at N = 16.
    private static InitOptions Options(string dir, ShardSpec? shard = null, ulong n = 16, NodeId? node = null,
        byte[]? vrf = null) => new()
        {
            DataDir = dir,
            NodeId = node ?? Node,
            CommitmentAtxId = Atx,
            NumUnits = 8,
            LabelsPerUnit = 200,
            MaxFileSize = 16 * 200,
            ScryptN = n,
            Shard = shard,
            VrfDifficulty = vrf,
            CheckpointInterval = TimeSpan.Zero,
        };

    private static void AssertSameData(string expected, string actual)
    {
        Assert.Equal(PostDataLayout.ListFiles(expected).Select(f => Path.GetFileName(f.Path)),
            PostDataLayout.ListFiles(actual).Select(f => Path.GetFileName(f.Path)));
        Assert.Equal(LabelFiles.ReadAll(expected), LabelFiles.ReadAll(actual));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, PostMetadata.FileName)),
            File.ReadAllBytes(Path.Combine(actual, PostMetadata.FileName)));
    }

    /// <summary>Every file, its size and its SHA-256: what "nothing deleted or changed" compares.</summary>
    private static Dictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir).Where(p => !Path.GetFileName(p).StartsWith(".post.lock", StringComparison.Ordinal))
            .ToDictionary(p => Path.GetFileName(p), p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));

    [Fact]
    public void Shards_cover_every_file_once_in_contiguous_runs_balanced_to_within_one_file()
    {
        for (int files = 1; files <= 40; files++)
        {
            for (int count = 1; count <= files; count++)
            {
                var ranges = Enumerable.Range(0, count).Select(i => ShardPlan.FileRange(files, count, i)).ToList();
                Assert.Equal(0, ranges[0].FromFile);
                Assert.Equal(files - 1, ranges[^1].ToFile);
                for (int i = 1; i < count; i++)
                {
                    Assert.Equal(ranges[i - 1].ToFile + 1, ranges[i].FromFile);
                }

                var sizes = ranges.Select(r => r.ToFile - r.FromFile + 1).ToList();
                Assert.True(sizes.Min() >= 1 && sizes.Max() - sizes.Min() <= 1, $"{files} files in {count} shards: {string.Join(",", sizes)}");
                for (int f = 0; f < files; f++)
                {
                    int shard = ShardPlan.ShardOf(files, count, f);
                    Assert.InRange(f, ranges[shard].FromFile, ranges[shard].ToFile);
                }
            }
        }
    }

    [Fact]
    public void The_shard_index_comes_from_the_flag_then_slurm_then_kubernetes()
    {
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "2", ["JOB_COMPLETION_INDEX"] = "3" };
        Assert.Equal(new ShardSpec(1, 4), ShardSpec.Resolve(4, 1, env.GetValueOrDefault));
        Assert.Equal(new ShardSpec(2, 4), ShardSpec.Resolve(4, null, env.GetValueOrDefault));
        env.Remove("SLURM_ARRAY_TASK_ID");
        Assert.Equal(new ShardSpec(3, 4), ShardSpec.Resolve(4, null, env.GetValueOrDefault));
        Assert.Null(ShardSpec.Resolve(null, null, env.GetValueOrDefault));
    }

    [Theory]
    [InlineData(null, 1, null, InputField.ShardIndex, "needs shardCount")]
    [InlineData(4, null, null, InputField.ShardIndex, "SLURM_ARRAY_TASK_ID")]
    [InlineData(4, 4, null, InputField.ShardIndex, "numbered 0..3")]
    [InlineData(4, null, "4", InputField.ShardIndex, "SLURM_ARRAY_TASK_ID=4")]
    [InlineData(4, null, "one", InputField.ShardIndex, "'one'")]
    [InlineData(0, 0, null, InputField.ShardCount, "at least 1")]
    public void A_missing_or_impossible_shard_index_is_refused_naming_where_it_came_from(int? count, int? index, string? slurm,
        string field, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            ShardSpec.Resolve(count, index, v => v == "SLURM_ARRAY_TASK_ID" ? slurm : null));
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void More_shards_than_files_or_a_shard_with_a_file_range_is_refused_before_anything_is_written()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        var e = Assert.Throws<InvalidInputException>(() => Initializer.ValidateOptions(Options(dir, new ShardSpec(0, 9))));
        Assert.Equal(InputField.ShardCount, e.Field);
        Assert.Contains("8 files", e.Message);
        e = Assert.Throws<InvalidInputException>(() => Initializer.ValidateOptions(Options(dir, new ShardSpec(0, 4)) with { FromFile = 1 }));
        Assert.Equal(InputField.ShardCount, e.Field);
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>
    /// Four shards run at the same time into one directory, started in a shuffled order; the merge then writes the
    /// metadata. Files and metadata are byte-identical to one run over the whole identity, and no shard touched the
    /// metadata (it does not exist before the merge).
    /// </summary>
    [Fact]
    public void Shards_running_at_once_in_one_directory_then_merged_equal_a_single_machine_run()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        new Initializer([provider]).Run(Options(tmp.Sub("single")));

        var shared = tmp.Sub("shared");
        var order = new[] { 2, 0, 3, 1 };
        var results = new InitResult?[4];
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = order.Select(i => new Thread(() =>
        {
            try
            {
                using var own = InitializerTests.Provider();
                results[i] = new Initializer([own]).Run(Options(shared, new ShardSpec(i, 4)));
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        Assert.Equal(new[] { (0, 1), (2, 3), (4, 5), (6, 7) }, results.Select(r => (r!.FromFile, r.ToFile)));
        Assert.False(PostMetadata.Exists(shared));
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(File.Exists(ShardRecord.PathFor(shared, new ShardSpec(i, 4)))));

        var merged = new ShardMerge([provider]).Run(new MergeOptions { DataDir = shared, Seed = 1 });
        Assert.True(merged.Ok, string.Join("\n", merged.Problems.Select(p => p.Message)));
        AssertSameData(tmp.Sub("single"), shared);

        // Merging again changes nothing, and a whole-directory init finds the merged data complete.
        var again = new ShardMerge([provider]).Run(new MergeOptions { DataDir = shared, Seed = 2 });
        Assert.True(again.AlreadyMerged);
        Assert.True(new Initializer([provider]).Run(Options(shared)).AlreadyComplete);
        AssertSameData(tmp.Sub("single"), shared);
    }

    /// <summary>Shards run in their own directories (other machines) are gathered with <c>from</c>.</summary>
    [Fact]
    public void Shards_made_in_separate_directories_are_copied_in_and_merged_identically()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        new Initializer([provider]).Run(Options(tmp.Sub("single")));
        var sources = Enumerable.Range(0, 3).Select(i => tmp.Sub($"worker{i}")).ToList();
        for (int i = 0; i < 3; i++)
        {
            new Initializer([provider]).Run(Options(sources[i], new ShardSpec(i, 3)));
        }

        var result = new ShardMerge([provider]).Run(new MergeOptions { DataDir = tmp.Sub("merged"), From = sources });
        Assert.True(result.Ok, string.Join("\n", result.Problems.Select(p => p.Message)));
        Assert.Contains("postdata_7.bin", result.Copied);
        AssertSameData(tmp.Sub("single"), tmp.Sub("merged"));
        Assert.All(sources, s => Assert.False(PostMetadata.Exists(s)));
    }

    /// <summary>
    /// When no label of the data is below the VRF difficulty, the shards record none and the merge searches past the
    /// data as one machine does: the same nonce and the same LastPosition.
    /// </summary>
    [Fact]
    public void With_no_nonce_in_the_data_the_merge_searches_past_it_like_a_single_machine()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        var commitment = Commitment.Of(Node, Atx).ToArray();
        var outputs = new byte[1600 * 32];
        provider.ComputeOutputs(commitment, 16, 0, 1600, outputs);
        // The smallest output of the data: no label of the data is strictly below it.
        var difficulty = Enumerable.Range(0, 1600).Select(i => outputs.AsSpan(i * 32, 32).ToArray())
            .Min(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))!;
        new Initializer([provider]).Run(Options(tmp.Sub("single"), vrf: difficulty));
        var single = PostMetadata.Load(tmp.Sub("single"));
        Assert.NotNull(single.LastPosition);

        for (int i = 0; i < 2; i++)
        {
            var r = new Initializer([provider]).Run(Options(tmp.Sub("shared"), new ShardSpec(i, 2), vrf: difficulty));
            Assert.Null(r.Nonce);
        }

        var merged = new ShardMerge([provider]).Run(new MergeOptions { DataDir = tmp.Sub("shared") });
        Assert.True(merged.Ok, string.Join("\n", merged.Problems.Select(p => p.Message)));
        Assert.True(merged.LabelsSearchedBeyond > 0);
        AssertSameData(tmp.Sub("single"), tmp.Sub("shared"));
    }

    /// <summary>A provider that holds its first call until released: a shard that is surely still running.</summary>
    private sealed class GatedProvider(ILabelProvider inner) : ILabelProvider
    {
        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public string Id => inner.Id;
        public string Name => inner.Name;
        public ProviderKind Kind => inner.Kind;
        public int PreferredBatchSize(ulong scryptN) => 16;

        public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count, Span<byte> output32,
            CancellationToken cancellationToken = default)
        {
            Entered.Set();
            Release.Wait(cancellationToken);
            inner.ComputeOutputs(commitment, scryptN, startIndex, count, output32, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void The_same_shard_or_an_overlapping_one_started_while_it_runs_is_refused_naming_the_holder()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        using var gated = new GatedProvider(InitializerTests.Provider());
        Exception? firstFailure = null;
        var first = new Thread(() =>
        {
            try
            {
                new Initializer([gated]).Run(Options(dir, new ShardSpec(1, 4)));
            }
            catch (Exception e)
            {
                firstFailure = e;
            }
        });
        first.Start();
        Assert.True(gated.Entered.Wait(TimeSpan.FromMinutes(1)), "the first run never started computing");
        var progressBefore = File.ReadAllText(Path.Combine(dir, ShardProgress.FileNameOf(new ShardSpec(1, 4))));

        using var provider = InitializerTests.Provider();
        var twice = Assert.Throws<DataDirLockedException>(() => new Initializer([provider]).Run(Options(dir, new ShardSpec(1, 4))));
        Assert.Contains("files 2..3", twice.Message);
        Assert.Contains($"PID {Environment.ProcessId} (post init shard 1/4", twice.Message);
        var overlapping = Assert.Throws<DataDirLockedException>(() => new Initializer([provider]).Run(Options(dir, new ShardSpec(0, 2))));
        Assert.Contains("overlap files 2..3", overlapping.Message);
        var whole = Assert.Throws<DataDirLockedException>(() => new Initializer([provider]).Run(Options(dir)));
        Assert.Contains("post init shard 1/4", whole.Message);
        var merge = Assert.Throws<DataDirLockedException>(() => new ShardMerge([provider]).Run(new MergeOptions { DataDir = dir }));
        Assert.Contains("post init shard 1/4", merge.Message);

        // Another shard runs beside it; the refused ones left the running shard's progress alone.
        Assert.Equal(progressBefore, File.ReadAllText(Path.Combine(dir, ShardProgress.FileNameOf(new ShardSpec(1, 4)))));
        Assert.Equal((4, 5), (new Initializer([provider]).Run(Options(dir, new ShardSpec(2, 4))) is var r ? (r.FromFile, r.ToFile) : default));
        gated.Release.Set();
        first.Join();
        Assert.Null(firstFailure);
    }

    [Fact]
    public void A_shard_refuses_a_directory_holding_shards_of_another_identity_or_n()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        using var provider = InitializerTests.Provider();
        new Initializer([provider]).Run(Options(dir, new ShardSpec(0, 4)));
        var before = Snapshot(dir);
        var e = Assert.Throws<InvalidInputException>(() => new Initializer([provider]).Run(Options(dir, new ShardSpec(1, 4), n: 32)));
        Assert.Contains(".post-shard-0-of-4.json", e.Message);
        Assert.Contains("scrypt N = 16, not 32", e.Message);
        Assert.Equal(before, Snapshot(dir));
    }

    /// <summary>
    /// A directory with a missing file, a truncated one, one from another identity and one made with another N: each is
    /// named with the shard that should redo it, no metadata is written, and nothing is deleted or changed.
    /// </summary>
    [Fact]
    public void Merge_names_missing_truncated_foreign_and_other_n_files_with_their_shard_and_deletes_nothing()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        var dir = tmp.Sub("d");
        for (int i = 0; i < 4; i++)
        {
            new Initializer([provider]).Run(Options(dir, new ShardSpec(i, 4)));
        }

        var other = tmp.Sub("other-identity");
        new Initializer([provider]).Run(Options(other, new ShardSpec(2, 4), node: new NodeId(TestData.Repeat(0x11))));
        var otherN = tmp.Sub("other-n");
        new Initializer([provider]).Run(Options(otherN, new ShardSpec(3, 4), n: 32));

        File.Delete(Path.Combine(dir, "postdata_1.bin"));
        using (var fs = new FileStream(Path.Combine(dir, "postdata_2.bin"), FileMode.Open))
        {
            fs.SetLength(16 * 150);
        }

        File.Copy(Path.Combine(other, "postdata_5.bin"), Path.Combine(dir, "postdata_5.bin"), overwrite: true);
        File.Copy(Path.Combine(otherN, "postdata_6.bin"), Path.Combine(dir, "postdata_6.bin"), overwrite: true);
        var before = Snapshot(dir);

        var result = new ShardMerge([provider]).Run(new MergeOptions { DataDir = dir, Seed = 3 });
        Assert.False(result.Ok);
        Assert.Null(result.Metadata);
        var byFile = result.Problems.Where(p => p.File is not null).ToDictionary(p => p.File!.Value);
        Assert.Equal(new[] { 1, 2, 5, 6 }, byFile.Keys.Order());
        Assert.Contains("missing", byFile[1].Message);
        Assert.Equal(new ShardSpec(0, 4), byFile[1].Redo);
        Assert.Contains("truncated: 150 of 200 labels", byFile[2].Message);
        Assert.Equal(new ShardSpec(1, 4), byFile[2].Redo);
        Assert.Contains("not this data's", byFile[5].Message);
        Assert.Equal(new ShardSpec(2, 4), byFile[5].Redo);
        Assert.Contains("made with scrypt N = 32, not 16", byFile[6].Message);
        Assert.Equal(new ShardSpec(3, 4), byFile[6].Redo);
        Assert.All(byFile.Values, p => Assert.Contains($"shardIndex {p.Redo!.Value.Index}", p.Message));
        Assert.False(PostMetadata.Exists(dir));
        Assert.Equal(before, Snapshot(dir));

    }

    /// <summary>A shard run with the wrong identity elsewhere and gathered with the others: its record and its files are
    /// named as another identity's.</summary>
    [Fact]
    public void Merge_names_a_gathered_shard_of_another_identity_by_its_record()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        var dir = tmp.Sub("d");
        foreach (int i in new[] { 0, 1, 3 })
        {
            new Initializer([provider]).Run(Options(dir, new ShardSpec(i, 4)));
        }

        var other = tmp.Sub("other-identity");
        var otherNode = new NodeId(TestData.Repeat(0x11));
        new Initializer([provider]).Run(Options(other, new ShardSpec(2, 4), node: otherNode));
        var result = new ShardMerge([provider]).Run(new MergeOptions { DataDir = dir, From = [other] });
        Assert.False(result.Ok);
        Assert.Contains("postdata_4.bin", result.Copied);
        Assert.Contains(result.Problems, p => p.Path.EndsWith(".post-shard-2-of-4.json", StringComparison.Ordinal)
                                            && p.Message.Contains($"node id {otherNode}", StringComparison.Ordinal));
        foreach (int f in new[] { 4, 5 })
        {
            var problem = Assert.Single(result.Problems, p => p.File == f);
            Assert.Contains($"made with node id {otherNode}", problem.Message);
            Assert.Equal(new ShardSpec(2, 4), problem.Redo);
        }

        Assert.False(PostMetadata.Exists(dir));
        Assert.True(File.Exists(Path.Combine(other, "postdata_4.bin")));
    }

    [Fact]
    public void A_shard_sigkilled_state_is_resumed_and_an_unfinished_shard_is_named_by_the_merge()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        var dir = tmp.Sub("d");
        new Initializer([provider]).Run(Options(tmp.Sub("single")));
        for (int i = 0; i < 4; i++)
        {
            if (i != 1)
            {
                new Initializer([provider]).Run(Options(dir, new ShardSpec(i, 4)));
            }
        }

        // Shard 1 stopped after its first checkpoint.
        using var cts = new CancellationTokenSource();
        var stopped = Options(dir, new ShardSpec(1, 4)) with { AfterCheckpoint = _ => cts.Cancel() };
        using (var small = new SmallBatchProvider(InitializerTests.Provider(), 16))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => new Initializer([small]).Run(stopped, null, cts.Token));
        }

        var unfinished = new ShardMerge([provider]).Run(new MergeOptions { DataDir = dir });
        Assert.False(unfinished.Ok);
        Assert.All(unfinished.Problems, p => Assert.Equal(new ShardSpec(1, 4), p.Redo));
        var status = ShardStatus.Read(dir, TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow);
        Assert.Equal(ShardCondition.Interrupted, status.Shards[1].Condition);

        var resumed = new Initializer([provider]).Run(Options(dir, new ShardSpec(1, 4)));
        Assert.True(resumed.ResumedFrom > 400);
        Assert.True(new ShardMerge([provider]).Run(new MergeOptions { DataDir = dir }).Ok);
        AssertSameData(tmp.Sub("single"), dir);
    }

    [Fact]
    public void Status_sums_the_shards_and_marks_silent_ones_stalled()
    {
        using var tmp = new TempDir();
        using var provider = InitializerTests.Provider();
        var dir = tmp.Sub("d");
        new Initializer([provider]).Run(Options(dir, new ShardSpec(0, 4)));
        new Initializer([provider]).Run(Options(dir, new ShardSpec(3, 4)));

        // A running shard as a worker elsewhere writes it: half done, 100 labels/s.
        var now = DateTimeOffset.UtcNow;
        new ShardProgress
        {
            Shard = 1,
            Shards = 4,
            FromFile = 2,
            ToFile = 3,
            DataLabels = 1600,
            LabelsPerFile = 200,
            LabelsDone = 200,
            LabelsTotal = 400,
            LabelsPerSecond = 100,
            Started = now.AddSeconds(-2),
            Updated = now,
            Pid = 1,
            Host = "elsewhere",
            State = ShardProgress.Running,
        }.Save(dir);

        var status = ShardStatus.Read(dir, TimeSpan.FromMinutes(1), now.AddSeconds(1));
        Assert.Equal(new[] { ShardCondition.Done, ShardCondition.Running, ShardCondition.NotStarted, ShardCondition.Done },
            status.Shards.Select(s => s.Condition));
        Assert.Equal(400UL + 200 + 0 + 400, status.LabelsDone);
        Assert.Equal(1600UL, status.LabelsTotal);
        Assert.Equal(100, status.LabelsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(6), status.Eta);
        Assert.Equal(TimeSpan.FromSeconds(2), status.Shards[1].Eta);

        var later = ShardStatus.Read(dir, TimeSpan.FromMinutes(1), now.AddMinutes(5));
        Assert.Equal(ShardCondition.Stalled, later.Shards[1].Condition);
        Assert.Contains("no update for 300 s", later.Shards[1].Why);
        Assert.Null(later.Eta);
    }
}
