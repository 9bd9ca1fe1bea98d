using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// A fixed-point number exactly as spacemeshos/fixed (the library go-spacemesh's hare oracle uses) represents and
/// computes it: 128-bit sign-magnitude (bit 127 is the sign, 71 integer bits, 56 fractional bits), so that every
/// operation, including its truncating multiplication and division, its special functions and
/// <see cref="BinCdf(long, Fixed, long)"/>, gives the same bits as the Go library. Overflow throws
/// <see cref="OverflowException"/> where the library panics. Comparisons (<see cref="GreaterThan"/>,
/// <see cref="LessThan"/>) compare the raw words as the library does, so a negative value (or a negative zero) is
/// "greater" than every positive one.
/// </summary>
public readonly struct Fixed : IEquatable<Fixed>
{
    internal const int FracBits = 56;
    internal const long OneValue = 1L << FracBits;
    internal const long FracMask = OneValue - 1;
    internal const long HalfValue = OneValue >> 1;
    internal const ulong SignMask = 1UL << 63;
    internal const ulong UnsignMask = SignMask - 1;

    /// <summary>Low 64 bits of the magnitude.</summary>
    internal readonly ulong Lo;

    /// <summary>Sign bit (63) and the high 63 bits of the magnitude.</summary>
    internal readonly ulong Hi;

    internal Fixed(ulong lo, ulong hi)
    {
        Lo = lo;
        Hi = hi;
    }

    /// <summary>0.</summary>
    public static Fixed Zero => default;

    /// <summary>1.</summary>
    public static Fixed One => new((ulong)OneValue, 0);

    /// <summary>True when the sign bit is set (a negative zero included).</summary>
    public bool IsNegative => (Hi & SignMask) != 0;

    /// <summary>The integer <paramref name="value"/> (the library's <c>New64</c>).</summary>
    public static Fixed FromInt64(long value)
    {
        var v = Abs64(value);
        return new Fixed(v << FracBits, (v >> 8) | Sign64(value));
    }

    /// <summary>
    /// A double truncated to 56 fractional bits (the library's <c>From</c>: the exponent field is read as given, the
    /// implicit bit always set, the magnitude shifted, without rounding).
    /// </summary>
    /// <exception cref="OverflowException">The value needs more than 127 bits.</exception>
    public static Fixed FromDouble(double value)
    {
        var a = BitConverter.DoubleToUInt64Bits(value);
        if (a == 0)
        {
            return default;
        }

        var v = a & ((1UL << 52) - 1);
        var e = (int)((a >> 52) & 0x7FF) - 1023 - 52 + FracBits;
        v |= 1UL << 52;
        var s = a & SignMask;
        if (e < 0)
        {
            return new Fixed(GoShr(v, -e), s);
        }

        if (64 - BitOperations.LeadingZeroCount(v) + e > 127)
        {
            throw new OverflowException("fixed: value out of range");
        }

        return new Fixed(v, s).Shl(e);
    }

    /// <summary>p/q for unsigned integers (the library's <c>DivUint64</c>, used for the hare's p = committee/W).</summary>
    public static Fixed DivUInt64(ulong p, ulong q) => UDiv(UFixed(p), UFixed(q));

    /// <summary>
    /// The low 56 bits of the little-endian u64 in <paramref name="bytes"/>[0..8] as a fraction in [0, 1) (the
    /// library's <c>FracFromBytes</c>; the hare reads the VRF proof this way).
    /// </summary>
    public static Fixed FractionFromBytes(ReadOnlySpan<byte> bytes) =>
        RawFixed((long)(BinaryPrimitives.ReadUInt64LittleEndian(bytes) & FracMask));

    /// <summary>x·y, truncated to 56 fractional bits.</summary>
    public Fixed Mul(Fixed y) => FixedOps.Mul(this, y);

    /// <summary>x/y, truncated to 56 fractional bits.</summary>
    public Fixed Div(Fixed y) => FixedOps.Div(this, y);

    /// <summary>x+y.</summary>
    public Fixed Add(Fixed y) => FixedOps.Add(this, y);

    /// <summary>x−y.</summary>
    public Fixed Sub(Fixed y) => FixedOps.Sub(this, y);

    /// <summary>The library's <c>GreaterThan</c>: compares the raw (hi, lo) words.</summary>
    public bool GreaterThan(Fixed y) => Hi > y.Hi || (Hi == y.Hi && Lo > y.Lo);

    /// <summary>The library's <c>LessThan</c>: compares the raw (hi, lo) words.</summary>
    public bool LessThan(Fixed y) => Hi < y.Hi || (Hi == y.Hi && Lo < y.Lo);

    /// <summary>
    /// The binomial CDF P[X ≤ x] for X ~ B(n, p), as the library's <c>BinCDF64</c> computes it: 0 for x &lt; 0, 1 for
    /// x ≥ n, else the regularized incomplete beta I₁₋ₚ(n−x, x+1).
    /// </summary>
    /// <exception cref="OverflowException">n−x or x+1 above 2^30, or p outside [0, 1].</exception>
    public static Fixed BinCdf(long n, Fixed p, long x)
    {
        if (x < 0)
        {
            return Zero;
        }

        if (x >= n)
        {
            return One;
        }

        return FixedMath.Incomplete(n - x, x + 1, OneValue - p.Fixed56());
    }

    /// <summary>The nearest double, as the library's <c>Float</c> computes it (truncating extra bits).</summary>
    public double ToDouble()
    {
        var l = BitLength;
        var lo = l > 53 ? Shr(l - 53).Lo : Lo << (53 - l);
        if (lo != 0)
        {
            lo &= ~(1UL << 52);
            lo |= (ulong)(1023 + l - 57) << 52;
            lo |= Hi & SignMask;
        }

        return BitConverter.UInt64BitsToDouble(lo);
    }

    /// <summary>The library's <c>String()</c>: sign, integer part, <c>'</c>, 14 hex digits of the fraction, <c>/56</c>.</summary>
    public override string ToString()
    {
        var a = Abs();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{(IsNegative ? '-' : '+')}{a.Integer()}'{a.Lo & FracMask:x14}/{FracBits}");
    }

    /// <inheritdoc/>
    public bool Equals(Fixed other) => Lo == other.Lo && Hi == other.Hi;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Fixed other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Lo, Hi);

    /// <summary>Bitwise equality (a negative zero differs from zero, as in the library).</summary>
    public static bool operator ==(Fixed left, Fixed right) => left.Equals(right);

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(Fixed left, Fixed right) => !left.Equals(right);

    // ---- the library's internal helpers (fixednat.go), with Go's shift semantics ----

    /// <summary>Go's <c>x &lt;&lt; n</c> for unsigned x: 0 once n ≥ 64.</summary>
    internal static ulong GoShl(ulong x, int n) => n >= 64 ? 0 : x << n;

    /// <summary>Go's <c>x &gt;&gt; n</c> for unsigned x: 0 once n ≥ 64.</summary>
    internal static ulong GoShr(ulong x, int n) => n >= 64 ? 0 : x >> n;

    internal static ulong Sign64(long x) => (ulong)x & SignMask;

    internal static ulong Abs64(long x)
    {
        var xs = x >> 63;
        return (ulong)((x ^ xs) - xs);
    }

    /// <summary>A 56-fraction-bit integer (int64 fixed value) as a Fixed.</summary>
    internal static Fixed RawFixed(long x) => new(Abs64(x), Sign64(x));

    internal static Fixed UFixed(ulong x) => new(x << FracBits, x >> 8);

    /// <summary>The value as a signed 64-bit 56-fraction-bit integer; throws when |x| ≥ 128.</summary>
    internal long Fixed56()
    {
        if ((Hi & UnsignMask) != 0 || (Lo & SignMask) != 0)
        {
            throw new OverflowException("fixed: value does not fit 8.56 bits");
        }

        return (long)Lo * SignFactor;
    }

    internal long SignFactor => (((long)Hi) >> 63) * 2 + 1;

    internal ulong SignBit => Hi & SignMask;

    internal int BitLength
    {
        get
        {
            var v = Hi & UnsignMask;
            return v != 0 ? 128 - BitOperations.LeadingZeroCount(v) : 64 - BitOperations.LeadingZeroCount(Lo);
        }
    }

    /// <summary>The integer part, truncated toward zero.</summary>
    internal long Integer()
    {
        if (BitLength > 56 + 63)
        {
            throw new OverflowException("fixed: integer part out of range");
        }

        return (long)((Hi << 8) | (Lo >> 56)) * SignFactor;
    }

    internal Fixed Neg() => new(Lo, Hi ^ SignMask);

    internal Fixed Abs() => new(Lo, Hi & UnsignMask);

    internal Fixed SetSignAs(Fixed y) => new(Lo, (Hi & UnsignMask) | y.SignBit);

    internal bool IsZero => ((Hi & UnsignMask) | Lo) == 0;

    /// <summary>Shift left by at most the free room below the sign bit; returns the shift used.</summary>
    internal Fixed ShlMax(int m, out int used)
    {
        var n = BitOperations.LeadingZeroCount(Hi) - 1;
        if (n < m)
        {
            m = n;
        }

        used = m;
        return ShlRaw(m);
    }

    /// <summary>Shift of both words, sign bit included, without checks.</summary>
    internal Fixed ShlRaw(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ulong lo = Lo, hi = Hi;
        if (n > 64)
        {
            hi = lo;
            lo = 0;
            n -= 64;
        }

        return new Fixed(GoShl(lo, n), GoShl(hi, n) | GoShr(lo, 64 - n));
    }

    /// <summary>Magnitude shift left keeping the sign; throws when bits reach the sign.</summary>
    internal Fixed Shl(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ulong lo = Lo, hi = Hi & UnsignMask;
        if (n > 64)
        {
            if (hi != 0)
            {
                throw new OverflowException("fixed: shift overflow");
            }

            hi = lo;
            lo = 0;
            n -= 64;
        }

        if ((GoShr(hi, 64 - n) | (GoShl(hi, n) & SignMask)) != 0)
        {
            throw new OverflowException("fixed: shift overflow");
        }

        return new Fixed(GoShl(lo, n), GoShl(hi, n) | GoShr(lo, 64 - n) | (Hi & SignMask));
    }

    /// <summary>Magnitude shift right keeping the sign.</summary>
    internal Fixed Shr(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ulong lo = Lo, hi = Hi & UnsignMask;
        if (n > 64)
        {
            lo = hi;
            hi = 0;
            n -= 64;
        }

        return new Fixed(GoShl(hi, 64 - n) | GoShr(lo, n), GoShr(hi, n) | (Hi & SignMask));
    }

    internal static Fixed UDiv(Fixed u, Fixed v) => FixedOps.UDiv(u, v);
}
