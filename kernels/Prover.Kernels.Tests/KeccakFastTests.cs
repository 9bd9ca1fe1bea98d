using Prover.Kernels.Simd;
using Xunit;
using ReferenceKeccak512 = Prover.Verifier.Scrypt.Keccak512;

namespace Prover.Kernels.Tests;

/// <summary>The unrolled Keccak-f[1600] / Keccak-512 of the kernels against the spec values and the Verifier's reference.</summary>
public class KeccakFastTests
{
    private static string Hash(ReadOnlySpan<byte> input)
    {
        var digest = new byte[64];
        FastKeccak512.Hash(input, digest);
        return digest.ToHex();
    }

    [Fact]
    public void Keccak512_of_empty_and_abc_match_the_spec()
    {
        Assert.Equal(
            "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e",
            Hash([]));
        Assert.Equal(
            "18587dc2ea106b9a1563e32b3312421ca164c7f1f07bc922a9c83d77cea3a1e5d0c69910739025372dc14ac9642629379540c17e2a65b19d77aa511a9d00bb96",
            Hash("abc"u8));
    }

    [Fact]
    public void Keccak512_passes_the_scrypt_jane_self_test()
    {
        // scrypt-jane-hash.h: final = H(H(msg[0..0]) ‖ H(msg[0..1]) ‖ … ‖ H(msg[0..257])) with msg[i] = i.
        var msg = new byte[257];
        for (int i = 0; i < msg.Length; i++)
        {
            msg[i] = (byte)i;
        }

        var all = new byte[258 * 64];
        for (int i = 0; i <= 257; i++)
        {
            FastKeccak512.Hash(msg.AsSpan(0, i), all.AsSpan(i * 64, 64));
        }

        Assert.Equal(
            "17c78ca0d9081dba8ac83e0790da918825bdd3f8784a8d5ee4969c01f3ebdc12ea3557ba94b8e9b927450a485c3d69f0db2238b5522229ea7ab2e607aa374de6",
            Hash(all));
    }

    [Fact]
    public void Keccak512_matches_the_reference_for_every_length_around_the_rate()
    {
        var rng = new Random(1600);
        var input = new byte[3 * 72 + 5];
        rng.NextBytes(input);
        var expected = new byte[64];
        var actual = new byte[64];
        for (int length = 0; length <= input.Length; length++)
        {
            ReferenceKeccak512.Hash(input.AsSpan(0, length), expected);
            FastKeccak512.Hash(input.AsSpan(0, length), actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}");
        }
    }

    [Fact]
    public void Permutation_matches_the_reference_on_random_states()
    {
        var rng = new Random(25);
        var expected = new ulong[25];
        var actual = new ulong[25];
        for (int trial = 0; trial < 50; trial++)
        {
            for (int i = 0; i < 25; i++)
            {
                expected[i] = actual[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
            }

            ReferenceKeccak512.Permute(expected);
            Keccak1600.Permute(actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Permutation_of_the_zero_state_matches_the_known_first_lane()
    {
        // Keccak-f[1600] applied to the all-zero state: first lane F1258F7940E1DDE7 (Keccak team's KeccakF-1600 test output).
        var state = new ulong[25];
        Keccak1600.Permute(state);
        Assert.Equal(0xF1258F7940E1DDE7UL, state[0]);
    }

    [Fact]
    public void Permute_rejects_a_short_state() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Keccak1600.Permute(new ulong[24]));
}
