using Prover.Core.Init;
using Prover.Kernels.Simd;
using Prover.Verifier;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// The Go post VRF-nonce search vector (spec §7.1 (j), post internal/postrs/api_test.go): commitment e26b…a339, N = 32,
/// labels 1024..=262144, difficulty 00 00 3f ff…ff → nonce 165545; with 00 00 00 ff…ff nothing is found. Run on every
/// SIMD level of the CPU provider; the winning output is checked against the scalar oracle.
/// </summary>
public class VrfNonceVectorTests
{
    private const ulong First = 1024, Last = 262144, N = 32;
    private static readonly byte[] Commitment =
        Convert.FromHexString("e26b543725490682675f6f84ea7689601adeaf14caa7024ec1140c82754ca339");
    private static readonly byte[] Winning =
        Convert.FromHexString("00001f81fadfc488b990c940aba8367a97e85cbb5bc0720a308d293b22902a74");

    public static TheoryData<SimdLevel> Levels() => new(SimdLevels.All);

    [Theory]
    [MemberData(nameof(Levels))]
    public void Go_post_vector_nonce_on_every_SIMD_level(SimdLevel level)
    {
        byte[] easy = Difficulty(0x3f);
        byte[] hard = Difficulty(0x00);
        using var provider = new CpuLabelProvider(2, level);
        ulong? best = null, bestHard = null;
        byte[] bestOutput = easy;
        const int Batch = 8192;
        var outputs = new byte[Batch * 32];
        for (ulong start = First; start <= Last; start += Batch)
        {
            int count = (int)Math.Min(Batch, Last - start + 1);
            provider.ComputeOutputs(Commitment, N, start, count, outputs);
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> output = outputs.AsSpan(i * 32, 32);
                if (output.SequenceCompareTo(bestOutput) < 0)
                {
                    best = start + (ulong)i;
                    bestOutput = output.ToArray();
                }

                if (bestHard is null && VrfDifficulty.IsBelow(output, hard))
                    bestHard = start + (ulong)i;
            }
        }

        Assert.Equal(165545UL, best);
        Assert.Equal(Convert.ToHexStringLower(Winning), Convert.ToHexStringLower(bestOutput));
        Assert.Null(bestHard);

        var oracle = new byte[32];
        Labels.Output32(Commitment, 165545, N, oracle);
        Assert.Equal(Winning, oracle);
    }

    private static byte[] Difficulty(byte third)
    {
        var d = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        d[0] = 0;
        d[1] = 0;
        d[2] = third;
        return d;
    }
}
