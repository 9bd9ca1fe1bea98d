using Prover.Node.Consensus.Eligibility;
using Xunit;

namespace Prover.Node.Tests.Consensus.Eligibility;

public class FixedMathTests
{
    private static double D(Fixed x) => x.ToDouble();

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(1.5)]
    [InlineData(100.0)]
    public void Log_is_accurate_to_about_one_part_in_ten_to_the_fourteen(double x)
    {
        var input = Fixed.FromDouble(x); // x truncated to 56 fractional bits
        var want = Math.Log(D(input));
        var got = D(FixedMath.Log(input.Fixed56()));
        Assert.True(Math.Abs(got - want) < 1e-14, $"log({x}) = {got:R}, want {want:R}");
    }

    [Theory]
    [InlineData(-30.0)]
    [InlineData(-1.0)]
    [InlineData(-0.001)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(3.0)]
    [InlineData(20.0)]
    public void Exp_is_accurate_relative_to_its_magnitude(double x)
    {
        var got = D(FixedMath.Exp(Fixed.FromDouble(x)));
        var want = Math.Exp(x);
        Assert.True(Math.Abs(got - want) <= (want * 1e-13) + 1e-15, $"exp({x}) = {got:R}, want {want:R}");
    }

    [Fact]
    public void Exp_below_minus_thirty_eight_is_zero()
    {
        Assert.True(FixedMath.Exp(Fixed.FromDouble(-39.5)).IsZero);
        Assert.False(FixedMath.Exp(Fixed.FromDouble(-38.5)).IsZero); // integer part -38: still computed
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    [InlineData(7L)]
    [InlineData(8L)]
    [InlineData(50L)]
    [InlineData(1000L)]
    [InlineData(1L << 30)]
    public void Lgamma_of_an_integer_matches_the_log_factorial(long x)
    {
        // lgamma(x) = ln((x-1)!) = Σ ln k for k < x; summed in double for small x, Stirling in double for large x.
        double want;
        if (x < 2000)
        {
            want = 0;
            for (var k = 2L; k < x; k++)
            {
                want += Math.Log(k);
            }
        }
        else
        {
            var z = (double)x;
            want = ((z - 0.5) * Math.Log(z)) - z + (0.5 * Math.Log(2 * Math.PI)) + (1 / (12 * z));
        }

        var got = D(FixedMath.LGamma(x));
        Assert.True(Math.Abs(got - want) <= Math.Max(1e-12, Math.Abs(want) * 1e-14), $"lgamma({x}) = {got:R}, want {want:R}");
    }

    [Fact]
    public void Arithmetic_keeps_sign_magnitude_and_truncates()
    {
        var third = Fixed.One.Div(Fixed.FromInt64(3));
        Assert.Equal("+0'55555555555555/56", third.ToString());
        Assert.Equal("-0'55555555555555/56", Fixed.FromInt64(-1).Div(Fixed.FromInt64(3)).ToString());
        Assert.Equal("+0'ffffffffffffff/56", third.Add(third).Add(third).ToString()); // truncation is visible
        Assert.Equal("-2'00000000000000/56", Fixed.FromInt64(3).Sub(Fixed.FromInt64(5)).ToString());
        Assert.True(Fixed.FromInt64(-1).GreaterThan(Fixed.One)); // raw-word order: the sign bit is the top bit
        Assert.True(Fixed.Zero.Mul(Fixed.FromInt64(-1)).IsNegative); // a negative zero, as the library makes it
    }

    [Fact]
    public void Overflow_throws_where_the_library_panics()
    {
        var big = Fixed.FromInt64(1L << 40);
        Assert.Throws<OverflowException>(() => big.Mul(big));
        Assert.Throws<DivideByZeroException>(() => Fixed.One.Div(Fixed.Zero));
        Assert.Throws<OverflowException>(() => Fixed.BinCdf((1L << 30) + 2, Fixed.DivUInt64(1, 2), 0));
        Assert.Throws<OverflowException>(() => Fixed.BinCdf(10, Fixed.FromInt64(2), 3));
    }

    [Fact]
    public void Bin_cdf_is_zero_below_zero_one_at_n_and_increases_in_x()
    {
        var p = Fixed.DivUInt64(50, 1000);
        Assert.Equal(Fixed.Zero, Fixed.BinCdf(100, p, -1));
        Assert.Equal(Fixed.One, Fixed.BinCdf(100, p, 100));
        var previous = Fixed.Zero;
        for (var x = 0; x < 20; x++)
        {
            var cdf = Fixed.BinCdf(100, p, x);
            Assert.True(cdf.ToDouble() >= previous.ToDouble(), $"BinCDF(100, 0.05, {x}) decreased");
            previous = cdf;
        }

        Assert.InRange(previous.ToDouble(), 0.999999, 1.0);
    }
}
