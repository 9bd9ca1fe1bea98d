using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Simd;
using Prover.Verifier;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>A real tiny PoST proof (2 units × 128 labels, N = 16, k2 = 8) and a RandomX light context, made once.</summary>
public sealed class TinyProofFixture : IDisposable
{
    public const ulong LabelsPerUnit = 128, ScryptN = 16;
    public const uint NumUnits = 2;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "simd-verify-" + Guid.NewGuid().ToString("N"));

    public TinyProofFixture()
    {
        using (var provider = new ReferenceLabelProvider(1))
        {
            new Initializer([provider]).Run(new InitOptions
            {
                DataDir = _dir,
                NodeId = new NodeId(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
                CommitmentAtxId = new AtxId(Enumerable.Range(50, 32).Select(i => (byte)i).ToArray()),
                NumUnits = NumUnits,
                LabelsPerUnit = LabelsPerUnit,
                MaxFileSize = 64 * 16,
                ScryptN = ScryptN,
            });
        }

        RandomX = RandomXContext.Create(RandomXMode.Light);
        Pow = new K2Pow(RandomX, threads: 1);
        Result = new PostProver(new ReferenceProvingScannerFactory(), Pow)
            .GenerateProofAsync(_dir, new Challenge("simd verification challenge 32B!"u8), Config, new ProvingOptions { Nonces = 16, Threads = 1 })
            .GetAwaiter().GetResult();
    }

    public static ProofConfig Config => new(20, 8, 8, Enumerable.Repeat((byte)0xff, 32).ToArray());

    public static InitConfig Init => new(1, 16, LabelsPerUnit, ScryptN);

    public RandomXContext RandomX { get; }

    public K2Pow Pow { get; }

    public ProofResult Result { get; }

    public void Dispose()
    {
        RandomX.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The SIMD label source against the scalar oracle: the same bytes, and so the same verdicts.</summary>
public sealed class SimdLabelSourceTests(TinyProofFixture proof) : IClassFixture<TinyProofFixture>
{
    public static TheoryData<SimdLevel> Levels => new(SimdLevels.All);

    [Theory]
    [MemberData(nameof(Levels))]
    public void Outputs_at_scattered_indices_equal_the_scalar_oracles_at_every_level(SimdLevel level)
    {
        var commitment = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
        var random = new Random(5);
        foreach (ulong n in new ulong[] { 2, 16, 1024 })
        {
            foreach (int count in new[] { 1, 3, 8, 37, 70 })
            {
                ulong[] indices = [.. Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64() >> random.Next(0, 40))];
                indices[count / 2] = indices[0]; // a repeat
                var simd = new byte[count * 32];
                using (var source = new SimdLabelSource(threads: 2, level))
                {
                    source.ComputeOutputs(commitment, n, indices, simd);
                }

                var scalar = new byte[count * 32];
                ScalarLabelSource.Instance.ComputeOutputs(commitment, n, indices, scalar);
                Assert.True(scalar.AsSpan().SequenceEqual(simd), $"level {level}, N {n}, {count} indices");
            }
        }
    }

    public static TheoryData<string> Forgeries => new("none", "index", "nonce", "pow", "last-index");

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void Simd_backed_and_scalar_verification_give_the_same_verdict(string forgery)
    {
        var original = proof.Result.Proof;
        var indices = (byte[])original.Indices.Clone();
        var forged = forgery switch
        {
            "index" => original with { Indices = Flip(indices, 0) },
            "last-index" => original with { Indices = Flip(indices, indices.Length - 1) },
            "nonce" => original with { Nonce = original.Nonce ^ 1 },
            "pow" => original with { Pow = original.Pow ^ (0xffUL << 48) },
            _ => original,
        };

        using var simdSource = new SimdLabelSource(threads: 2);
        var scalar = new ProofVerifier(TinyProofFixture.Config, TinyProofFixture.Init, proof.Pow);
        var simd = new ProofVerifier(TinyProofFixture.Config, TinyProofFixture.Init, proof.Pow, simdSource);
        foreach (var mode in new[] { VerifyMode.All, VerifyMode.Subset(3, [1, 2, 3]), VerifyMode.One(2) })
        {
            var expected = scalar.Verify(forged, proof.Result.Metadata, mode);
            Assert.Equal(expected, simd.Verify(forged, proof.Result.Metadata, mode));
            if (forgery == "none")
            {
                Assert.Null(expected);
            }
        }

        if (forgery is "index" or "nonce" or "pow")
        {
            Assert.NotNull(scalar.Verify(forged, proof.Result.Metadata, VerifyMode.All));
        }
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        bytes[at] ^= 0x01;
        return bytes;
    }
}
