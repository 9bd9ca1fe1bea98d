using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>
/// Random small datasets (real labels from the scrypt oracle, N = 2): every generated proof verifies, and every
/// single-bit change of nonce, pow or indices is either rejected or, when the verifier accepts it, independently
/// valid (pow checked by RandomX, each index good for the nonce by the reference scan); nothing throws.
/// </summary>
[Collection(RandomXLightGroup.Name)]
public class ProvingPropertyTests(RandomXLightFixture randomx)
{
    private const ulong LabelsPerUnit = 1024;
    private const uint NumUnits = 2;
    private const ulong ScryptN = 2;

    private sealed record Dataset(byte[] NodeId, byte[] AtxId, byte[] Challenge, byte[] Labels);

    private static Dataset Make(int seed)
    {
        var random = new Random(seed);
        var nodeId = new byte[32];
        var atxId = new byte[32];
        var challenge = new byte[32];
        random.NextBytes(nodeId);
        random.NextBytes(atxId);
        random.NextBytes(challenge);
        byte[] commitment = Labels.Commitment(new NodeId(nodeId), new AtxId(atxId)).ToArray();
        var labels = new byte[LabelsPerUnit * NumUnits * 16];
        Parallel.For(0, (int)(LabelsPerUnit * NumUnits), i =>
        {
            Span<byte> out32 = stackalloc byte[32];
            Labels.Output32(commitment, (ulong)i, ScryptN, out32);
            out32[..16].CopyTo(labels.AsSpan(i * 16, 16));
        });
        return new Dataset(nodeId, atxId, challenge, labels);
    }

    private static readonly ProofConfig Config = new(8, 6, 6, Enumerable.Repeat((byte)0xFF, 32).ToArray());
    private static readonly InitConfig Init = new(1, 16, LabelsPerUnit, ScryptN);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public async Task Generated_proofs_verify_and_bit_flips_never_crash_the_verifier(int seed, int threads)
    {
        Dataset d = Make(seed);
        var pow = new K2Pow(randomx.Context);
        var prover = new PostProver(new ProvingScannerFactory(), pow);
        ProofResult result = await prover.GenerateProofAsync(PostDataSource.FromMemory(d.Labels), new NodeId(d.NodeId), new AtxId(d.AtxId), NumUnits,
            LabelsPerUnit * NumUnits, new Challenge(d.Challenge), Config, new ProvingOptions { Nonces = 16, Threads = threads, BatchSize = 1024 });
        var verifier = new ProofVerifier(Config, Init, pow);
        Assert.Null(verifier.Verify(result.Proof, result.Metadata, VerifyMode.All));

        var variants = new List<Proof>();
        for (int bit = 0; bit < 32; bit++)
        {
            variants.Add(result.Proof with { Nonce = result.Proof.Nonce ^ (1u << bit) });
        }

        for (int bit = 0; bit < 64; bit++)
        {
            variants.Add(result.Proof with { Pow = result.Proof.Pow ^ (1UL << bit) });
        }

        for (int bit = 0; bit < result.Proof.Indices.Length * 8; bit++)
        {
            byte[] indices = result.Proof.Indices.ToArray();
            indices[bit / 8] ^= (byte)(1 << (bit % 8));
            variants.Add(result.Proof with { Indices = indices });
        }

        int accepted = 0;
        foreach (Proof variant in variants)
        {
            VerifyError? error = verifier.Verify(variant, result.Metadata, VerifyMode.All);
            if (error is null)
            {
                accepted++;
                Assert.True(IndependentlyValid(variant, d, pow), $"accepted but not valid: nonce {variant.Nonce} pow {variant.Pow}");
            }
        }

        // Almost every change breaks the proof; the handful that survive were checked above.
        Assert.True(accepted < variants.Count / 4, $"{accepted} of {variants.Count} changed proofs were accepted");
    }

    private static bool IndependentlyValid(Proof proof, Dataset d, K2Pow pow)
    {
        uint group = proof.Nonce / 16;
        if (group > 255 || !pow.Verify(proof.Pow, (byte)group, d.Challenge.AsSpan(0, 8), K2PowDifficulty.Scale(Config.PowDifficulty, NumUnits), d.NodeId))
        {
            return false;
        }

        ulong numLabels = LabelsPerUnit * NumUnits;
        ulong[] indices = proof.DecompressIndices(numLabels, (int)Config.K2);
        var pass = ProvingPass.Create(new Challenge(d.Challenge), group * 16, 16, [proof.Pow], ProvingDifficulty.Compute(Config.K1, numLabels));
        var scanner = new ReferenceProvingScanner(pass);
        byte[] commitment = Labels.Commitment(new NodeId(d.NodeId), new AtxId(d.AtxId)).ToArray();
        foreach (ulong index in indices)
        {
            // The label may lie beyond the data (indices are only bounded by 2^bits): recompute it with the oracle.
            var chunk = new byte[128];
            Labels.Label(commitment, index, ScryptN).CopyTo(chunk, 0);
            var hits = new Hits();
            scanner.Scan(chunk, index, hits);
            if (!hits.Found.Contains((proof.Nonce, index)))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Hits : ILabelHitSink
    {
        public HashSet<(uint, ulong)> Found { get; } = [];

        public bool OnGoodLabel(uint nonce, ulong index)
        {
            Found.Add((nonce, index));
            return false;
        }
    }
}
