using System.Numerics;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// The arithmetic of <see cref="Fixed"/> as spacemeshos/fixed performs it (addsub128.go, mul128.go, div128.go):
/// sign-magnitude addition, a product truncated to 56 fractional bits, and a long division whose correction step
/// compares with "greater" (not "greater or equal"), all reproduced bit for bit.
/// </summary>
internal static class FixedOps
{
    private const ulong SignMask = Fixed.SignMask;
    private const ulong UnsignMask = Fixed.UnsignMask;

    public static Fixed Add(Fixed x, Fixed y)
    {
        var xs = x.Hi & SignMask;
        var ys = y.Hi & SignMask;
        if (xs != ys)
        {
            return ys != 0 ? USub(x, y.Abs()) : USub(y, x.Abs());
        }

        return UAdd(x.Abs(), y.Abs()).SetSignAs(x);
    }

    public static Fixed Sub(Fixed x, Fixed y) => Add(x, y.Neg());

    private static Fixed UAdd(Fixed x, Fixed y)
    {
        var lo = AddCarry(x.Lo, y.Lo, 0, out var c);
        var hi = AddCarry(x.Hi, y.Hi, c, out c);
        if ((c | (hi & SignMask)) != 0)
        {
            throw new OverflowException("fixed: addition overflow");
        }

        return new Fixed(lo, hi);
    }

    private static Fixed USub(Fixed x, Fixed y)
    {
        if (x.LessThan(y))
        {
            var l = SubBorrow(y.Lo, x.Lo, 0, out var b);
            var h = SubBorrow(y.Hi, x.Hi, b, out _);
            return new Fixed(l, h | SignMask);
        }

        var lo = SubBorrow(x.Lo, y.Lo, 0, out var borrow);
        var hi = SubBorrow(x.Hi, y.Hi, borrow, out _);
        return new Fixed(lo, hi);
    }

    public static Fixed Mul(Fixed x, Fixed y)
    {
        var a = x.Hi & UnsignMask;
        var b = y.Hi & UnsignMask;
        ulong r0, r1, r2 = 0, r3 = 0;
        r1 = Math.BigMul(x.Lo, y.Lo, out r0);

        var h = Math.BigMul(a, y.Lo, out var l);
        r1 = AddCarry(r1, l, 0, out var c);
        r2 = AddCarry(r2, h, c, out c);
        r3 += c;

        h = Math.BigMul(x.Lo, b, out l);
        r1 = AddCarry(r1, l, 0, out c);
        r2 = AddCarry(r2, h, c, out c);
        r3 += c;

        h = Math.BigMul(a, b, out l);
        r2 = AddCarry(r2, l, 0, out c);
        r3 = AddCarry(r3, h, c, out c);

        r0 = (r0 >> 56) | (r1 << 8);
        r1 = (r1 >> 56) | (r2 << 8);
        r2 = (r2 >> 56) | (r3 << 8);
        r3 >>= 56;

        if ((c | r3 | r2 | (r1 & SignMask)) != 0)
        {
            throw new OverflowException("fixed: multiplication overflow");
        }

        return new Fixed(r0, r1 | ((x.Hi & SignMask) ^ (y.Hi & SignMask)));
    }

    /// <summary>x·y for an unsigned 64-bit y, integer product of the raw words.</summary>
    private static Fixed Mul64(Fixed x, ulong y)
    {
        var b = Math.BigMul(x.Lo, y, out var a);
        var c0 = Math.BigMul(x.Hi, y, out var d);
        b = AddCarry(b, d, 0, out var c1);
        if ((c0 | c1) != 0)
        {
            throw new OverflowException("fixed: multiplication overflow");
        }

        return new Fixed(a, b);
    }

    private static (Fixed Quotient, Fixed Remainder) Div64(Fixed u, ulong v)
    {
        if (u.Hi < v)
        {
            var lo = Div128By64(u.Hi, u.Lo, v, out var r);
            return (new Fixed(lo, 0), new Fixed(r, 0));
        }

        var hi = Div128By64(0, u.Hi, v, out var r1);
        var lo2 = Div128By64(r1, u.Lo, v, out var r2);
        return (new Fixed(lo2, hi), new Fixed(r2, 0));
    }

    private static (Fixed Quotient, Fixed Remainder) Div128(Fixed u, Fixed v)
    {
        if (v.Hi == 0)
        {
            return Div64(u, v.Lo);
        }

        var n = BitOperations.LeadingZeroCount(v.Hi);
        var v1Hi = Fixed.GoShl(v.Hi, n) | Fixed.GoShr(v.Lo, 64 - n);

        var tq = Div128By64(u.Hi, u.Lo, v1Hi, out _);
        tq = Fixed.GoShr(tq, 64 - n);
        tq -= (0 - tq) >> 63; // the library's "decrement unless zero", kept in its own form

        var q = new Fixed(tq, 0);
        var r = Sub(u, Mul64(v, tq));
        if (r.GreaterThan(v))
        {
            var lo = AddCarry(q.Lo, 1, 0, out var carry);
            q = new Fixed(lo, carry);
            r = Sub(r, v);
        }

        return (q, r);
    }

    public static Fixed UDiv(Fixed u, Fixed v)
    {
        if ((u.Hi & ~0x7FUL) == 0)
        {
            return Div128(new Fixed(u.Lo << 56, (u.Hi << 56) | (u.Lo >> 8)), v).Quotient;
        }

        var (a, rem) = Div128(u, v);
        a = a.Shl(56);
        var b = rem.ShlMax(56, out var n);
        v = v.Shr(56 - n);
        b = Div128(b, v).Quotient;
        return Add(a, b);
    }

    public static Fixed Div(Fixed x, Fixed y)
    {
        var a = UDiv(x.Abs(), y.Abs());
        return new Fixed(a.Lo, a.Hi | ((x.Hi & SignMask) ^ (y.Hi & SignMask)));
    }

    public static Fixed Inv(Fixed x) => Div(Fixed.One, x);

    public static Fixed MulAdd1(Fixed x, Fixed y) => Add(Mul(x, y), Fixed.One);

    public static Fixed DivAdd1(Fixed x, Fixed y) => Add(Div(x, y), Fixed.One);

    /// <summary>Go's <c>bits.Div64</c>: (hi:lo)/y, which panics when y is 0 or the quotient overflows (y ≤ hi).</summary>
    internal static ulong Div128By64(ulong hi, ulong lo, ulong y, out ulong rem)
    {
        if (y == 0)
        {
            throw new DivideByZeroException("fixed: division by zero");
        }

        if (y <= hi)
        {
            throw new OverflowException("fixed: quotient overflow");
        }

        if (hi == 0)
        {
            rem = lo % y;
            return lo / y;
        }

        var n = new UInt128(hi, lo);
        var q = n / y;
        rem = (ulong)(n - (q * y));
        return (ulong)q;
    }

    internal static ulong AddCarry(ulong x, ulong y, ulong carryIn, out ulong carryOut)
    {
        var sum = x + y + carryIn;
        carryOut = ((x & y) | ((x | y) & ~sum)) >> 63;
        return sum;
    }

    private static ulong SubBorrow(ulong x, ulong y, ulong borrowIn, out ulong borrowOut)
    {
        var diff = x - y - borrowIn;
        borrowOut = ((~x & y) | (~(x ^ y) & diff)) >> 63;
        return diff;
    }
}
