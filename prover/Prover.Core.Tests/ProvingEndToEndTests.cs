using System.Text;
using System.Text.Json;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

public class ProvingEndToEndTests(EndToEndDataFixture data) : IClassFixture<EndToEndDataFixture>
{
    private JsonElement V => data.Vector;

    private Challenge Challenge => new(Encoding.ASCII.GetBytes(V.GetProperty("challenge_ascii").GetString()!));

    private ProofConfig Config => new(V.GetProperty("k1").GetUInt32(), V.GetProperty("k2").GetUInt32(), V.GetProperty("k2").GetUInt32(),
        V.GetProperty("pow_difficulty").Hex());

    private InitConfig Init => new(1, 1000, V.GetProperty("labels_per_unit").GetUInt64(), V.GetProperty("scrypt_N").GetUInt64());

    [Fact]
    public void Data_matches_the_vectors_first_labels()
    {
        byte[] first = File.ReadAllBytes(Path.Combine(data.DataDir, "postdata_0.bin"))[..64];
        string expected = string.Concat(V.GetProperty("first_labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expected, Convert.ToHexStringLower(first));
        Assert.Equal(127, PostDataLayout.ListFiles(data.DataDir).Count);
    }

    [Fact]
    public async Task Proof1_one_thread_is_exactly_the_vector_and_verifies()
    {
        var pow = new K2Pow(data.Light, threads: 1);
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        var options = new ProvingOptions { Nonces = V.GetProperty("nonces_per_pass").GetInt32(), Threads = 1 };

        ProofResult result = await prover.GenerateProofAsync(data.DataDir, Challenge, Config, options);

        JsonElement expected = V.GetProperty("proof");
        Assert.Equal(expected.GetProperty("nonce").GetUInt32(), result.Proof.Nonce);
        Assert.Equal(expected.GetProperty("pow").GetUInt64(), result.Proof.Pow);
        Assert.Equal(expected.GetProperty("indices").EnumerateArray().Select(e => e.GetUInt64()).ToArray(), result.Indices);
        Assert.Equal(expected.GetProperty("indices_compressed_hex").GetString(), Convert.ToHexStringLower(result.Proof.Indices));
        Assert.Equal(1, result.Passes);
        Assert.Equal(31u, result.Metadata.NumUnits);

        var verifier = new ProofVerifier(Config, Init, pow);
        Assert.Null(verifier.Verify(result.Proof, result.Metadata, VerifyMode.All));

        // Flip index 7 (all its 17 bits): the upstream assertion is InvalidMsb at position 7.
        ulong[] indices = result.Indices.ToArray();
        indices[7] ^= (1UL << 17) - 1;
        var tampered = result.Proof with { Indices = IndexCompression.Compress(indices, 17) };
        var error = Assert.IsType<VerifyError.InvalidMsb>(verifier.Verify(tampered, result.Metadata, VerifyMode.All));
        Assert.Equal(7, error.IndexId);
    }

    [Fact]
    public async Task Proof1_many_threads_is_valid()
    {
        var pow = new K2Pow(data.Light, threads: 2);
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        ProofResult result = await prover.GenerateProofAsync(data.DataDir, Challenge, Config,
            new ProvingOptions { Nonces = 32, Threads = 3, BatchSize = 4096 });
        var verifier = new ProofVerifier(Config, Init, pow);
        Assert.Null(verifier.Verify(result.Proof, result.Metadata, VerifyMode.All));
        Assert.Equal(result.Proof.Pow, result.Proof.Nonce < 16 ? 23UL : 8UL);
    }

    [Fact]
    public async Task Progress_covers_K2Pow_and_scan_and_cancellation_stops_proving()
    {
        var pow = new K2Pow(data.Light, threads: 1);
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        var reports = new List<ProvingProgress>();
        var progress = new Collect(reports);
        await prover.GenerateProofAsync(data.DataDir, Challenge, Config,
            new ProvingOptions { Nonces = 32, Threads = 1, BatchSize = 16000, ProgressInterval = TimeSpan.Zero }, progress);
        Assert.Equal(ProvingStage.K2Pow, reports[0].Stage);
        Assert.Contains(reports, r => r.Stage == ProvingStage.Scanning);
        Assert.Equal(ProvingStage.Found, reports[^1].Stage);
        Assert.All(reports, r => Assert.Equal((0u, 32u), (r.NonceStart, r.NonceEnd)));

        using var cts = new CancellationTokenSource();
        var cancelling = new Collect([], r =>
        {
            if (r.Stage == ProvingStage.Scanning)
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => prover.GenerateProofAsync(data.DataDir, Challenge, Config,
            new ProvingOptions { Nonces = 32, Threads = 2, BatchSize = 16000, ProgressInterval = TimeSpan.Zero }, cancelling, cts.Token));
    }

    [Fact]
    public async Task No_proof_runs_passes_until_the_nonce_groups_run_out()
    {
        // k2 larger than any nonce can reach: every pass fails, and after nonce 4095 proving stops with an error.
        var pow = new K2Pow(data.Light, threads: 1);
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        var reports = new List<ProvingProgress>();
        var impossible = Config with { K1 = 1, K2 = 1000, PowDifficulty = Enumerable.Repeat((byte)0xFF, 32).ToArray() };
        var subset = PostDataSource.FromMemory(File.ReadAllBytes(Path.Combine(data.DataDir, "postdata_0.bin")));
        var e = await Assert.ThrowsAsync<ProvingException>(() => prover.GenerateProofAsync(subset, new NodeId(data.NodeId), new AtxId(data.AtxId), 1, 1000,
            Challenge, impossible, new ProvingOptions { Nonces = 32, StartNonce = 4032, Threads = 1 }, new Collect(reports)));
        Assert.Contains("nonce groups beyond 255", e.Message);
        Assert.Equal(new uint[] { 4032, 4064 }, reports.Where(r => r.Stage == ProvingStage.PassFailed).Select(r => r.NonceStart).ToArray());
    }

    private sealed class Collect(List<ProvingProgress> list, Action<ProvingProgress>? onReport = null) : IProgress<ProvingProgress>
    {
        public void Report(ProvingProgress value)
        {
            lock (list)
            {
                list.Add(value);
            }

            onReport?.Invoke(value);
        }
    }
}
