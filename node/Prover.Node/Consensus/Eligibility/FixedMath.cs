using System.Numerics;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// The special functions behind <see cref="Fixed.BinCdf(long, Fixed, long)"/>, computed as spacemeshos/fixed does
/// (fixedraw.go, log.go, exp.go, lgamma.go, beta.go): log₂ by repeated squaring, exp by range reduction and a
/// 14-term series, lgamma by factorials below 8 and Stirling's series above, and the regularized incomplete beta by
/// Lentz's continued fraction (at most 300 steps, stopping once 0 ≤ δ−1 &lt; 1e-14 in the library's raw-word order).
/// Every intermediate rounding is the library's.
/// </summary>
internal static class FixedMath
{
    private const int FracBits = Fixed.FracBits;
    private const long OneValue = Fixed.OneValue;
    private const long FracMask = Fixed.FracMask;
    private const long HalfValue = Fixed.HalfValue;

    /// <summary>ln 2 with 56 fractional bits.</summary>
    private const long Ln2 = 0xb17217f7d1cf78;

    /// <summary>log₂ e with 56 fractional bits.</summary>
    private const long Log2E = 0x171547652b82fe0;

    private const long InvLog2E = Ln2;
    private const long InvLn2 = Log2E;

    /// <summary>1/k! for k = 2..14, truncated to 56 fractional bits.</summary>
    private static readonly long[] InverseFactorials =
    [
        OneValue / 2, OneValue / 6, OneValue / 24, OneValue / 120, OneValue / 720, OneValue / 5040,
        OneValue / 40320, OneValue / 362880, OneValue / 3628800, OneValue / 39916800, OneValue / 479001600,
        OneValue / 6227020800, OneValue / 87178291200,
    ];

    /// <summary>The continued fraction stops once δ−1 is below this (1e-14 as the library converts it).</summary>
    private static readonly Fixed BcfEpsilon = Fixed.FromDouble(1e-14);

    // ---- signed 8.56 helpers (fixedraw.go) ----

    /// <summary>x·y rounded to nearest (half up); throws when the result leaves 8.56.</summary>
    internal static long Mul56(long x, long y)
    {
        var hi2 = Math.BigMul((ulong)x, (ulong)y, out var lo2);
        var lo = FixedOps.AddCarry(lo2, (ulong)HalfValue, 0, out var c);
        var hi = hi2 - ((ulong)(x >> 63) & (ulong)y) - ((ulong)(y >> 63) & (ulong)x) + c;
        if (hi >> 63 != ((hi >> (FracBits - 1)) & 1))
        {
            throw new OverflowException("fixed: 8.56 multiplication overflow");
        }

        return (long)((hi << (64 - FracBits)) | (lo >> FracBits));
    }

    /// <summary>Unsigned x·y truncated, no checks.</summary>
    internal static long Mul56U(long x, long y)
    {
        var hi = Math.BigMul((ulong)x, (ulong)y, out var lo);
        return (long)((hi << (64 - FracBits)) | (lo >> FracBits));
    }

    /// <summary>x/y rounded to nearest, in 8.56.</summary>
    internal static long Div56(long x, long y)
    {
        var xs = x >> 63;
        var ys = y >> 63;
        var a = (ulong)((x ^ xs) - xs);
        var b = (ulong)((y ^ ys) - ys);
        var v = FixedOps.Div128By64(a >> (64 - FracBits), a << FracBits, b, out var rem);
        v = FixedOps.AddCarry(v, (rem << 1) / b, 0, out var carry);
        if (carry != 0)
        {
            throw new OverflowException("fixed: 8.56 division overflow");
        }

        return (long)v * (((xs ^ ys) * 2) + 1);
    }

    private static long Floor56(long x) => x & ~FracMask;

    // ---- logarithms (log.go) ----

    /// <summary>a·ln(x) for a 8.56 fraction x and an integer a.</summary>
    internal static Fixed ALogX(long x, long a) => FixedOps.Mul(Log(x), Fixed.FromInt64(a));

    /// <summary>ln(x) of a 8.56 value.</summary>
    internal static Fixed Log(long x) => Fixed.RawFixed(Log56(x));

    private static long Log56(long x) => Mul56(Log2(x, FracBits), InvLog2E);

    /// <summary>ln(x) of an integer x, in 8.56.</summary>
    private static long ILog56(long x) => Mul56(Log2(x, 0), InvLog2E);

    /// <summary>log₂ of x read with <paramref name="oneWidth"/> fractional bits, in 8.56, by repeated squaring.</summary>
    internal static long Log2(long x, int oneWidth)
    {
        int n;
        long b;
        var one = 1L << oneWidth;
        var len = 64 - BitOperations.LeadingZeroCount((ulong)x);
        if (x < one)
        {
            if (x <= 0)
            {
                throw new OverflowException("fixed: log of a non-positive value");
            }

            n = oneWidth + 1 - len;
            b = -((long)n << FracBits);
        }
        else
        {
            if (x == one)
            {
                return 0;
            }

            n = len - (oneWidth + 1);
            b = (long)n << FracBits;
        }

        // a in [1, 2) with 62 fractional bits; each squaring yields the next bit of the fraction of log₂.
        var a = ((ulong)x << (64 - len)) >> 1;
        for (var i = 0; i < FracBits; i++)
        {
            var hi = Math.BigMul(a, a, out var lo);
            a = (hi << 2) | (lo >> 62);
            var c = (long)(a >> 63);
            a >>= (int)c;
            b += (HalfValue >> i) * c;
        }

        return b;
    }

    // ---- exp (exp.go) ----

    /// <summary>eˣ; 0 when the integer part of x is below −38.</summary>
    internal static Fixed Exp(Fixed x)
    {
        if (x.Integer() < -38)
        {
            return Fixed.FromInt64(0);
        }

        return Exp56(x.Fixed56());
    }

    private static Fixed Exp56(long x)
    {
        var ey = ExpReduced(x, out var k);
        var z = Fixed.RawFixed(ey);
        if (x < 0)
        {
            if (z.IsZero)
            {
                throw new OverflowException("fixed: exp underflow");
            }

            z = FixedOps.Inv(z);
            k = -k;
        }

        return k < 0 ? z.Shr((int)-k) : z.Shl((int)k);
    }

    /// <summary>e^|x| = 2^k·e^y with y = |x| − k·ln 2; returns the series for e^y and k.</summary>
    private static long ExpReduced(long x, out long k)
    {
        var xs = x >> 63;
        var a = (x ^ xs) - xs;
        var t = Mul56U(a, InvLn2);
        k = Floor56(t);
        var u = Mul56U(k, Ln2);
        k >>= FracBits;
        var y = a - u;
        var ey = OneValue + y;
        var py = y;
        foreach (var j in InverseFactorials)
        {
            py = Mul56U(py, y);
            ey += Mul56U(py, j);
        }

        return ey;
    }

    // ---- lgamma (lgamma.go): integer arguments only ----

    internal static Fixed LGamma(long x)
    {
        switch (x)
        {
            case <= 0:
                throw new OverflowException("fixed: lgamma of a non-positive value");
            case <= 2:
                return Fixed.FromInt64(0);
            case < 8:
                long z = 1;
                for (x -= 1; x >= 2; x--)
                {
                    z *= x;
                }

                return Fixed.RawFixed(ILog56(z));
            default:
                // Stirling's series coefficients with 56 fractional bits.
                const long w0 = 0x6b3f8e4325f5a4;
                const long w1 = 0x1555555555553b;
                const long w2 = -0xb60b60b58172;
                const long w3 = 0x34033f319e71;
                const long w4 = -0x270197181fce;
                const long w5 = 0x36cf7499b5ab;
                const long w6 = -0x6ae2742e790f;

                var t = ILog56(x) - OneValue;
                var zz = Div56(1, x); // 1 (not one) over the integer x: 2^-56·2^56/x = 1/x in 8.56
                var y = Mul56(zz, zz);
                var w = w0 + Mul56(zz, w1 + Mul56(y, w2 + Mul56(y, w3 + Mul56(y, w4 + Mul56(y, w5 + Mul56(y, w6))))));
                var a = FixedOps.Sub(Fixed.FromInt64(x), Fixed.RawFixed(HalfValue));
                return FixedOps.Add(FixedOps.Mul(a, Fixed.RawFixed(t)), Fixed.RawFixed(w));
        }
    }

    // ---- regularized incomplete beta (beta.go) ----

    /// <summary>Iₓ(a, b) for integers a, b ≤ 2^30 and a 8.56 fraction x in [0, 1].</summary>
    internal static Fixed Incomplete(long a, long b, long x)
    {
        if (a > 1L << 30 || b > 1L << 30)
        {
            throw new OverflowException("fixed: incomplete beta arguments above 2^30");
        }

        var bt = Fixed.FromInt64(0);
        if (x > 0 && x < OneValue)
        {
            var lg = FixedOps.Sub(FixedOps.Sub(LGamma(a + b), LGamma(a)), LGamma(b));
            bt = Exp(FixedOps.Add(FixedOps.Add(lg, ALogX(x, a)), ALogX(OneValue - x, b)));
        }
        else if (x < 0 || x > OneValue)
        {
            throw new OverflowException("fixed: incomplete beta x outside [0, 1]");
        }

        if (x > FixedOps.Div(Fixed.FromInt64(a + 1), Fixed.FromInt64(a + b + 2)).Fixed56())
        {
            // symmetry: Iₓ(a, b) = 1 − I₁₋ₓ(b, a)
            return FixedOps.Sub(Fixed.One, ContinuedPart(bt, OneValue - x, b, a));
        }

        return ContinuedPart(bt, x, a, b);
    }

    private static Fixed ContinuedPart(Fixed bt, long x, long a, long b)
    {
        if (bt.IsZero)
        {
            return bt;
        }

        var h = ContinuedFraction(x, a, b);
        return FixedOps.Div(FixedOps.Mul(bt, h), Fixed.FromInt64(a));
    }

    private static Fixed NonZero(Fixed z) => z.IsZero ? Fixed.RawFixed(1) : z;

    private static Fixed ContinuedFraction(long x, long a, long b)
    {
        const int iterations = 300;
        var xx = Fixed.RawFixed(x);
        var c = Fixed.One;
        var d = FixedOps.Inv(NonZero(FixedOps.Sub(
            Fixed.One,
            FixedOps.Div(FixedOps.Mul(xx, Fixed.FromInt64(a + b)), Fixed.FromInt64(a + 1)))));
        var h = d;

        for (long m = 1; m < iterations; m++)
        {
            // d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
            var n = FixedOps.Div(FixedOps.Mul(xx, Fixed.FromInt64(m * (b - m))), Fixed.FromInt64((a + m + m - 1) * (a + m + m)));
            d = FixedOps.Inv(NonZero(FixedOps.MulAdd1(n, d)));
            c = NonZero(FixedOps.DivAdd1(n, c));
            h = FixedOps.Mul(FixedOps.Mul(h, d), c);

            // d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
            n = FixedOps.Div(FixedOps.Mul(Fixed.FromInt64((-a - m) * (a + b + m)), xx), Fixed.FromInt64((a + m + m) * (a + m + m + 1)));
            d = FixedOps.Inv(NonZero(FixedOps.MulAdd1(n, d)));
            c = NonZero(FixedOps.DivAdd1(n, c));

            var del = FixedOps.Mul(d, c);
            h = FixedOps.Mul(h, del);
            if (FixedOps.Sub(del, Fixed.One).LessThan(BcfEpsilon))
            {
                return h;
            }
        }

        return h;
    }
}
