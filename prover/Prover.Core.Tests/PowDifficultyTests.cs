using System.Numerics;
using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

public sealed class PowDifficultyTests
{
    private static readonly byte[] Max = Enumerable.Repeat((byte)0xFF, 32).ToArray();

    [Theory]
    [InlineData(1UL, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData(2UL, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData(4UL, "3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData(32UL, "07ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData(31UL, "0842108421084210842108421084210842108421084210842108421084210842")]
    public void Scaling_matches_the_spec_vectors(ulong units, string expected)
    {
        // post-rs scale_pow_difficulty vectors (spec §7.1(e)), the remote test (/4) and the end-to-end vector (/31).
        Assert.Equal(expected, Convert.ToHexStringLower(K2PowDifficulty.Scale(Max, units)));
    }

    [Fact]
    public void Scaling_matches_big_integer_division()
    {
        var random = new Random(1234);
        var value = new byte[32];
        for (var i = 0; i < 500; i++)
        {
            random.NextBytes(value);
            var units = i switch
            {
                0 => ulong.MaxValue,
                1 => 1UL << 63,
                _ => (ulong)random.NextInt64(1, long.MaxValue) >> random.Next(0, 63),
            };
            units = Math.Max(units, 1);
            var expected = new BigInteger(value, isUnsigned: true, isBigEndian: true) / units;
            var expectedBytes = new byte[32];
            expected.TryWriteBytes(expectedBytes.AsSpan(32 - expected.GetByteCount(isUnsigned: true)), out _,
                isUnsigned: true, isBigEndian: true);
            Assert.Equal(expectedBytes, K2PowDifficulty.Scale(value, units));
        }
    }

    [Fact]
    public void Scaling_rejects_zero_units_and_bad_lengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => K2PowDifficulty.Scale(Max, 0));
        Assert.Throws<ArgumentException>(() => K2PowDifficulty.Scale(new byte[31], 1));
    }

    [Fact]
    public void Comparison_is_big_endian_and_strict()
    {
        var a = new byte[32];
        var b = new byte[32];
        a[0] = 1;
        b[31] = 0xFF;
        Assert.True(K2PowDifficulty.IsBelow(b, a));
        Assert.False(K2PowDifficulty.IsBelow(a, b));
        Assert.False(K2PowDifficulty.IsBelow(a, a));
    }
}
