using System.Text.Json;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>The prove, verify and profile commands of the real <c>post</c> binary on the data of end-to-end proof #1.</summary>
public class ProvingCliTests(EndToEndDataFixture data) : IClassFixture<EndToEndDataFixture>
{
    private static readonly string[] E2EVerifyFlags = E2EVector.VerifyFlags;

    private JsonElement V => data.Vector;

    [Fact]
    public void Prove_one_thread_prints_the_vector_proof_then_verify_accepts_it_and_rejects_a_tampered_one()
    {
        var (code, stdout, stderr) = PostCli.Run("prove", "--datadir", data.DataDir,
            "--challenge", Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes(V.GetProperty("challenge_ascii").GetString()!)),
            "--k1", "23", "--k2", "32", "--pow-difficulty", new string('f', 64), "--nonces", "32", "--threads", "1",
            "--randomx-mode", "light", "--json");
        Assert.True(code == 0, stderr);
        var (proof, metadata) = ProofJson.Deserialize(stdout.Trim());
        Assert.Equal(6u, proof.Nonce);
        Assert.Equal(23UL, proof.Pow);
        Assert.Equal(V.GetProperty("proof").GetProperty("indices_compressed_hex").GetString(), Convert.ToHexStringLower(proof.Indices));
        Assert.Equal(31u, metadata.NumUnits);
        Assert.Equal(data.NodeId, metadata.NodeId.ToArray());
        Assert.Single(stdout.Trim().Split('\n'));

        using var dir = new TempDir();
        string file = dir.Sub("proof.json");
        File.WriteAllText(file, stdout);
        var ok = PostCli.Run(["verify", "--proof", file, .. E2EVerifyFlags, "--json"]);
        Assert.True(ok.ExitCode == 0, ok.StdErr + ok.StdOut);
        Assert.Contains("\"valid\":true", ok.StdOut);

        ulong[] indices = proof.DecompressIndices(126976, 32);
        indices[7] ^= (1UL << 17) - 1;
        File.WriteAllText(file, ProofJson.Serialize(proof with { Indices = IndexCompression.Compress(indices, 17) }, metadata));
        var bad = PostCli.Run(["verify", "--proof", file, .. E2EVerifyFlags]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("does not meet the difficulty", bad.StdOut);
        Assert.Contains("index 7", bad.StdOut);
    }

    [Fact]
    public void Verify_bad_input_exits_two()
    {
        using var dir = new TempDir();
        string file = dir.Sub("proof.json");
        File.WriteAllText(file, "{\"proof\":{\"indices\":\"AA==\",\"pow\":1},\"metadata\":{}}");
        var (code, _, stderr) = PostCli.Run(["verify", "--proof", file, .. E2EVerifyFlags]);
        Assert.Equal(2, code);
        Assert.Contains("proof.nonce", stderr);
        Assert.Equal(2, PostCli.Run(["verify", "--proof", dir.Sub("missing.json"), .. E2EVerifyFlags]).ExitCode);
        Assert.Equal(2, PostCli.Run("prove", "--datadir", dir.Path, "--challenge", "00").ExitCode);
        Assert.Equal(2, PostCli.Run("prove", "--datadir", data.DataDir, "--challenge", new string('0', 64), "--nonces", "17").ExitCode);
    }

    [Fact]
    public void Profile_prints_time_and_speed()
    {
        var (code, stdout, stderr) = PostCli.Run("profile", "--data-size", "0.001", "--duration", "0.2", "--threads", "1", "--nonces", "16");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("time_s").GetDouble() >= 0.2);
        Assert.True(doc.RootElement.GetProperty("speed_gib_s").GetDouble() > 0);
        Assert.Equal(2, doc.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Profile_data_file_drop_cache_reports_whether_the_cache_was_dropped()
    {
        using var dir = new TempDir();
        string file = dir.Sub("labels.bin");
        var labels = new byte[1 << 20];
        new Random(3).NextBytes(labels);
        File.WriteAllBytes(file, labels);
        string[] common = ["profile", "--data-file", file, "--data-size", "0.001", "--duration", "0.2", "--threads", "1", "--nonces", "16"];

        var (code, stdout, stderr) = PostCli.Run([.. common, "--drop-cache"]);
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            // post-rs's two keys first, unchanged; then ours.
            Assert.Equal(["time_s", "speed_gib_s", "cache_dropped"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.True(doc.RootElement.GetProperty("time_s").GetDouble() >= 0.2);
            Assert.True(doc.RootElement.GetProperty("speed_gib_s").GetDouble() > 0);
            Assert.Equal(OperatingSystem.IsLinux(), doc.RootElement.GetProperty("cache_dropped").GetBoolean());
        }

        (code, stdout, stderr) = PostCli.Run(common);
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.False(doc.RootElement.GetProperty("cache_dropped").GetBoolean());
        }

        (code, _, stderr) = PostCli.Run("profile", "--data-size", "0.001", "--duration", "0.1", "--drop-cache");
        Assert.Equal(2, code);
        Assert.Contains("--drop-cache needs --data-file", stderr);
    }

    [Fact]
    public void Profile_aes_runs_every_implementation_this_cpu_has_and_refuses_the_others()
    {
        foreach (var implementation in Enum.GetValues<Prover.Kernels.Aes.AesImplementation>())
        {
            var (code, stdout, stderr) = PostCli.Run("profile", "--data-size", "0.0005", "--duration", "0.05", "--threads", "1",
                "--nonces", "16", "--aes", implementation.ToString());
            if (Prover.Kernels.Aes.AesEcb.IsSupported(implementation))
            {
                Assert.True(code == 0, stderr);
                Assert.StartsWith($"{implementation}, 1 thread(s)", stderr);
                using var doc = JsonDocument.Parse(stdout);
                Assert.True(doc.RootElement.GetProperty("speed_gib_s").GetDouble() > 0);
            }
            else
            {
                Assert.Equal(2, code);
                Assert.Contains($"--aes: '{implementation}' is not one of", stderr);
            }
        }
    }

    [Fact]
    public void Profile_pow_prints_serde_durations()
    {
        var (code, stdout, stderr) = PostCli.Run("profile", "pow", "--iterations", "2", "--randomx-mode", "light",
            "--difficulty", new string('f', 64), "--nonces", "32", "--num-units", "3");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("iterations").GetInt32());
        foreach (string name in new[] { "randomx_vm_init_time", "average_time" })
        {
            var duration = doc.RootElement.GetProperty(name);
            Assert.True(duration.GetProperty("secs").GetInt64() >= 0);
            Assert.InRange(duration.GetProperty("nanos").GetInt64(), 0, 999_999_999);
        }

        var init = doc.RootElement.GetProperty("randomx_vm_init_time");
        Assert.True(init.GetProperty("secs").GetInt64() > 0 || init.GetProperty("nanos").GetInt64() > 0);
    }
}
