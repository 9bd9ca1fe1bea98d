using Xunit;

namespace Prover.Verifier.Tests;

/// <summary>
/// The Go post VRF-nonce search vector (spec §7.1 (j)) through the scalar oracle alone: the smallest full output among
/// labels 1024..=262144 at N = 32 for commitment e26b…a339 is at 165545 and is below 00 00 3f ff…ff; none of them is
/// below 00 00 00 ff…ff.
/// </summary>
public class VrfNonceOracleTests
{
    [Fact]
    public void Scalar_oracle_finds_the_go_post_vector_nonce()
    {
        byte[] commitment = Convert.FromHexString("e26b543725490682675f6f84ea7689601adeaf14caa7024ec1140c82754ca339");
        byte[] easy = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        easy[0] = 0;
        easy[1] = 0;
        easy[2] = 0x3f;
        byte[] hard = (byte[])easy.Clone();
        hard[2] = 0;

        // Both threads of the test machine: the range is split in two halves, each keeps its own minimum.
        var halves = new (ulong Index, byte[] Output)[2];
        Parallel.For(0, 2, h =>
        {
            ulong from = h == 0 ? 1024UL : 131585UL, to = h == 0 ? 131584UL : 262144UL;
            var output = new byte[32];
            (ulong Index, byte[] Output) best = (0, Enumerable.Repeat((byte)0xFF, 32).ToArray());
            for (ulong i = from; i <= to; i++)
            {
                Labels.Output32(commitment, i, 32, output);
                if (output.AsSpan().SequenceCompareTo(best.Output) < 0)
                    best = (i, (byte[])output.Clone());
            }

            halves[h] = best;
        });

        var winner = halves[0].Output.AsSpan().SequenceCompareTo(halves[1].Output) <= 0 ? halves[0] : halves[1];
        Assert.Equal(165545UL, winner.Index);
        Assert.Equal("00001f81fadfc488b990c940aba8367a97e85cbb5bc0720a308d293b22902a74",
            Convert.ToHexStringLower(winner.Output));
        Assert.True(winner.Output.AsSpan().SequenceCompareTo(easy) < 0);
        Assert.False(winner.Output.AsSpan().SequenceCompareTo(hard) < 0);
    }
}
