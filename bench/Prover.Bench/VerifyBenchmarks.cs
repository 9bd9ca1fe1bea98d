using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Prover.Bench.Core;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Kernels.Simd;
using Prover.Verifier;

namespace Prover.Bench;

/// <summary>
/// Verification (scalar oracle labels, and the SIMD label source) of a proof with the mainnet proof shape (k2 = 37 indices, scrypt N = 8192 labels, RandomX light-mode
/// k2pow check, as a node verifies), in the three modes a node uses: All (every index), One (a malfeasance re-check)
/// and Subset with k3 = 1 (mainnet's k3). The proof is made for real in <see cref="Setup"/>: a 4-unit × 1024-label
/// dataset at N = 8192 written by the <see cref="Initializer"/> with the SIMD <see cref="CpuLabelProvider"/>, proved by
/// <see cref="PostProver"/> with the AES scanner and a RandomX light-mode k2pow, then checked valid by the verifier.
/// What differs from mainnet and why (it does not change the verifier's work per index):
/// <list type="bullet">
/// <item>4096 labels instead of 2^34, so k1 = 100 (not 26) makes a 37-index proof likely in one 16-nonce pass; indices
/// pack into 13 bits instead of 35.</item>
/// <item>k2pow difficulty 3fff…ff per unit (0fff…ff for 4 units: ~16 light-mode hashes to find) instead of mainnet's
/// 000dfb23…: at ~14 light-mode hashes/s per core (bench/results/k2pow.md) mainnet's ~18 750 hashes for 4 units would
/// take ~20 minutes to prove. Checking a pow is one hash whatever the difficulty.</item>
/// </list>
/// The RandomX light cache (256 MiB, ~1-3 s to build) is built once in the setup, as a verifying node keeps it.
/// </summary>
public class VerifyBenchmarks : IDisposable
{
    private const uint NumUnits = 4;
    private const ulong LabelsPerUnit = 1024;
    private const ulong ScryptN = 8192;
    private const uint K1 = 100;
    private const uint K2 = 37;

    private static readonly byte[] PerUnitPowDifficulty = PowDifficulty();

    private string _dir = string.Empty;
    private RandomXContext _randomX = null!;
    private K2PowBackend _k2pow = null!;
    private ProofVerifier _verifier = null!;
    private ProofVerifier _simdVerifier = null!;
    private SimdLabelSource? _simdLabels;
    private Proof _proof = null!;
    private ProofMetadata _metadata = null!;
    private byte[] _commitment = [];
    private ulong _firstIndex;
    private ulong[] _allIndices = [];
    private readonly byte[] _seed = [1, 2, 3, 4];

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "post-verify-bench-" + Guid.NewGuid().ToString("N"));
        var nodeId = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var atxId = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
        var challenge = "verify benchmark challenge 32 B!"u8.ToArray();

        var clock = Stopwatch.StartNew();
        _randomX = RandomXContext.Create(RandomXMode.Light);
        _k2pow = K2PowBackend.Shared(_randomX, threads: 0);
        TimeSpan randomX = clock.Elapsed;

        var proofConfig = new ProofConfig(K1, K2, K2, PerUnitPowDifficulty);
        SampleProof.Built built = SampleProof.Build(_dir, nodeId, atxId, challenge, NumUnits, LabelsPerUnit, ScryptN,
            proofConfig, _k2pow);
        ProofResult result = built.Result;
        TimeSpan init = built.InitTime;
        _proof = result.Proof;
        _metadata = result.Metadata;
        _commitment = Labels.Commitment(new NodeId(nodeId), new AtxId(atxId)).ToArray();
        _firstIndex = result.Indices[0];
        _allIndices = result.Indices;

        _verifier = new ProofVerifier(proofConfig, InitConfig.Mainnet with { LabelsPerUnit = LabelsPerUnit }, _k2pow.Verifier);
        if (_verifier.Verify(_proof, _metadata, VerifyMode.All) is { } error)
        {
            throw new InvalidOperationException($"the benchmark's own proof does not verify: {error}");
        }

        _simdLabels = new SimdLabelSource(threads: 0);
        _simdVerifier = new ProofVerifier(proofConfig, InitConfig.Mainnet with { LabelsPerUnit = LabelsPerUnit }, _k2pow.Verifier, _simdLabels);
        if (_simdVerifier.Verify(_proof, _metadata, VerifyMode.All) is { } simdError)
        {
            throw new InvalidOperationException($"the benchmark's own proof does not verify with SIMD labels: {simdError}");
        }

        Console.WriteLine($"// SIMD label source: {_simdLabels.Name}");

        Console.WriteLine($"// setup: init {NumUnits}×{LabelsPerUnit} labels at N={ScryptN} {init.TotalSeconds:F1} s, RandomX light cache "
            + $"{randomX.TotalSeconds:F1} s, proof (nonce {_proof.Nonce}, pow {_proof.Pow}, {result.Passes} pass) {built.ProveTime.TotalSeconds:F1} s, "
            + $"{_proof.Indices.Length} bytes of indices");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _k2pow.Dispose();
        Dispose();
        _randomX.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Frees the SIMD source's scratch (also done by the cleanup).</summary>
    public void Dispose()
    {
        _simdLabels?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Description = "verify All (37 labels + k2pow)")]
    public bool VerifyAll() => Check(VerifyMode.All);

    [Benchmark(Description = "verify All, SIMD labels (37 labels + k2pow)")]
    public bool VerifyAllSimd() => Check(_simdVerifier, VerifyMode.All);

    [Benchmark(Description = "verify Subset k3=1, SIMD labels (1 label + k2pow)")]
    public bool VerifySubsetK3Simd() => Check(_simdVerifier, VerifyMode.Subset(1, _seed));

    [Benchmark(Description = "37 labels alone, SIMD label source")]
    public byte[] ProofLabelsSimd() => Labels37(_simdLabels!);

    [Benchmark(Description = "37 labels alone, scalar oracle")]
    public byte[] ProofLabelsScalar() => Labels37(ScalarLabelSource.Instance);

    [Benchmark(Description = "verify One (1 label + k2pow)")]
    public bool VerifyOne() => Check(VerifyMode.One(0));

    [Benchmark(Description = "verify Subset k3=1 (1 label + k2pow)")]
    public bool VerifySubsetK3() => Check(VerifyMode.Subset(1, _seed));

    /// <summary>The pieces: one RandomX light-mode hash …</summary>
    [Benchmark(Description = "k2pow check alone (1 RandomX light hash)")]
    public bool K2PowCheck() =>
        _k2pow.Verifier.Verify(_proof.Pow, (byte)_proof.NonceGroup, _metadata.Challenge.Span[..8],
            K2PowDifficulty.Scale(PerUnitPowDifficulty, NumUnits), _metadata.NodeId.Span);

    /// <summary>… and one label with the scalar scrypt oracle at N = 8192.</summary>
    [Benchmark(Description = "one label alone (scalar scrypt N=8192)")]
    public byte[] OneLabel() => Labels.Label(_commitment, _firstIndex, ScryptN);

    private bool Check(VerifyMode mode) => Check(_verifier, mode);

    private byte[] Labels37(ILabelSource source)
    {
        var output = new byte[_allIndices.Length * 32];
        source.ComputeOutputs(_commitment, ScryptN, _allIndices, output);
        return output;
    }

    private bool Check(ProofVerifier verifier, VerifyMode mode) =>
        verifier.Verify(_proof, _metadata, mode) is { } error
            ? throw new InvalidOperationException($"valid proof reported invalid: {error}")
            : true;

    private static byte[] PowDifficulty()
    {
        var difficulty = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        difficulty[0] = 0x3F;
        return difficulty;
    }
}
