using System.Runtime.Intrinsics;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Kernels.Tests;

public class SimdLevelTests
{
    [Fact]
    public void Best_is_the_widest_accelerated_width()
    {
        var expected = Vector512.IsHardwareAccelerated ? SimdLevel.V512
            : Vector256.IsHardwareAccelerated ? SimdLevel.V256
            : Vector128.IsHardwareAccelerated ? SimdLevel.V128
            : SimdLevel.Scalar;
        Assert.Equal(expected, SimdLevels.Best);
        Assert.True(SimdLevels.IsSupported(SimdLevels.Best));
        Assert.True(SimdLevels.IsSupported(SimdLevel.Scalar));
    }

    [Fact]
    public void Lanes_per_level()
    {
        Assert.Equal([1, 4, 8, 16], SimdLevels.All.Select(SimdLevels.Lanes));
        Assert.Throws<ArgumentOutOfRangeException>(() => SimdLevels.Lanes((SimdLevel)7));
        Assert.False(SimdLevels.IsSupported((SimdLevel)7));
    }

    [Theory]
    [InlineData("v512", SimdLevel.V512)]
    [InlineData("V256", SimdLevel.V256)]
    [InlineData("scalar", SimdLevel.Scalar)]
    [InlineData("v128", SimdLevel.V128)]
    public void Levels_parse_case_insensitively(string text, SimdLevel expected)
    {
        Assert.True(SimdLevels.TryParse(text, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("avx")]
    [InlineData("7")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_levels_do_not_parse(string? text) => Assert.False(SimdLevels.TryParse(text, out _));
}
