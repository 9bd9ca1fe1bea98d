using System.Text.Json;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Core.Tests;

public class ProvingDifficultyTests
{
    [Theory]
    [InlineData(1u, 2UL, 1UL << 63)]
    [InlineData(1u, 4UL, 1UL << 62)]
    [InlineData(1u, 128UL, 1UL << 57)]
    [InlineData(4u, 128UL, 576460752303423488UL)]
    [InlineData(23u, 126976UL, 3341380368694238UL)]
    [InlineData(20u, 400UL, 922337203685477580UL)]
    public void Upstream_and_spec_values(uint k1, ulong numLabels, ulong expected) =>
        Assert.Equal(expected, ProvingDifficulty.Compute(k1, numLabels));

    [Theory]
    [InlineData(1u, 0UL)]
    [InlineData(2u, 1UL)]
    [InlineData(1u, 1UL)]
    public void Invalid_parameters(uint k1, ulong numLabels)
    {
        Assert.False(ProvingDifficulty.TryCompute(k1, numLabels, out _));
        Assert.Throws<ArgumentException>(() => ProvingDifficulty.Compute(k1, numLabels));
    }

    [Fact]
    public void Split_of_small_vector()
    {
        ulong d = ProvingDifficulty.Compute(20, 400);
        Assert.Equal(12, ProvingDifficulty.Msb(d));
        Assert.Equal(57646075230342348UL, ProvingDifficulty.Lsb(d));
    }

    [Theory]
    [InlineData("1SU")]
    [InlineData("4SU")]
    [InlineData("16SU")]
    public void Mainnet_difficulties(string name)
    {
        JsonElement v = TestData.Load("vectors_basic.json").GetProperty("difficulty").GetProperty(name);
        ulong numLabels = v.GetProperty("num_labels").GetUInt64();
        ulong d = ProvingDifficulty.Compute(v.GetProperty("k1").GetUInt32(), numLabels);
        Assert.Equal(v.GetProperty("difficulty").GetUInt64(), d);
        Assert.Equal(v.GetProperty("msb").GetInt32(), ProvingDifficulty.Msb(d));
        Assert.Equal(v.GetProperty("lsb").GetUInt64(), ProvingDifficulty.Lsb(d));
        uint units = (uint)(numLabels >> 32);
        Assert.Equal(v.GetProperty("pow_difficulty_scaled").GetString(),
            Convert.ToHexStringLower(K2PowDifficulty.Scale(ProofConfig.Mainnet.PowDifficulty, units)));
        int bits = IndexCompression.RequiredBits(numLabels);
        Assert.Equal(v.GetProperty("bits_per_index").GetInt32(), bits);
        Assert.Equal(v.GetProperty("indices_bytes_k2_37").GetInt32(), IndexCompression.ExpectedBytes(bits, 37));
    }

    [Fact]
    public void Scale_pow_difficulty_upstream_vectors()
    {
        byte[] max = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.Equal(max, K2PowDifficulty.Scale(max, 1));
        Assert.Equal("7f" + new string('f', 62), Convert.ToHexStringLower(K2PowDifficulty.Scale(max, 2)));
        Assert.Equal("07" + new string('f', 62), Convert.ToHexStringLower(K2PowDifficulty.Scale(max, 32)));
        Assert.Equal("3f" + new string('f', 62), Convert.ToHexStringLower(K2PowDifficulty.Scale(max, 4)));
        Assert.Equal("0842108421084210842108421084210842108421084210842108421084210842", Convert.ToHexStringLower(K2PowDifficulty.Scale(max, 31)));
        Assert.Throws<ArgumentOutOfRangeException>(() => K2PowDifficulty.Scale(max, 0));
    }

    [Fact]
    public void Scale_pow_difficulty_matches_big_integer_division()
    {
        var random = new Random(12);
        var bytes = new byte[32];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(bytes);
            uint units = (uint)random.Next(1, int.MaxValue);
            var expected = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true) / units;
            var actual = new System.Numerics.BigInteger(K2PowDifficulty.Scale(bytes, units), isUnsigned: true, isBigEndian: true);
            Assert.Equal(expected, actual);
        }
    }
}
