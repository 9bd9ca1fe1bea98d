using System.Text.Json;
using Prover.Node.Consensus.Eligibility;
using Prover.Node.Tests.Codec;
using Xunit;

namespace Prover.Node.Tests.Consensus.Eligibility;

public class FixedPointVectorTests
{
    private const string File = "eligibility.json";

    public static IEnumerable<object[]> MulVectors => NodeVectors.Indexed(File, "fixed_mul");

    public static IEnumerable<object[]> DivVectors => NodeVectors.Indexed(File, "fixed_div");

    public static IEnumerable<object[]> ExactCdfVectors => NodeVectors.Indexed(File, "bincdf_exact");

    public static IEnumerable<object[]> AccuracyVectors => NodeVectors.Indexed(File, "bincdf_accuracy");

    private static JsonElement Vector(int index) => NodeVectors.Load(File)[index];

    [Theory]
    [MemberData(nameof(MulVectors))]
    public void Multiplication_of_two_doubles_prints_the_librarys_exact_string(int index)
    {
        var v = Vector(index);
        var x = Fixed.FromDouble(v.GetProperty("x").GetDouble());
        var y = Fixed.FromDouble(v.GetProperty("y").GetDouble());
        Assert.Equal(v.Str("s"), x.Mul(y).ToString());
    }

    [Theory]
    [MemberData(nameof(DivVectors))]
    public void Division_of_two_doubles_prints_the_librarys_exact_string(int index)
    {
        var v = Vector(index);
        var x = Fixed.FromDouble(v.GetProperty("x").GetDouble());
        var y = Fixed.FromDouble(v.GetProperty("y").GetDouble());
        Assert.Equal(v.Str("s"), x.Div(y).ToString());
    }

    [Theory]
    [MemberData(nameof(ExactCdfVectors))]
    public void Binomial_cdf_with_p_from_an_unsigned_division_is_bit_exact(int index)
    {
        var v = Vector(index);
        var p = Fixed.DivUInt64(v.GetProperty("p_num").GetUInt64(), v.GetProperty("p_den").GetUInt64());
        Assert.Equal(v.Str("p_fixed"), p.ToString());
        var cdf = Fixed.BinCdf(v.GetProperty("n").GetInt64(), p, v.GetProperty("x").GetInt64());
        Assert.Equal(v.Str("cdf_fixed"), cdf.ToString());
    }

    [Theory]
    [MemberData(nameof(AccuracyVectors))]
    public void Binomial_cdf_stays_within_the_librarys_accuracy_bound(int index)
    {
        var v = Vector(index);
        var p = Fixed.FromDouble(v.GetProperty("p").GetDouble());
        var got = Fixed.BinCdf(v.GetProperty("n").GetInt64(), p, v.GetProperty("x").GetInt64());
        var want = Fixed.FromDouble(v.GetProperty("cdf").GetDouble());
        var epsilon = v.GetProperty("epsilon").GetDouble();
        Assert.True(
            Math.Abs(got.Sub(want).ToDouble()) <= epsilon,
            $"BinCDF = {got} ({got.ToDouble():R}), want {v.GetProperty("cdf").GetDouble():R} ± {epsilon}");
    }
}
