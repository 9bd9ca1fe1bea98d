using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>Small data made once by the real <c>post init</c> (4 units × 256 labels, N = 16, 4 files of 4 KiB).</summary>
public sealed class HardeningProveData : IDisposable
{
    public const int LabelsPerFile = 256;
    public const ulong TotalLabels = 1024;

    private readonly TempDir _dir = new();

    public HardeningProveData()
    {
        var (code, _, stderr) = HardeningProveTests.Post(TimeSpan.FromMinutes(2), "init", "--datadir", DataDir,
            "--node-id", new string('a', 64), "--commitment-atx-id", new string('b', 64), "--num-units", "4",
            "--labels-per-unit", "256", "--scrypt-n", "16", "--max-file-size", "4096");
        Assert.True(code == 0, stderr);
    }

    public string DataDir => _dir.Sub("data");

    /// <summary>A private copy of the data (tests damage it).</summary>
    internal string Copy(TempDir into)
    {
        string target = into.Sub("data");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(DataDir))
        {
            if (Path.GetFileName(file) != DataDirLock.FileName)
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return target;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Issue 15, proving side: prove, k2pow and profile as a hostile user runs them.</summary>
public class HardeningProveTests(HardeningProveData data) : IClassFixture<HardeningProveData>
{
    private static readonly string Challenge = new('0', 64);
    private static readonly string Easy = new('f', 64);

    /// <summary>Easy parameters for the small data: a proof in the first pass, RandomX light mode.</summary>
    private static string[] ProveArgs(string dir, params string[] more) =>
    [
        "prove", "--datadir", dir, "--challenge", Challenge, "--k1", "100", "--k2", "37", "--nonces", "16",
        "--pow-difficulty", Easy, "--randomx-mode", "light", "--pow-threads", "1", .. more,
    ];

    /// <summary>Runs the real <c>post</c> with a time limit (a hang is a failure, not a 5-minute wait).</summary>
    internal static (int Code, string StdOut, string StdErr) Post(TimeSpan limit, params string[] args)
    {
        using var p = Process.Start(PostCli.StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(true);
            p.WaitForExit();
            Assert.Fail($"post {string.Join(' ', args)} did not finish within {limit}; stderr: {stderr.Result}");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static (int Code, string StdOut, string StdErr) Post(params string[] args) => Post(TimeSpan.FromSeconds(60), args);

    private static void NoTrace(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("System.", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    // ----- items 3 and 4: the files are checked against the metadata before any work -----

    [Fact]
    public void Prove_missing_file_is_refused_up_front_naming_it()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        File.Delete(Path.Combine(dir, "postdata_2.bin"));
        var (code, stdout, stderr) = Post(ProveArgs(dir));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("postdata_2.bin is missing", stderr);
        Assert.DoesNotContain("k2pow", stderr); // refused before any pass
        NoTrace(stderr);
    }

    [Fact]
    public void Prove_directory_in_place_of_a_file_is_refused_up_front_naming_it()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        File.Delete(Path.Combine(dir, "postdata_1.bin"));
        Directory.CreateDirectory(Path.Combine(dir, "postdata_1.bin"));
        var (code, stdout, stderr) = Post(ProveArgs(dir));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("postdata_1.bin is a directory", stderr);
        NoTrace(stderr);
    }

    [Fact]
    public void Prove_short_file_is_refused_up_front_with_the_sizes()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        using (var f = File.OpenWrite(Path.Combine(dir, "postdata_3.bin")))
        {
            f.SetLength(2048);
        }

        var (code, _, stderr) = Post(ProveArgs(dir));
        Assert.Equal(2, code);
        Assert.Contains("postdata_3.bin is 2048 bytes, expected 4096", stderr);
    }

    [Fact]
    public void Prove_num_units_raised_in_the_metadata_is_refused_at_once_naming_the_first_missing_file()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        string path = Path.Combine(dir, PostMetadata.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["NumUnits"] = 8;
        File.WriteAllText(path, json.ToJsonString());

        // Before the fix every nonce up to 4096 was tried (minutes here, hours at mainnet size).
        var clock = Stopwatch.StartNew();
        var (code, _, stderr) = Post(TimeSpan.FromSeconds(30), ProveArgs(dir));
        Assert.Equal(2, code);
        Assert.Contains("postdata_4.bin is missing", stderr);
        Assert.Contains("8 unit(s)", stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Prove_extra_file_beyond_the_metadata_is_refused()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        File.WriteAllBytes(Path.Combine(dir, "postdata_4.bin"), new byte[4096]);
        var (code, _, stderr) = Post(ProveArgs(dir));
        Assert.Equal(2, code);
        Assert.Contains("postdata_4.bin is not part of the data", stderr);
    }

    // ----- item 3: the proof is verified before it is printed -----

    [Fact]
    public void Prove_corrupt_label_in_the_proof_exits_one_naming_file_label_and_N_and_prints_no_proof()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        var clean = Post(ProveArgs(dir, "--threads", "1", "--json"));
        Assert.True(clean.Code == 0, clean.StdErr);
        var (proof, _) = ProofJson.Deserialize(clean.StdOut.Trim());
        ulong[] indices = proof.DecompressIndices(HardeningProveData.TotalLabels, 37);

        // A label that was not good for the winning nonce (it lies before the proof's last index, scanned in order by one
        // thread, and is not in the proof) gets the bytes of one that is: the score depends on the label's bytes only,
        // so the scan now takes it, and the network (which recomputes it with scrypt) would reject the proof.
        ulong last = indices.Max();
        ulong victim = Enumerable.Range(1, (int)last).Select(i => (ulong)i).Last(i => i < last && !indices.Contains(i));
        ulong donor = indices[0];
        byte[] label = ReadLabel(dir, donor);
        WriteLabel(dir, victim, label);

        var (code, stdout, stderr) = Post(ProveArgs(dir, "--threads", "1", "--json"));
        Assert.True(code == 1, stderr);
        Assert.Equal("", stdout);
        int file = (int)(victim / HardeningProveData.LabelsPerFile);
        long offset = (long)(victim % HardeningProveData.LabelsPerFile) * 16;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"label {victim} (postdata_{file}.bin at byte {offset})"), stderr);
        Assert.Contains("N=16", stderr); // from the init state post init left in the directory
        Assert.Contains("corrupt", stderr);
        NoTrace(stderr);
    }

    [Fact]
    public void Prove_scrypt_N_the_flag_wins_and_is_named_when_the_labels_do_not_match()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        var (code, stdout, stderr) = Post(ProveArgs(dir, "--scrypt-n", "32", "--json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("scrypt N=32 (from --scrypt-n)", stderr);
    }

    [Fact]
    public void Prove_without_init_state_finds_the_data_scrypt_N_and_prints_a_verified_proof()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        foreach (string state in Directory.EnumerateFiles(dir, ".post-init-*.json"))
        {
            File.Delete(state);
        }

        var (code, stdout, stderr) = Post(ProveArgs(dir, "--json"));
        Assert.True(code == 0, stderr);
        var (proof, metadata) = ProofJson.Deserialize(stdout.Trim());
        Assert.Equal(4u, metadata.NumUnits);
        Assert.Equal(37, proof.DecompressIndices(HardeningProveData.TotalLabels, 37).Length);
    }

    // ----- item 1: prove takes the shared lock -----

    [Fact]
    public void Prove_while_init_holds_the_directory_is_refused_naming_the_pid()
    {
        using var tmp = new TempDir();
        string dir = data.Copy(tmp);
        using (DataDirLock.AcquireExclusive(dir, "post init"))
        {
            var (code, stdout, stderr) = Post(ProveArgs(dir));
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), stderr);
            NoTrace(stderr);
        }

        Assert.Equal(0, Post(ProveArgs(dir, "--json")).Code);
    }

    // ----- item 9: impossible difficulties -----

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "no pow exists")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000003", "no pow exists")] // 3 / 4 units = 0
    [InlineData("0000000000000000000000000000000000000000000000000000000000ffffff", "more than the 2^56 pow candidates")]
    public void Prove_ImpossiblePowDifficulty_IsRefused(string difficulty, string why)
    {
        var args = ProveArgs(data.DataDir);
        args[Array.IndexOf(args, Easy)] = difficulty;
        var (code, _, stderr) = Post(TimeSpan.FromSeconds(30), args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --pow-difficulty", stderr);
        Assert.Contains(why, stderr);
    }

    [Fact]
    public void K2Pow_zero_difficulty_is_refused()
    {
        var (code, stdout, stderr) = Post(TimeSpan.FromSeconds(30), "k2pow", "--node-id", new string('7', 64), "--challenge",
            new string('0', 16), "--nonce-group", "1", "--difficulty", new string('0', 64), "--randomx-mode", "light");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: --difficulty", stderr);
        Assert.Contains("no pow exists", stderr);
    }

    [Fact]
    public void K2Pow_difficulty_expected_hashes_and_feasibility()
    {
        Assert.Equal(1.0, K2PowDifficulty.ExpectedHashes(TestData.Repeat(0xff)), 6);
        var d0fff = TestData.Repeat(0xff);
        d0fff[0] = 0x0f;
        Assert.Equal(16.0, K2PowDifficulty.ExpectedHashes(d0fff), 6);
        Assert.True(double.IsPositiveInfinity(K2PowDifficulty.ExpectedHashes(new byte[32])));

        var twoTo200 = new byte[32];
        twoTo200[6] = 1; // 2^(8·25) = 2^200: 2^56 hashes expected, the edge of the pow candidates
        Assert.Null(K2PowDifficulty.Infeasible(twoTo200));
        var twoTo199 = new byte[32];
        twoTo199[7] = 0x80;
        Assert.NotNull(K2PowDifficulty.Infeasible(twoTo199));
        Assert.NotNull(K2PowDifficulty.Infeasible(new byte[32]));
        Assert.Null(K2PowDifficulty.Infeasible(ProofConfig.Mainnet.PowDifficulty));
    }

    // ----- item 10: remote k2pow retries are logged and bounded -----

    [Fact]
    public void Prove_unreachable_remote_K2Pow_logs_each_retry_and_gives_up()
    {
        int port = PowTestHttpServer.PortOutsideEphemeralRange();
        var (code, stdout, stderr) = Post(ProveArgs(data.DataDir, "--remote-k2pow", $"http://127.0.0.1:{port}",
            "--remote-k2pow-retries", "2", "--remote-k2pow-backoff", "0.1"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("(nonce group 0, attempt 1 of 3); retrying in 0.1s", stderr);
        Assert.Contains("(nonce group 0, attempt 2 of 3); retrying in 0.1s", stderr);
        Assert.DoesNotContain("attempt 3 of 3); retrying", stderr);
        Assert.Contains($"error: k2pow service http://127.0.0.1:{port} unreachable", stderr);
        Assert.Contains("giving up after 2 retries", stderr);
        NoTrace(stderr);
    }

    [Fact]
    public async Task Remote_K2Pow_retry_limit_counts_only_transport_failures()
    {
        // 201 (in progress) and 429 (busy) are the protocol's "poll again", never failures: with no retries allowed the
        // job still ends with the pow.
        int polls = 0;
        using var server = new PowTestHttpServer(_ => Interlocked.Increment(ref polls) switch
        {
            <= 2 => (201, ""),
            3 => (429, ""),
            _ => (200, "77"),
        });
        var retries = new List<RemoteK2PowRetry>();
        using var client = new RemoteK2Pow(server.BaseAddress, new RemoteK2PowOptions
        {
            Backoff = TimeSpan.FromMilliseconds(10),
            MaxRetries = 0,
            OnRetry = retries.Add,
        });
        Assert.Equal(new[] { 77UL }, await client.ProveManyAsync([3], new byte[8], TestData.Repeat(0xff), new byte[32]));
        Assert.Empty(retries);
        Assert.Equal(1, client.GroupsDone);

        int port = PowTestHttpServer.PortOutsideEphemeralRange();
        using var down = new RemoteK2Pow(new Uri($"http://127.0.0.1:{port}"), new RemoteK2PowOptions
        {
            Backoff = TimeSpan.FromMilliseconds(10),
            MaxRetries = 3,
            OnRetry = retries.Add,
        });
        var e = await Assert.ThrowsAsync<RemoteK2PowException>(() =>
            down.ProveManyAsync([3], new byte[8], TestData.Repeat(0xff), new byte[32]).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("giving up after 3 retries", e.Message);
        Assert.Equal(new[] { 1, 2, 3 }, retries.Select(r => r.Attempt));
    }

    // ----- items 6, 15, 17: every numeric flag of prove, profile and profile pow is range-checked -----

    [Theory]
    [InlineData("--k1", "0")]
    [InlineData("--k2", "0")]
    [InlineData("--k2", "4294967295")]
    [InlineData("--nonces", "0")]
    [InlineData("--nonces", "-16")]
    [InlineData("--nonces", "8192")]
    [InlineData("--nonces", "17")]
    [InlineData("--threads", "-1")]
    [InlineData("--threads", "100000")]
    [InlineData("--pow-threads", "-1")]
    [InlineData("--pow-threads", "100000")]
    [InlineData("--remote-k2pow-retries", "-1")]
    [InlineData("--remote-k2pow-backoff", "-1")]
    [InlineData("--scrypt-n", "3")]
    [InlineData("--scrypt-n", "18446744073709551615")]
    public void Prove_out_of_range_number_is_a_parse_error_naming_the_flag(string flag, string value)
    {
        var (code, stdout, stderr) = Post(["prove", "--datadir", data.DataDir, "--challenge", Challenge, flag, value]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"error: {flag} must be", stderr);
        NoTrace(stderr);
    }

    [Fact]
    public void Prove_K2_above_the_labels_is_refused()
    {
        var args = ProveArgs(data.DataDir);
        args[Array.IndexOf(args, "--k2") + 1] = "2000";
        var (code, _, stderr) = Post(args);
        Assert.Equal(2, code);
        Assert.Contains("--k2 2000 exceeds the 1024 labels", stderr);
    }

    [Theory]
    [InlineData("profile", "--duration", "-1")]
    [InlineData("profile", "--threads", "-1")]
    [InlineData("profile", "--threads", "100000")]
    [InlineData("profile", "--nonces", "0")]
    [InlineData("profile", "--nonces", "8192")]
    [InlineData("profile", "--nonces", "40")]
    [InlineData("profile pow", "--threads", "-1")]
    [InlineData("profile pow", "-t", "-1")]
    [InlineData("profile pow", "--num-units", "0")]
    [InlineData("profile pow", "--iterations", "0")]
    [InlineData("profile pow", "--iterations", "-5")]
    [InlineData("profile pow", "--nonces", "0")]
    [InlineData("profile pow", "--nonces", "24")]
    public void Profile_out_of_range_number_is_a_parse_error_naming_the_flag(string command, string flag, string value)
    {
        var (code, stdout, stderr) = Post([.. command.Split(' '), flag, value]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string name = flag == "-t" ? "--threads" : flag;
        Assert.StartsWith($"error: {name} must be", stderr);
        NoTrace(stderr);
    }

    // ----- item 18: k2pow messages -----

    [Theory]
    [InlineData("--node-id", "00", "error: --node-id must be 32 bytes (64 hex digits), got 1 byte\n")]
    [InlineData("--node-id", "zz", "error: --node-id must be 32 bytes (64 hex digits): 'zz' is not valid hex\n")]
    [InlineData("--challenge", "0011", "error: --challenge must be 8 or 32 bytes (16 or 64 hex digits), got 2 bytes\n")]
    [InlineData("--nonce-group", "256", "error: --nonce-group must be between 0 and 255, got 256\n")]
    [InlineData("--num-units", "0", "error: --num-units must be at least 1 and at most 4294967295, got 0\n")]
    [InlineData("--threads", "5000", "error: --threads must be in 0..4096 (0 = all cores), got 5000\n")]
    public void K2Pow_bad_arguments_say_error_and_are_grammatical(string flag, string value, string expected)
    {
        var args = new Dictionary<string, string>
        {
            ["--node-id"] = new('7', 64),
            ["--challenge"] = new('0', 16),
            ["--nonce-group"] = "1",
            ["--difficulty"] = Easy,
            ["--randomx-mode"] = "light",
        };
        args[flag] = value;
        var (code, stdout, stderr) = Post(TimeSpan.FromSeconds(30), ["k2pow", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr);
    }

    // ----- item 22: the k2pow stage shows hashes, a rate and an ETA -----

    [Fact]
    public void Prove_K2Pow_progress_shows_hashes_rate_and_eta()
    {
        var (code, _, stderr) = Post(ProveArgs(data.DataDir, "--json"));
        Assert.True(code == 0, stderr);
        Assert.Matches(new Regex(@"k2pow: 0/1 pows, 0 hashes, 0 hashes/s, ETA unknown \(~\d+ hashes per pow\)"), stderr);
        Assert.Matches(new Regex(@"k2pow: 1/1 pows, [\d,]+ hashes, [\d,]+ hashes/s, done \(~\d+ hashes per pow\)"), stderr);
        Assert.DoesNotContain("K2Pow: 0.00", stderr);
    }

    [Fact]
    public void K2Pow_progress_eta_is_memoryless()
    {
        // 1000 hashes in 10 s = 100 hashes/s; 3 groups left × 500 expected hashes = 15 s whatever the current group has tried.
        var p = new K2PowProgress(1, 4, 1000, 500);
        Assert.Equal(100, p.HashesPerSecond(TimeSpan.FromSeconds(10)), 6);
        Assert.Equal(TimeSpan.FromSeconds(15), p.Remaining(TimeSpan.FromSeconds(10)));
        Assert.Null(new K2PowProgress(0, 4, null, 500).Remaining(TimeSpan.FromSeconds(10)));
        Assert.Null(new K2PowProgress(0, 4, 0, 500).Remaining(TimeSpan.Zero));
    }

    // ----- item 6: Ctrl-C during a long k2pow with many threads ends promptly -----

    [Fact]
    public async Task Prove_interrupted_during_the_K2Pow_exits_with_130_promptly()
    {
        // ~2^40 hashes per pow: the search would run for years; SIGINT must stop it.
        var args = ProveArgs(data.DataDir);
        args[Array.IndexOf(args, Easy)] = "0000000000ffffffffffffffffffffffffffffffffffffffffffffffffffffff";
        args[Array.IndexOf(args, "--pow-threads") + 1] = "16";
        using var p = Process.Start(PostCli.StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        var started = new ManualResetEventSlim();
        p.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (e.Data?.Contains("k2pow: 0/1 pows", StringComparison.Ordinal) == true)
            {
                started.Set();
            }
        };
        p.BeginErrorReadLine();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!started.Wait(TimeSpan.FromMilliseconds(200)) && !p.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            Assert.True(started.IsSet, $"the k2pow stage did not start: {stderr}");
            Thread.Sleep(500);
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            var clock = Stopwatch.StartNew();
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(15)), "prove ignored SIGINT");
            p.WaitForExit();
            Assert.Equal(130, p.ExitCode);
            Assert.Equal("", await stdout);
            lock (stderr)
            {
                Assert.Contains("interrupted.", stderr.ToString());
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15));
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(true);
            }
        }
    }

    // ----- item 23: profile pow in words -----

    [Fact]
    public void Profile_pow_keeps_post_rs_json_and_says_the_estimate_in_minutes_on_stderr()
    {
        var (code, stdout, stderr) = Post("profile", "pow", "--iterations", "1", "--randomx-mode", "light",
            "--difficulty", Easy, "--nonces", "32", "--num-units", "3");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(new[] { "randomx_vm_init_time", "average_time", "iterations" },
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Matches(new Regex(@"k2pow of one pass \(32 nonces = 2 nonce group\(s\), 3 unit\(s\)\): about .+ \([\d.]+ minutes\)"), stderr);
    }

    private static byte[] ReadLabel(string dir, ulong index)
    {
        var label = new byte[16];
        using var f = File.OpenRead(Path.Combine(dir, PostDataLayout.FileName((int)(index / HardeningProveData.LabelsPerFile))));
        f.Position = (long)(index % HardeningProveData.LabelsPerFile) * 16;
        f.ReadExactly(label);
        return label;
    }

    private static void WriteLabel(string dir, ulong index, byte[] label)
    {
        using var f = new FileStream(Path.Combine(dir, PostDataLayout.FileName((int)(index / HardeningProveData.LabelsPerFile))),
            FileMode.Open, FileAccess.Write);
        f.Position = (long)(index % HardeningProveData.LabelsPerFile) * 16;
        f.Write(label);
    }
}
