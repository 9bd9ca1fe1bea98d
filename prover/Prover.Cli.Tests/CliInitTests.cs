using System.Diagnostics;
using System.Text.Json;
using Prover.Core.Data;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>The real <c>post</c> binary: SIGKILL and resume, flags, exit codes and stdout/stderr separation.</summary>
public class CliInitTests
{
    private static string[] InitArgs(string dir, params string[] extra) =>
    [
        "init", "--datadir", dir, "--node-id", string.Concat(Enumerable.Repeat("4d", 32)),
        "--commitment-atx-id", new string('0', 64), "--num-units", "8", "--labels-per-unit", "2000",
        "--max-file-size", "16000", "--scrypt-n", "64", "--vrf-difficulty", "max", .. extra,
    ];

    /// <summary>
    /// Kills <c>post init</c> with SIGKILL at random points and resumes; the result must equal an uninterrupted run
    /// with the default CPU provider. With "all" (CPU SIMD + the ILGPU CPU accelerator here, plus any GPU) the
    /// uninterrupted run and the resumed one must both be byte-identical to the CPU-only files.
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("all")]
    public void Sigkill_at_random_points_then_resume_gives_identical_files(string provider)
    {
        using var tmp = new TempDir();
        var clean = tmp.Sub("clean");
        var (code, stdout, cleanErr) = PostCli.Run(InitArgs(clean, "--json"));
        Assert.True(code == 0, cleanErr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal(16000, doc.RootElement.GetProperty("labels").GetInt64());
        }

        // An uninterrupted run with the provider under test must already match.
        var whole = tmp.Sub("whole");
        var (wholeCode, wholeOut, wholeErr) = PostCli.Run(InitArgs(whole, "--json", "--provider", provider));
        Assert.True(wholeCode == 0, wholeErr);
        Assert.Equal(LabelFiles.ReadAll(clean), LabelFiles.ReadAll(whole));
        if (provider == "all")
            Assert.Contains("ilgpu-cpu", wholeOut);

        // Kill points are chosen by progress (bytes of labels on disk), not by time, so the test does not depend on
        // the machine's speed or load: each run is killed once a random further 5-30% of the data has been written.
        var killed = tmp.Sub("killed");
        var random = new Random(12345);
        const long totalBytes = 16000 * 16;
        int kills = 0;
        for (int attempt = 0; attempt < 8 && kills < 4; attempt++)
        {
            long target = Math.Min(totalBytes - 1, BytesOnDisk(killed) + (long)(totalBytes * (0.05 + 0.25 * random.NextDouble())));
            using var p = Process.Start(PostCli.StartInfo(InitArgs(killed, "--provider", provider)))!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            while (!p.HasExited && BytesOnDisk(killed) < target)
                Thread.Sleep(1);
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
                p.WaitForExit();
                kills++;
            }
            else
            {
                Assert.True(p.ExitCode == 0, $"run {attempt} exited with {p.ExitCode}");
                break;
            }
        }

        Assert.True(kills >= 3, $"only {kills} runs were killed mid-way");
        var (finalCode, _, finalErr) = PostCli.Run(InitArgs(killed, "--provider", provider));
        Assert.True(finalCode == 0, finalErr);
        Assert.Equal(LabelFiles.ReadAll(clean), LabelFiles.ReadAll(killed));
        Assert.Equal(File.ReadAllText(Path.Combine(clean, PostMetadata.FileName)),
            File.ReadAllText(Path.Combine(killed, PostMetadata.FileName)));

        var (againCode, againOut, _) = PostCli.Run(InitArgs(killed));
        Assert.Equal(0, againCode);
        Assert.Contains("already complete", againOut);
    }

    private static long BytesOnDisk(string dir)
    {
        try
        {
            return Directory.Exists(dir)
                ? Directory.EnumerateFiles(dir, "postdata_*.bin").Sum(f => new FileInfo(f).Length)
                : 0;
        }
        catch (IOException)
        {
            return 0; // a file was truncated or replaced while listing; the next poll sees it
        }
    }

    [Theory]
    [InlineData("init --datadir {0} --num-units 1 --node-id zz --commitment-atx-id 00", "--node-id is not valid hex")]
    [InlineData("init --datadir {0} --num-units 1 --node-id 00 --commitment-atx-id 00", "--node-id must be 32 bytes")]
    [InlineData("init --datadir {0} --preset dev --scrypt-n 1000", "--scrypt-n must be a power of two")]
    [InlineData("init --datadir {0} --preset dev --from-file 99", "--from-file 99")]
    [InlineData("init --datadir {0} --preset nosuch", "nosuch")]
    [InlineData("init --datadir {0} --preset dev --bogus-flag", "--bogus-flag")]
    [InlineData("labels --commitment 00 --count 1", "--commitment must be 32 bytes")]
    [InlineData("labels --commitment 0000000000000000000000000000000000000000000000000000000000000000 --provider nope", "unknown provider 'nope'")]
    public void Bad_flags_exit_2_with_a_clear_message(string args, string expected)
    {
        using var tmp = new TempDir();
        var (code, stdout, stderr) = PostCli.Run(string.Format(args, tmp.Sub("d")).Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Short_aliases_are_aliases_not_default_values()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(InitArgs(dir)).ExitCode);
        var viaAlias = PostCli.Run("verify-data", "-d", dir, "-n", "64", "--fraction", "10", "--vrf-difficulty", "max");
        Assert.True(viaAlias.ExitCode == 0, viaAlias.StdErr);
        foreach (var command in new[] { "init", "prove", "verify-data" })
        {
            var help = PostCli.Run(command, "--help");
            Assert.Contains("-d, --datadir", help.StdOut);
            Assert.DoesNotContain("[default: -d]", help.StdOut);
        }
    }

    [Fact]
    public void Labels_prints_index_and_full_output_on_stdout_only()
    {
        var (code, stdout, _) = PostCli.Run("labels", "--commitment", new string('0', 64), "--start", "0", "--count", "3",
            "--scrypt-n", "32");
        Assert.Equal(0, code);
        Assert.Equal(
            "0 3cd5ce2d1db945a6ce00ecb6b13aa38bf9fd072d4c31782a75bcd721727e2c84\n" +
            "1 7423eebfe3bfab940ea408aed464e4d4b29521cfa4c0f38593182fa36063db0d\n" +
            "2 1203f1197a1081ae060172a1f7fc12123c86a35fa58215ac1c0449a5a9c2d612\n",
            stdout);
    }

    [Fact]
    public void Verify_data_reports_the_first_corrupt_label_by_file_and_offset()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(InitArgs(dir)).ExitCode);
        var ok = PostCli.Run("verify-data", "--datadir", dir, "--scrypt-n", "64", "--fraction", "100",
            "--vrf-difficulty", "max", "--json");
        Assert.True(ok.ExitCode == 0, ok.StdOut + ok.StdErr);

        // Corrupt one byte of label 5 of file 3.
        var path = Path.Combine(dir, "postdata_3.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[5 * 16 + 7] ^= 0x20;
        File.WriteAllBytes(path, bytes);
        var bad = PostCli.Run("verify-data", "--datadir", dir, "--scrypt-n", "64", "--fraction", "100");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("file 3 offset 80", bad.StdOut);

        // A truncated file is reported too.
        File.WriteAllBytes(path, bytes.AsSpan(0, 100).ToArray());
        var truncated = PostCli.Run("verify-data", "--datadir", dir, "--scrypt-n", "64");
        Assert.Equal(1, truncated.ExitCode);
        Assert.Contains("postdata_3.bin is 100 bytes", truncated.StdOut);
    }

    [Fact]
    public void Existing_data_of_another_identity_is_not_touched()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(InitArgs(dir)).ExitCode);
        var before = LabelFiles.ReadAll(dir);
        var args = InitArgs(dir);
        args[4] = new string('7', 64);
        var (code, _, stderr) = PostCli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains("describes different data", stderr);
        Assert.Equal(before, LabelFiles.ReadAll(dir));
    }
}
