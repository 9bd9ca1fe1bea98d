using Prover.Core.Crypto;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

public class InitializerTests
{
    private static readonly byte[] Node = TestData.Repeat(0x4d);
    private static readonly byte[] Atx = TestData.Repeat(0x00);

    internal static ILabelProvider Provider() => TestProviders.Fast();

    private static InitOptions Options(string dir, uint units = 4, ulong lpu = 250, ulong maxFileSize = 16 * 100,
        ulong n = 16, int? from = null, int? to = null, byte[]? vrf = null) => new()
        {
            DataDir = dir,
            NodeId = new NodeId(Node),
            CommitmentAtxId = new AtxId(Atx),
            NumUnits = units,
            LabelsPerUnit = lpu,
            MaxFileSize = maxFileSize,
            ScryptN = n,
            FromFile = from,
            ToFile = to,
            VrfDifficulty = vrf ?? VrfDifficulty.Maximum(),
            CheckpointInterval = TimeSpan.Zero,
        };

    private static byte[] Expected(ulong count, ulong n)
    {
        var commitment = Labels.Commitment(new NodeId(Node), new AtxId(Atx)).ToArray();
        var all = new byte[count * 16];
        for (ulong i = 0; i < count; i++)
        {
            Labels.Label(commitment, i, n).CopyTo(all, (int)(i * 16));
        }

        return all;
    }

    /// <summary>
    /// A run killed before its first checkpoint leaves labels on disk but no state file. The resumed run must still
    /// offer those labels to the VRF search (from the stored bytes), so the nonce equals an uninterrupted run's, for
    /// the maximum difficulty (every label a candidate) and for go-spacemesh's default.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Labels_on_disk_without_a_state_file_take_part_in_the_nonce_search(bool maxDifficulty)
    {
        using var whole = new TempDir();
        using var partial = new TempDir();
        using var provider = Provider();
        byte[]? vrf = maxDifficulty ? VrfDifficulty.Maximum() : VrfDifficulty.ForLabels(4000);
        var reference = new Initializer([provider]).Run(Options(whole.Path, 4, 1000, 16 * 500, 16, vrf: vrf));
        Assert.NotNull(reference.Nonce);

        // Copy the metadata as it is before a nonce is found, the files up to the one holding the nonce and half of
        // the next one, and no state file: what a run killed before its first checkpoint leaves behind.
        (PostMetadata.Load(whole.Path) with { Nonce = null }).Save(partial.Path);
        int nonceFile = (int)(reference.Nonce!.Value / 500);
        for (int f = 0; f <= nonceFile; f++)
            File.Copy(Path.Combine(whole.Path, PostDataLayout.FileName(f)), Path.Combine(partial.Path, PostDataLayout.FileName(f)));
        if (nonceFile + 1 < 8)
        {
            var next = File.ReadAllBytes(Path.Combine(whole.Path, PostDataLayout.FileName(nonceFile + 1)));
            File.WriteAllBytes(Path.Combine(partial.Path, PostDataLayout.FileName(nonceFile + 1)), next.AsSpan(0, 250 * 16).ToArray());
        }

        var resumed = new Initializer([provider]).Run(Options(partial.Path, 4, 1000, 16 * 500, 16, vrf: vrf));
        Assert.True(resumed.ResumedFrom > reference.Nonce);
        Assert.Equal(reference.Nonce, resumed.Nonce);
        Assert.Equal(reference.NonceOutput, resumed.NonceOutput);
        Assert.Equal(LabelFiles.ReadAll(whole.Path), LabelFiles.ReadAll(partial.Path));
        Assert.Equal(reference.Nonce, PostMetadata.Load(partial.Path).Nonce);
    }

    [Fact]
    public void End_to_end_proof_1_parameters_give_127_files_and_nonce_37956()
    {
        using var dir = new TempDir();
        using var provider = Provider();
        var result = new Initializer([provider]).Run(Options(dir.Path, 31, 4096, 16000, 2));

        Assert.Equal(127, PostDataLayout.ListFiles(dir.Path).Count);
        Assert.Equal(976 * 16, new FileInfo(Path.Combine(dir.Path, "postdata_126.bin")).Length);
        Assert.Equal(37956UL, result.Nonce);
        Assert.Equal("0001024819fa83fb6fe611def63450b27b2ef9baf9db91632c8acc646ac57399", Convert.ToHexStringLower(result.NonceOutput!));
        var metadata = PostMetadata.Load(dir.Path);
        Assert.Equal(37956UL, metadata.Nonce);
        Assert.Equal(16000UL, metadata.MaxFileSize);
        Assert.Null(metadata.LastPosition);

        // Spot-check the bytes against the scalar oracle: every file's first and last label, plus the spec's first labels.
        var commitment = Labels.Commitment(new NodeId(Node), new AtxId(Atx)).ToArray();
        var data = LabelFiles.ReadAll(dir.Path);
        Assert.Equal(126976 * 16, data.Length);
        for (ulong f = 0; f < 127; f++)
        {
            foreach (var i in new[] { f * 1000, Math.Min(f * 1000 + 999, 126975) })
            {
                Assert.Equal(Labels.Label(commitment, i, 2), data.AsSpan((int)i * 16, 16).ToArray());
            }
        }

        var e2e = TestData.Load("vectors_e2e.json").GetProperty("end_to_end");
        int k = 0;
        foreach (var l in e2e.GetProperty("first_labels").EnumerateArray())
        {
            Assert.Equal(l.Hex(), data.AsSpan(16 * k++, 16).ToArray());
        }
    }

    [Fact]
    public void Files_equal_the_oracle_and_rerun_is_a_no_op()
    {
        using var dir = new TempDir();
        using var provider = Provider();
        var first = new Initializer([provider]).Run(Options(dir.Path));
        Assert.False(first.AlreadyComplete);
        Assert.Equal(1000UL, first.LabelsComputed);
        Assert.Equal(Expected(1000, 16), LabelFiles.ReadAll(dir.Path));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir.Path, "postdata_0.bin"));

        var again = new Initializer([provider]).Run(Options(dir.Path));
        Assert.True(again.AlreadyComplete);
        Assert.Equal(0UL, again.LabelsComputed);
        Assert.Equal(first.Nonce, again.Nonce);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir.Path, "postdata_0.bin")));
    }

    [Fact]
    public void Interrupted_run_resumes_and_gives_identical_files()
    {
        using var dir = new TempDir();
        using var provider = new SmallBatchProvider(Provider(), 37);
        using var cts = new CancellationTokenSource();
        int checkpoints = 0;
        var options = Options(dir.Path) with
        {
            AfterCheckpoint = _ =>
            {
                if (++checkpoints == 3)
                {
                    cts.Cancel();
                }
            },
        };
        Assert.ThrowsAny<OperationCanceledException>(() => new Initializer([provider]).Run(options, null, cts.Token));
        ulong partial = (ulong)LabelFiles.ReadAll(dir.Path).Length / 16;
        Assert.InRange(partial, 1UL, 999UL);

        // Garbage past the resume point (a torn write) must be discarded, never kept.
        var last = PostDataLayout.ListFiles(dir.Path)[^1].Path;
        using (var fs = new FileStream(last, FileMode.Append))
        {
            fs.Write(new byte[] { 1, 2, 3, 4, 5, 6, 7 });
        }

        var resumed = new Initializer([provider]).Run(Options(dir.Path));
        Assert.Equal(partial, resumed.ResumedFrom);
        Assert.Equal(1000 - partial, resumed.LabelsComputed);
        Assert.Equal(Expected(1000, 16), LabelFiles.ReadAll(dir.Path));

        using var fresh = new TempDir();
        var reference = new Initializer([provider]).Run(Options(fresh.Path));
        Assert.Equal(reference.Nonce, resumed.Nonce);
        Assert.Equal(File.ReadAllText(Path.Combine(fresh.Path, PostMetadata.FileName)),
            File.ReadAllText(Path.Combine(dir.Path, PostMetadata.FileName)));
    }

    [Fact]
    public void Resume_refuses_data_made_with_another_scrypt_n()
    {
        using var dir = new TempDir();
        using var provider = Provider();
        new Initializer([provider]).Run(Options(dir.Path, to: 2));
        File.Delete(Directory.GetFiles(dir.Path, ".post-init-*").Single());
        var before = LabelFiles.ReadAll(dir.Path);

        var e = Assert.Throws<InvalidInputException>(() => new Initializer([provider]).Run(Options(dir.Path, n: 32)));
        Assert.Contains("differs from a fresh computation", e.Message);
        Assert.Equal(before, LabelFiles.ReadAll(dir.Path));
    }

    [Fact]
    public void Resume_refuses_another_identity_or_layout_and_keeps_the_data()
    {
        using var dir = new TempDir();
        using var provider = Provider();
        new Initializer([provider]).Run(Options(dir.Path, to: 1));
        var before = LabelFiles.ReadAll(dir.Path);
        var metadataBefore = File.ReadAllText(Path.Combine(dir.Path, PostMetadata.FileName));

        var other = Options(dir.Path) with { NodeId = new NodeId(TestData.Repeat(0x77)) };
        Assert.Contains("NodeId", Assert.Throws<InvalidInputException>(() => new Initializer([provider]).Run(other)).Message);
        Assert.Contains("MaxFileSize", Assert.Throws<InvalidInputException>(() =>
            new Initializer([provider]).Run(Options(dir.Path, maxFileSize: 3200))).Message);
        Assert.Equal(before, LabelFiles.ReadAll(dir.Path));
        Assert.Equal(metadataBefore, File.ReadAllText(Path.Combine(dir.Path, PostMetadata.FileName)));
    }

    [Fact]
    public void Sharded_ranges_merge_into_the_same_data()
    {
        using var whole = new TempDir();
        using var shards = new TempDir();
        using var provider = Provider();
        var full = new Initializer([provider]).Run(Options(whole.Path));
        var a = new Initializer([provider]).Run(Options(shards.Path, from: 0, to: 4));
        var b = new Initializer([provider]).Run(Options(shards.Path, from: 5, to: 9));
        Assert.Equal((0, 4, 0UL, 500UL), (a.FromFile, a.ToFile, a.FirstLabel, a.EndLabel));
        Assert.Equal(500UL, b.FirstLabel);
        Assert.Equal(LabelFiles.ReadAll(whole.Path), LabelFiles.ReadAll(shards.Path));
        // The second shard compares its nonce with the one the first recorded and keeps the better.
        Assert.Equal(full.Nonce, PostMetadata.Load(shards.Path).Nonce);
    }

    [Fact]
    public void Vrf_search_continues_past_the_data_when_nothing_qualifies()
    {
        using var dir = new TempDir();
        using var provider = Provider();
        var difficulty = new byte[32];
        difficulty[0] = 0x01; // about 1 label in 256 qualifies: none among 8 labels for this identity
        var options = Options(dir.Path, units: 1, lpu: 8, maxFileSize: 64, vrf: difficulty);
        var result = new Initializer([provider]).Run(options);

        Assert.NotNull(result.Nonce);
        Assert.True(result.Nonce >= 8, $"nonce {result.Nonce} should lie past the 8 labels");
        var output = new byte[32];
        Labels.Output32(Blake3.HashParts(Node, Atx), result.Nonce!.Value, 16, output);
        Assert.True(VrfDifficulty.IsBelow(output, difficulty));
        Assert.Equal(result.NonceOutput, output);
        Assert.NotNull(PostMetadata.Load(dir.Path).LastPosition);
        Assert.Equal(8 * 16, LabelFiles.ReadAll(dir.Path).Length);
    }

    [Fact]
    public void Several_providers_write_the_same_files_as_one()
    {
        using var one = new TempDir();
        using var many = new TempDir();
        using var p1 = Provider();
        using var p2 = new ReferenceLabelProvider(1);
        using var p3 = Provider();
        new Initializer([p1]).Run(Options(one.Path));
        new Initializer([p1, p2, p3]).Run(Options(many.Path));
        Assert.Equal(LabelFiles.ReadAll(one.Path), LabelFiles.ReadAll(many.Path));
        Assert.Equal(File.ReadAllText(Path.Combine(one.Path, PostMetadata.FileName)),
            File.ReadAllText(Path.Combine(many.Path, PostMetadata.FileName)));
    }
}
