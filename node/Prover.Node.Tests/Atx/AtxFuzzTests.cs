using Prover.Node.Atx;
using Prover.Node.Codec;
using Xunit;
using static Prover.Node.Tests.Codec.NodeVectors;

namespace Prover.Node.Tests.Atx;

public class AtxFuzzTests
{
    private static byte[][] V1Blobs() =>
        [.. Load("atx_v1.json").Where(v => v.Str("hex") is not null).Select(v => Hex(v.Str("hex")!))];

    private static byte[][] V2Blobs() =>
        [.. Load("atx_v2.json").Where(v => v.Str("hex") is not null).Select(v => Hex(v.Str("hex")!))];

    [Fact]
    public void Mutated_and_truncated_v1_blobs_either_decode_to_a_stable_id_or_fail_with_the_decode_exception()
    {
        var accepted = Fuzz(V1Blobs(), seed: 1, blob =>
        {
            var atx = ActivationTxV1.Decode(blob);
            var id = atx.ComputeId();
            var again = ActivationTxV1.Decode(atx.Encode());
            Assert.Equal(id, again.ComputeId());
            Assert.Equal(atx.Encode(), again.Encode());
            _ = AtxSyntax.Check(atx);
        });
        Assert.True(accepted > 0, "no mutation was accepted: the fuzz does not reach the accepting paths");
    }

    [Fact]
    public void Mutated_and_truncated_v2_blobs_either_decode_to_a_stable_id_or_fail_with_the_decode_exception()
    {
        var accepted = Fuzz(V2Blobs(), seed: 2, blob =>
        {
            var atx = ActivationTxV2.Decode(blob);
            var id = atx.ComputeId();
            var again = ActivationTxV2.Decode(atx.Encode());
            Assert.Equal(id, again.ComputeId());
            Assert.Equal(atx.Encode(), again.Encode());
            _ = AtxSyntax.Check(atx);
        });
        Assert.True(accepted > 0, "no mutation was accepted: the fuzz does not reach the accepting paths");
    }

    private static int Fuzz(byte[][] seeds, int seed, Action<byte[]> decode)
    {
        Assert.NotEmpty(seeds);
        var rng = new Random(seed);
        var accepted = 0;
        foreach (var original in seeds)
        {
            // Every truncation fails.
            for (var cut = 0; cut < original.Length; cut += 1 + (cut / 16))
            {
                Assert.Throws<ScaleDecodeException>(() => decode(original[..cut]));
            }

            for (var round = 0; round < 400; round++)
            {
                var blob = (byte[])original.Clone();
                var edits = 1 + rng.Next(3);
                for (var e = 0; e < edits && blob.Length > 0; e++)
                {
                    switch (rng.Next(4))
                    {
                        case 0:
                            blob[rng.Next(blob.Length)] = (byte)rng.Next(256);
                            break;
                        case 1:
                            blob[rng.Next(blob.Length)] ^= (byte)(1 << rng.Next(8));
                            break;
                        case 2:
                            // A length or tag region: the first 200 bytes hold most of the structure.
                            blob[rng.Next(Math.Min(200, blob.Length))] = (byte)rng.Next(256);
                            break;
                        default:
                            blob = rng.Next(2) == 0 ? blob[..rng.Next(blob.Length)] : [.. blob, (byte)rng.Next(256)];
                            break;
                    }
                }

                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    decode(blob);
                    accepted++;
                }
                catch (ScaleDecodeException)
                {
                    // The only failure the decoder may report.
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 4 * 1024 * 1024, $"decoding a {blob.Length}-byte blob allocated {allocated} bytes");
            }
        }

        return accepted;
    }
}
