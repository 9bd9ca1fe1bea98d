using System.Text;
using System.Text.Json;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// <c>post verify</c> flags and inputs on the proof of spec §7.2 end-to-end proof #1 (valid as published; N = 2, so a
/// verification recomputes 32 labels in microseconds and the time goes into the RandomX light-mode k2pow check).
/// </summary>
public sealed class VerifyCliTests : IDisposable
{
    private static readonly string[] E2EFlags = E2EVector.VerifyFlags;

    private readonly TempDir _dir = new();
    private readonly Proof _proof;
    private readonly ProofMetadata _metadata;

    public VerifyCliTests()
    {
        (_proof, _metadata) = E2EVector.Load();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Index_checks_only_that_position_and_a_position_outside_the_proof_is_bad_input()
    {
        // Index 7 of the proof made invalid (spec §7.2: InvalidMsb{index_id 7}); the other positions stay valid.
        ulong[] indices = _proof.DecompressIndices(126976, 32);
        indices[7] ^= (1UL << 17) - 1;
        string file = Write(_proof with { Indices = IndexCompression.Compress(indices, 17) });

        var bad = PostCli.Run(["verify", "--proof", file, .. E2EFlags, "--index", "7", "--json"]);
        Assert.True(bad.ExitCode == 1, bad.StdErr + bad.StdOut);
        using (var doc = JsonDocument.Parse(bad.StdOut))
        {
            Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal("InvalidMsb", doc.RootElement.GetProperty("error").GetString());
            Assert.Equal(7, doc.RootElement.GetProperty("index_id").GetInt32());
        }

        var last = PostCli.Run(["verify", "--proof", file, .. E2EFlags, "--index", "31"]);
        Assert.True(last.ExitCode == 0, last.StdErr + last.StdOut);
        Assert.Equal("valid", last.StdOut.Trim());

        // Before the check, an index ≥ k2 selected nothing and the proof passed without a single label being looked at.
        foreach (string outside in new[] { "32", "1000", "-1" })
        {
            var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags, "--index", outside]);
            Assert.Equal(2, code);
            Assert.Empty(stdout);
            Assert.Contains($"--index {outside} is not a position in the proof", stderr);
            Assert.Contains("k2 = 32", stderr);
        }
    }

    [Fact]
    public void Valid_proof_all_and_K3_subset_exit_zero()
    {
        string file = Write(_proof);
        var all = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
        Assert.True(all.ExitCode == 0, all.StdErr + all.StdOut);
        Assert.Equal("valid", all.StdOut.Trim());

        var subset = PostCli.Run(["verify", "--proof", file, .. E2EFlags, "--k3", "5", "--seed", "0102", "--json"]);
        Assert.True(subset.ExitCode == 0, subset.StdErr + subset.StdOut);
        using var doc = JsonDocument.Parse(subset.StdOut);
        Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public void Proof_of_other_parameters_exits_one_saying_which_check_failed()
    {
        string file = Write(_proof);

        // Indices one byte short: the proof parses but does not have k2 packed indices.
        var shortFile = Write(_proof with { Indices = _proof.Indices[..^1] }, "short.json");
        var (code, stdout, _) = PostCli.Run(["verify", "--proof", shortFile, .. E2EFlags]);
        Assert.Equal(1, code);
        Assert.StartsWith("invalid: indices are 67 bytes, expected 68", stdout);

        // 31 units against the mainnet minimum of 4 is fine, against a minimum of 32 it is NumUnitsTooSmall (checked before the k2pow).
        var (small, smallOut, _) = PostCli.Run(["verify", "--proof", file, .. Flags("--min-num-units", "32", "--max-num-units", "64")]);
        Assert.Equal(1, small);
        Assert.Contains("num_units 31 is below the minimum 32 (--min-num-units)", smallOut);
    }

    [Theory]
    [InlineData("--k3 0", "--k3 must be between 1 and k2 = 32 (got 0)")]
    [InlineData("--k3 33", "--k3 must be between 1 and k2 = 32 (got 33)")]
    [InlineData("--index 1 --k3 2", "--index and --k3")]
    [InlineData("--seed 0102", "--seed selects the k3 subset")]
    [InlineData("--k3 2 --seed xyz", "--seed is not valid hex")]
    [InlineData("--k2 0", "--k2 between 1 and 65535")]
    [InlineData("--k1 0", "--k1 must be ≥ 1")]
    [InlineData("--labels-per-unit 0", "--labels-per-unit must be ≥ 1")]
    [InlineData("--min-num-units 0", "need 1 ≤ --min-num-units ≤ --max-num-units (got 0 and")]
    [InlineData("--min-num-units 5 --max-num-units 4", "(got 5 and 4)")]
    [InlineData("--pow-difficulty ffff", "--pow-difficulty must be 32 bytes")]
    [InlineData("--scrypt-n 3", "--scrypt-n must be a power of two")]
    [InlineData("--randomx-mode medium", "--randomx-mode must be 'fast' or 'light'")]
    [InlineData("--index x", "--index")]
    public void Bad_flags_exit_two_with_a_message(string flags, string message)
    {
        string file = Write(_proof);
        var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. Flags(flags.Split(' '))]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr); // a message, not a stack trace
    }

    [Fact]
    public void Malformed_proof_files_exit_two_with_a_message_not_a_crash()
    {
        string valid = ProofJson.Serialize(_proof, _metadata);
        var junk = new byte[300];
        new Random(42).NextBytes(junk);
        var cases = new (string Name, byte[] Bytes, string Message)[]
        {
            ("truncated.json", Encoding.UTF8.GetBytes(valid[..(valid.Length / 2)]), "Invalid proof JSON"),
            ("garbage.bin", junk, "Invalid proof JSON"),
            ("empty.json", [], "Invalid proof JSON"),
            ("array.json", "[1,2,3]"u8.ToArray(), "Invalid proof JSON"),
            ("badbase64.json", Encoding.UTF8.GetBytes(valid.Replace("\"indices\":\"", "\"indices\":\"@@", StringComparison.Ordinal)), "proof.indices"),
            ("shortid.json", Encoding.UTF8.GetBytes(ProofJson.Serialize(_proof, _metadata).Replace(_metadata.NodeId.Value.ToBase64(), Convert.ToBase64String(new byte[31]), StringComparison.Ordinal)), "node_id must be 32 bytes"),
            ("negative.json", Encoding.UTF8.GetBytes(valid.Replace("\"nonce\":6", "\"nonce\":-6", StringComparison.Ordinal)), "proof.nonce"),
        };
        foreach (var (name, bytes, message) in cases)
        {
            string file = _dir.Sub(name);
            File.WriteAllBytes(file, bytes);
            var (code, stdout, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EFlags]);
            Assert.True(code == 2, $"{name}: exit {code}\n{stdout}\n{stderr}");
            Assert.Contains(name, stderr);
            Assert.Contains(message, stderr);
            Assert.DoesNotContain("   at ", stderr);
        }
    }

    /// <summary>The E2E flags with <paramref name="extra"/> replacing those of the same name (System.CommandLine refuses a repeated option).</summary>
    private static string[] Flags(params string[] extra)
    {
        var names = extra.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        var flags = new List<string>();
        for (int i = 0; i < E2EFlags.Length; i += 2)
        {
            if (!names.Contains(E2EFlags[i]))
            {
                flags.Add(E2EFlags[i]);
                flags.Add(E2EFlags[i + 1]);
            }
        }

        return [.. flags, .. extra];
    }

    private string Write(Proof proof, string name = "proof.json")
    {
        string file = _dir.Sub(name);
        File.WriteAllText(file, ProofJson.Serialize(proof, _metadata));
        return file;
    }
}
