using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Core.Data;
using Prover.Core.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// Issue 15, the verification side: <c>post verify</c> and <c>post verify-data</c> as a hostile user and a newcomer
/// meet them (endless inputs, duplicate keys, out-of-range flags, data of another N, incomplete data, a running init),
/// and messages without .NET type names that say which parameters and flags a failed check used.
/// </summary>
public sealed class HardeningVerifyTests : IDisposable
{
    /// <summary>Flags of the spec §7.2 end-to-end proof (N = 2, 31 units of 4096 labels, k2pow difficulty ff…ff).</summary>
    private static readonly string[] E2EFlags = E2EVector.VerifyFlags;

    private static readonly string Id = new('1', 64);
    private static readonly string Atx = new('2', 64);

    private readonly TempDir _dir = new();
    private readonly Proof _proof;
    private readonly ProofMetadata _metadata;

    public HardeningVerifyTests()
    {
        (_proof, _metadata) = E2EVector.Load();
    }

    public void Dispose() => _dir.Dispose();

    // ---- item 8: the proof input is capped ----

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void Verify_endless_file_is_refused_after_one_MiB(string device)
    {
        if (!File.Exists(device))
        {
            return; // not a Unix-like system
        }

        var watch = Stopwatch.StartNew();
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", device, .. E2EFlags]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"{device} is longer than 1024 KiB: not a proof", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Verify_endless_stdin_is_refused_after_one_MiB()
    {
        var psi = PostCli.StartInfo(["verify", "--proof", "-", .. E2EFlags]);
        psi.RedirectStandardInput = true;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();

        // A writer that never ends (like `yes | post verify -p -`): only the reader can stop it.
        var feed = Task.Run(() =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            try
            {
                while (!p.HasExited)
                {
                    p.StandardInput.BaseStream.Write(chunk);
                }
            }
            catch (IOException)
            {
                // the reader closed the pipe
            }
        });

        bool exited = p.WaitForExit(TimeSpan.FromSeconds(60));
        if (!exited)
        {
            p.Kill(true);
        }

        Assert.True(exited, "post verify -p - kept reading an endless stdin");
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("the proof on stdin is longer than 1024 KiB", await stderr);
        Assert.Empty(await stdout);
        await feed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Verify_proof_padded_past_one_MiB_is_refused_and_one_just_below_is_read()
    {
        string valid = ProofJson.Serialize(_proof, _metadata);
        string below = _dir.Sub("below.json");
        File.WriteAllText(below, valid + new string(' ', (1 << 20) - valid.Length));
        var ok = PostCli.Run(["verify", "--proof", below, .. E2EFlags]);
        Assert.True(ok.ExitCode == 0, ok.StdOut + ok.StdErr);

        string above = _dir.Sub("above.json");
        File.WriteAllText(above, valid + new string(' ', (1 << 20) - valid.Length + 1));
        var (code, _, stderr) = PostCli.Run(["verify", "--proof", above, .. E2EFlags]);
        Assert.Equal(2, code);
        Assert.Contains("above.json is longer than 1024 KiB", stderr);
    }

    // ---- item 17: duplicate keys ----

    [Theory]
    [InlineData("\"nonce\":6,", "\"nonce\":6,\"nonce\":7,", "proof.nonce")]
    [InlineData("\"num_units\":31", "\"num_units\":31,\"num_units\":4", "metadata.num_units")]
    [InlineData("{\"proof\":", "{\"proof\":{},\"proof\":", "proof")]
    public void Verify_duplicate_key_is_bad_input_naming_the_key(string find, string replace, string key)
    {
        string json = ProofJson.Serialize(_proof, _metadata);
        Assert.Contains(find, json);
        string file = _dir.Sub("dup.json");
        File.WriteAllText(file, json.Replace(find, replace, StringComparison.Ordinal));
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"the key \"{key}\" appears more than once", stderr);

        var e = Assert.Throws<FormatException>(() => ProofJson.Deserialize(json.Replace(find, replace, StringComparison.Ordinal)));
        Assert.Contains($"\"{key}\"", e.Message);
    }

    // ---- item 14: no .NET type names; failed checks explained ----

    [Theory]
    [InlineData("\"nonce\":6", "\"nonce\":4294967296", "proof.nonce")]
    [InlineData("\"nonce\":6", "\"nonce\":\"6\"", "proof.nonce")]
    [InlineData("\"pow\":23", "\"pow\":2.5", "proof.pow")]
    [InlineData("\"num_units\":31", "\"num_units\":-1", "metadata.num_units")]
    [InlineData("\"num_units\":31", "\"num_units\":null", "metadata.num_units")]
    [InlineData("{\"proof\":{", "{\"proof\":[],\"x\":{", "\"proof\" must be an object")]
    public void Verify_MalformedFields_AreNamed_WithoutTypeNames(string find, string replace, string expected)
    {
        string json = ProofJson.Serialize(_proof, _metadata);
        Assert.Contains(find, json);
        string file = _dir.Sub("bad.json");
        File.WriteAllText(file, json.Replace(find, replace, StringComparison.Ordinal));
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains(expected, stderr);
        AssertNoTypeNames(stderr);
    }

    [Fact]
    public void Verify_invalid_K2Pow_says_which_difficulty_and_the_flags_that_set_it()
    {
        string file = Write(_proof with { Pow = 0 });
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
        Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
        Assert.StartsWith("invalid: k2pow 0 is invalid for nonce group 0 with difficulty 0842108421084210842108421084210842108421084210842108421084210842", stdout);
        Assert.Contains($"per unit from --pow-difficulty {new string('f', 64)} / 31 units", stdout);
        AssertNoTypeNames(stdout);

        var json = PostCli.Run(["verify", "--proof", file, .. E2EFlags, "--json"]);
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.Equal("InvalidPoW", doc.RootElement.GetProperty("error").GetString());
        Assert.Contains("--pow-difficulty", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Verify_invalid_label_says_which_parameters_and_the_flags_that_set_them()
    {
        ulong[] indices = _proof.DecompressIndices(126976, 32);
        indices[7] ^= (1UL << 17) - 1;
        string file = Write(_proof with { Indices = IndexCompression.Compress(indices, 17) });
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
        Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
        Assert.StartsWith($"invalid: the label at index 7 of the proof (label {indices[7]}", stdout);
        Assert.Contains("does not meet the difficulty for k1 = 23 (--k1)", stdout);
        Assert.Contains("num_units 31 × 4096 labels per unit (--labels-per-unit) = 126976 labels", stdout);
        Assert.Contains("scrypt N = 2 (--scrypt-n)", stdout);
        AssertNoTypeNames(stdout);
    }

    [Fact]
    public void Verify_other_failed_checks_name_their_flags()
    {
        string file = Write(_proof);
        var few = PostCli.Run(["verify", "--proof", file, .. E2EFlags.Where((_, i) => i is not (8 or 9)), "--min-num-units", "32"]);
        Assert.Equal(1, few.ExitCode);
        Assert.Equal("invalid: the proof's num_units 31 is below the minimum 32 (--min-num-units)", few.StdOut.Trim());

        var len = PostCli.Run(["verify", "--proof", file, .. E2EFlags.Where((_, i) => i is not (0 or 1)), "--labels-per-unit", "8192"]);
        Assert.Equal(1, len.ExitCode);
        Assert.Contains("indices are 68 bytes, expected 72: k2 = 32 indices (--k2) of 18 bits each for num_units 31 × 8192 labels per unit (--labels-per-unit)", len.StdOut);
        AssertNoTypeNames(few.StdOut + len.StdOut);
    }

    [Fact]
    public void Verify_error_prints_its_message_not_a_record()
    {
        Assert.Equal("invalid k2pow", new VerifyError.InvalidPoW().ToString());
        Assert.Equal("indices are 67 bytes, expected 68", new VerifyError.InvalidIndicesLen(68, 67).ToString());
        Assert.Equal("index 7 (label 9): msb 3 > difficulty msb 0", $"{new VerifyError.InvalidMsb(7, 9, 3, 0)}");
    }

    // ---- items 6/15: numbers and paths checked at the edge ----

    [Theory]
    [InlineData("--scrypt-n", "3")]
    [InlineData("--scrypt-n", "0")]
    [InlineData("--scrypt-n", "2147483648")]
    [InlineData("--scrypt-n", "18446744073709551615")]
    public void Verify_scrypt_N_out_of_range_is_bad_input(string flag, string value)
    {
        string file = Write(_proof);
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags.Where((_, i) => i is not (2 or 3)), flag, value]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("--scrypt-n", stderr);
        Assert.DoesNotContain("   at ", stderr);
        AssertNoTypeNames(stderr);
    }

    [Fact]
    public void Verify_directory_as_proof_says_it_is_a_directory()
    {
        var (code, _, stderr) = PostCli.Run(["verify", "--proof", _dir.Path, .. E2EFlags]);
        Assert.Equal(2, code);
        Assert.Contains($"--proof {_dir.Path} is a directory", stderr);
        Assert.DoesNotContain("denied", stderr);

        var missing = PostCli.Run(["verify", "--proof", _dir.Sub("nope.json"), .. E2EFlags]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.json does not exist", missing.StdErr);
    }

    [Theory]
    [InlineData("-n", "3")]
    [InlineData("-n", "0")]
    [InlineData("-n", "2147483648")]
    [InlineData("--scrypt-n", "18446744073709551615")]
    [InlineData("--threads", "-1")]
    [InlineData("--threads", "100000")]
    [InlineData("--threads", "2147483647")]
    [InlineData("--fraction", "0")]
    [InlineData("--fraction", "-1")]
    [InlineData("--fraction", "100.5")]
    [InlineData("--fraction", "NaN")]
    [InlineData("--fraction", "1e308")]
    [InlineData("--seed", "-1")]
    public void Verify_data_numeric_flag_out_of_range_is_bad_input_naming_the_flag(string flag, string value)
    {
        string dir = Init();
        var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir, flag, value);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains(flag == "-n" ? "--scrypt-n" : flag, stderr);
        Assert.DoesNotContain("   at ", stderr);
        AssertNoTypeNames(stderr);
    }

    [Fact]
    public void Verify_data_edges_of_the_ranges_are_accepted()
    {
        string dir = Init();
        foreach (var args in new[] { new[] { "--fraction", "100", "--seed", "2147483647" }, ["--fraction", "0.001", "--seed", "0", "--threads", "0"] })
        {
            var (code, stdout, stderr) = PostCli.Run(["verify-data", "--datadir", dir, .. args]);
            Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
        }
    }

    [Fact]
    public void Verify_data_data_dir_that_is_a_file_or_missing_says_so()
    {
        string file = _dir.Sub("file");
        File.WriteAllText(file, "x");
        var (code, _, stderr) = PostCli.Run("verify-data", "--datadir", file);
        Assert.Equal(2, code);
        Assert.Contains($"--datadir {file} is a file, not a directory", stderr);

        var missing = PostCli.Run("verify-data", "--datadir", _dir.Sub("nothing"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.StdErr);
    }

    // ---- item 12: N from the init state ----

    [Fact]
    public void Verify_data_takes_scrypt_N_from_the_init_state_and_says_where_from()
    {
        string dir = Init();
        var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir, "--fraction", "100");
        Assert.True(code == 0, stdout + stderr);
        Assert.StartsWith("ok: 1024 labels checked in 4 files match at scrypt N = 16", stdout);
        Assert.Contains("scrypt N = 16 (from the init state .post-init-0-3.json)", stderr);

        var json = PostCli.Run("verify-data", "--datadir", dir, "--json");
        Assert.True(json.ExitCode == 0, json.StdOut + json.StdErr);
        using (var doc = JsonDocument.Parse(json.StdOut))
        {
            Assert.Equal(16UL, doc.RootElement.GetProperty("scrypt_n").GetUInt64());
            Assert.Contains(".post-init-0-3.json", doc.RootElement.GetProperty("scrypt_n_source").GetString());
            Assert.Equal("ok", doc.RootElement.GetProperty("verdict").GetString());
        }

        // The flag wins.
        var flag = PostCli.Run("verify-data", "--datadir", dir, "--scrypt-n", "32");
        Assert.Equal(1, flag.ExitCode);
        Assert.StartsWith("CORRUPT: ", flag.StdOut);
        Assert.Contains("scrypt N = 32 (from --scrypt-n)", flag.StdErr);

        // Without a state file (data from post-rs or postcli): the mainnet default, said as such.
        File.Delete(Path.Combine(dir, ".post-init-0-3.json"));
        var fallback = PostCli.Run("verify-data", "--datadir", dir);
        Assert.Equal(1, fallback.ExitCode);
        Assert.Contains("scrypt N = 8192 (from the default: no init state", fallback.StdErr);
        Assert.Contains("give --scrypt-n", fallback.StdErr);
    }

    [Fact]
    public void Verify_data_init_states_that_disagree_on_N_are_bad_input()
    {
        string dir = Init();
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ".post-init-0-3.json")))!;
        state["ScryptN"] = 64;
        File.WriteAllText(Path.Combine(dir, ".post-init-0-1.json"), state.ToJsonString());
        var (code, _, stderr) = PostCli.Run("verify-data", "--datadir", dir);
        Assert.Equal(2, code);
        Assert.Contains("disagree on scrypt N", stderr);
        Assert.Equal(0, PostCli.Run("verify-data", "--datadir", dir, "-n", "16").ExitCode);
    }

    // ---- item 13: verdicts and exit codes agree ----

    [Fact]
    public void Verify_data_missing_nonce_is_incomplete_exit_one()
    {
        string dir = Init();
        EditMetadata(dir, m => m["Nonce"] = null);
        var (code, stdout, _) = PostCli.Run("verify-data", "--datadir", dir, "--fraction", "100");
        Assert.Equal(1, code);
        Assert.StartsWith("INCOMPLETE: ", stdout);
        Assert.Contains("has no VRF nonce", stdout);
        Assert.Contains("1024 labels checked in 4 files match", stdout);

        var json = PostCli.Run("verify-data", "--datadir", dir, "--json");
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.Equal("incomplete", doc.RootElement.GetProperty("verdict").GetString());
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("has no VRF nonce", doc.RootElement.GetProperty("incomplete")[0].GetString());
    }

    [Fact]
    public void Verify_data_interrupted_init_is_incomplete_not_corrupt()
    {
        // What a killed `post init` leaves: the resume point mid-way, the file in progress short, later files absent
        // and no nonce yet.
        string dir = Init();
        string statePath = Path.Combine(dir, ".post-init-0-3.json");
        var state = JsonNode.Parse(File.ReadAllText(statePath))!;
        state["Complete"] = false;
        state["Next"] = 512;
        state.AsObject().Remove("BestIndex");
        state.AsObject().Remove("BestOutput");
        File.WriteAllText(statePath, state.ToJsonString());
        EditMetadata(dir, m => m["Nonce"] = null);
        string file2 = Path.Combine(dir, "postdata_2.bin");
        File.WriteAllBytes(file2, File.ReadAllBytes(file2)[..1000]);
        File.Delete(Path.Combine(dir, "postdata_3.bin"));

        var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir, "--fraction", "100");
        Assert.True(code == 1, stdout + stderr);
        Assert.StartsWith("INCOMPLETE: postdata_3.bin of 4 files is missing", stdout);
        Assert.Contains("postdata_2.bin is 1000 bytes, expected 4096 (62 of 256 labels)", stdout);
        Assert.Contains("the initialization of files 0..3 did not finish (.post-init-0-3.json: labels durable up to 512 of 1024)", stdout);
        Assert.Contains("has no VRF nonce", stdout);
        Assert.Contains("574 labels checked in 3 files match", stdout);
        Assert.Contains("run the same post init again", stdout);
        Assert.DoesNotContain("CORRUPT", stdout);

        // A flipped label among what is there is still corruption, and says what else is missing.
        string file0 = Path.Combine(dir, "postdata_0.bin");
        var bytes = File.ReadAllBytes(file0);
        bytes[3 * 16] ^= 1;
        File.WriteAllBytes(file0, bytes);
        var bad = PostCli.Run("verify-data", "--datadir", dir, "--fraction", "100", "--json");
        Assert.Equal(1, bad.ExitCode);
        using var doc = JsonDocument.Parse(bad.StdOut);
        Assert.Equal("corrupt", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(48, doc.RootElement.GetProperty("offset").GetInt64());
        Assert.Equal(4, doc.RootElement.GetProperty("incomplete").GetArrayLength());
    }

    [Fact]
    public void Verify_data_partial_range_init_is_incomplete_naming_the_missing_files()
    {
        string dir = Init("--from-file", "0", "--to-file", "1");
        var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir);
        Assert.True(code == 1, stdout + stderr);
        Assert.StartsWith("INCOMPLETE: postdata_2.bin..postdata_3.bin of 4 files are missing", stdout);
        Assert.Contains("scrypt N = 16 (from the init state .post-init-0-1.json)", stderr);
    }

    [Fact]
    public void Verify_data_nonce_below_a_stricter_difficulty_is_nonce_invalid_not_ok()
    {
        string dir = Init();
        var (code, stdout, _) = PostCli.Run("verify-data", "--datadir", dir, "--vrf-difficulty", new string('0', 63) + "1");
        Assert.Equal(1, code);
        Assert.StartsWith("NONCE INVALID: VRF nonce ", stdout);
        Assert.Contains("is NOT below the difficulty 00000000", stdout);
        Assert.Contains("(from --vrf-difficulty)", stdout);
        Assert.DoesNotContain("ok:", stdout);

        var json = PostCli.Run("verify-data", "--datadir", dir, "--vrf-difficulty", new string('0', 63) + "1", "--json");
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.Equal("nonce_invalid", doc.RootElement.GetProperty("verdict").GetString());
        Assert.False(doc.RootElement.GetProperty("nonce_valid").GetBoolean());
    }

    [Fact]
    public void Verify_data_directory_in_place_of_a_file_is_corrupt_saying_it_is_a_directory()
    {
        string dir = Init();
        string file1 = Path.Combine(dir, "postdata_1.bin");
        File.Delete(file1);
        Directory.CreateDirectory(file1);
        var (code, stdout, _) = PostCli.Run("verify-data", "--datadir", dir);
        Assert.Equal(1, code);
        Assert.StartsWith("CORRUPT: file 1 offset 0:", stdout);
        Assert.Contains("postdata_1.bin is a directory, not a data file", stdout);
    }

    // ---- item 1: verify-data holds the directory's lock shared ----

    [Fact]
    public void Verify_data_while_init_holds_the_lock_is_refused_naming_its_pid()
    {
        string dir = Init();
        using (DataDirLock.AcquireExclusive(dir, "post init"))
        {
            var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir);
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains($"PID {Environment.ProcessId} (post init)", stderr);
            Assert.Empty(stdout);
        }

        // Readers share it: a verify-data runs while another reader holds it.
        using (DataDirLock.AcquireShared(dir, "post prove"))
        {
            var (code, stdout, stderr) = PostCli.Run("verify-data", "--datadir", dir);
            Assert.True(code == 0, stdout + stderr);
        }
    }

    private string Init(params string[] extra)
    {
        string dir = _dir.Sub("data-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, stderr) = PostCli.Run(["init", "--datadir", dir, "--node-id", Id, "--commitment-atx-id", Atx,
            "--num-units", "4", "--labels-per-unit", "256", "--scrypt-n", "16", "--max-file-size", "4096", .. extra]);
        Assert.True(code == 0, stdout + stderr);
        return dir;
    }

    private static void EditMetadata(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, PostMetadata.FileName);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    private static void AssertNoTypeNames(string text)
    {
        foreach (var marker in new[] { "System.", "Prover.", "`1", "+Document", "+ProofBody", "+MetadataBody", " { ", "Nullable" })
        {
            Assert.DoesNotContain(marker, text);
        }
    }

    private string Write(Proof proof, string name = "proof.json")
    {
        string file = _dir.Sub(name);
        File.WriteAllText(file, ProofJson.Serialize(proof, _metadata));
        return file;
    }
}
