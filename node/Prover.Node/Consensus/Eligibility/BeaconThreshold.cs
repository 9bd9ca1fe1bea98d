using System.Globalization;
using System.Numerics;
using System.Text;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// A binary floating-point value <c>Mantissa·2^Exponent</c> with a mantissa of at most 64 bits, as a Go
/// <c>big.Float</c> of precision 64 holds it.
/// </summary>
/// <param name="Mantissa">The non-negative mantissa (0 for zero).</param>
/// <param name="Exponent">The power of two it is scaled by.</param>
public readonly record struct BinaryFloat64(BigInteger Mantissa, int Exponent)
{
    /// <summary>Zero.</summary>
    public static BinaryFloat64 Zero => new(BigInteger.Zero, 0);

    /// <summary>
    /// Go's <c>big.Float.String()</c> (<c>Text('g', 10)</c>): 10 significant digits of the exact value, rounded half
    /// to even, trailing zeros dropped, exponent form when the decimal exponent is below −4 or at least 10.
    /// </summary>
    public override string ToString()
    {
        if (Mantissa.IsZero)
        {
            return "0";
        }

        // Exact decimal: value = digits · 10^scale.
        BigInteger digitsValue;
        int scale;
        if (Exponent >= 0)
        {
            digitsValue = Mantissa << Exponent;
            scale = 0;
        }
        else
        {
            digitsValue = Mantissa * BigInteger.Pow(5, -Exponent);
            scale = Exponent;
        }

        var mant = digitsValue.ToString(CultureInfo.InvariantCulture).TrimEnd('0');
        var trailing = digitsValue.ToString(CultureInfo.InvariantCulture).Length - mant.Length;
        // Go's decimal: value = 0.mant × 10^exp.
        var exp = mant.Length + trailing + scale;
        const int prec = 10;
        if (mant.Length > prec)
        {
            var roundUp = mant[prec] > '5' || (mant[prec] == '5' && (prec + 1 < mant.Length || ((mant[prec - 1] - '0') & 1) != 0));
            mant = mant[..prec];
            if (roundUp)
            {
                var v = BigInteger.Parse(mant, CultureInfo.InvariantCulture) + 1;
                var s = v.ToString(CultureInfo.InvariantCulture);
                if (s.Length > prec)
                {
                    exp++;
                }

                mant = s;
            }

            mant = mant.TrimEnd('0');
        }

        var e = exp - 1;
        var eprec = prec;
        if (eprec > mant.Length && mant.Length >= exp)
        {
            eprec = mant.Length;
        }

        var sb = new StringBuilder();
        if (e < -4 || e >= eprec)
        {
            sb.Append(mant[0]);
            if (mant.Length > 1)
            {
                sb.Append('.').Append(mant, 1, mant.Length - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+');
            sb.Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (exp <= 0)
        {
            sb.Append("0.").Append('0', -exp).Append(mant);
        }
        else if (exp >= mant.Length)
        {
            sb.Append(mant).Append('0', exp - mant.Length);
        }
        else
        {
            sb.Append(mant, 0, exp).Append('.').Append(mant, exp, mant.Length - exp);
        }

        return sb.ToString();
    }
}

/// <summary>
/// The beacon protocol's proposal threshold (go-spacemesh <c>beacon/beacon.go</c> <c>atxThresholdFraction</c>,
/// <c>atxThreshold</c>): a proposal's 80-byte VRF proof, read as a big-endian integer, passes when it is below
/// <c>⌊2^640 · (1 − 2^(−κ/((1−q)·numATXs)))⌋</c>, the fraction computed as Go's 64-bit-precision <c>big.Float</c>
/// does: the exponent rounded to 64 bits, the power correctly rounded to 64 bits, the difference rounded to 64 bits
/// (all to nearest even). The protocol is disabled on mainnet; this exists to reproduce the rule.
/// </summary>
public static class BeaconThreshold
{
    /// <summary>The protocol's κ.</summary>
    public const int DefaultKappa = 40;

    /// <summary>Bits of a VRF proof (80 bytes).</summary>
    public const int SignatureBits = 80 * 8;

    private const int Precision = 64;
    private const int WorkBits = 320;

    /// <summary>The fraction <c>1 − 2^(−κ/((1−q)·numATXs))</c> as a 64-bit big.Float; 0 when numATXs is 0.</summary>
    /// <param name="kappa">κ.</param>
    /// <param name="qNumerator">q's numerator (q = 1/3 on every network).</param>
    /// <param name="qDenominator">q's denominator.</param>
    /// <param name="numAtxs">The number of ATXs (or early ATXs) of the epoch.</param>
    public static BinaryFloat64 Fraction(int kappa, BigInteger qNumerator, BigInteger qDenominator, int numAtxs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kappa);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qDenominator);
        ArgumentOutOfRangeException.ThrowIfNegative(numAtxs);
        if (numAtxs == 0)
        {
            return BinaryFloat64.Zero;
        }

        // −κ / ((1 − q)·W) = −κ·qd / ((qd − qn)·W), rounded to 64 bits as big.Float.SetRat does.
        var num = (BigInteger)kappa * qDenominator;
        var den = (qDenominator - qNumerator) * numAtxs;
        if (den.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(qNumerator), "q must be below 1");
        }

        var exponent = RoundRational(num, den);
        var power = PowerOfTwoNegative(exponent);
        // 1 − power, exactly, then rounded to 64 bits.
        var shift = Math.Min(power.Exponent, 0);
        var oneScaled = BigInteger.One << -shift;
        var diff = oneScaled - (power.Mantissa << (power.Exponent - shift));
        return diff.Sign <= 0 ? BinaryFloat64.Zero : Round(diff, shift);
    }

    /// <summary>The threshold <c>⌊2^640 · fraction⌋</c>.</summary>
    public static BigInteger Threshold(int kappa, BigInteger qNumerator, BigInteger qDenominator, int numAtxs)
    {
        var f = Fraction(kappa, qNumerator, qDenominator, numAtxs);
        var e = f.Exponent + SignatureBits;
        return e >= 0 ? f.Mantissa << e : f.Mantissa >> -e;
    }

    /// <summary>True when the proof, read as an unsigned big-endian integer, is below <paramref name="threshold"/>.</summary>
    public static bool Passes(ReadOnlySpan<byte> vrfSignature, BigInteger threshold) =>
        new BigInteger(vrfSignature, isUnsigned: true, isBigEndian: true) < threshold;

    /// <summary>The nearest-even 64-bit float of num/den (num, den &gt; 0).</summary>
    private static BinaryFloat64 RoundRational(BigInteger num, BigInteger den)
    {
        // Find e with 2^63 ≤ num/den·2^-e < 2^64.
        var e = (int)(num.GetBitLength() - den.GetBitLength()) - Precision;
        while (true)
        {
            var (n, d) = e >= 0 ? (num, den << e) : (num << -e, den);
            var q = BigInteger.DivRem(n, d, out var r);
            if (q.GetBitLength() > Precision)
            {
                e++;
                continue;
            }

            if (q.GetBitLength() < Precision)
            {
                e--;
                continue;
            }

            var twice = r << 1;
            var cmp = twice.CompareTo(d);
            if (cmp > 0 || (cmp == 0 && !q.IsEven))
            {
                q += 1;
                if (q.GetBitLength() > Precision)
                {
                    q >>= 1;
                    e++;
                }
            }

            return new BinaryFloat64(q, e);
        }
    }

    /// <summary>Rounds value·2^exp (value &gt; 0) to a 64-bit mantissa, nearest even.</summary>
    private static BinaryFloat64 Round(BigInteger value, int exp)
    {
        var extra = (int)value.GetBitLength() - Precision;
        if (extra <= 0)
        {
            return new BinaryFloat64(value, exp);
        }

        var q = value >> extra;
        var r = value - (q << extra);
        var half = BigInteger.One << (extra - 1);
        var cmp = r.CompareTo(half);
        if (cmp > 0 || (cmp == 0 && !q.IsEven))
        {
            q += 1;
            if (q.GetBitLength() > Precision)
            {
                q >>= 1;
                extra++;
            }
        }

        return new BinaryFloat64(q, exp + extra);
    }

    /// <summary>2^(−s) for s = m·2^e &gt; 0, correctly rounded to 64 bits (computed with 320 working bits).</summary>
    private static BinaryFloat64 PowerOfTwoNegative(BinaryFloat64 s)
    {
        // s = k + f with integer k and 0 ≤ f < 1, f kept exactly as fNum / 2^fShift.
        BigInteger k, fNum;
        int fShift;
        if (s.Exponent >= 0)
        {
            k = s.Mantissa << s.Exponent;
            fNum = BigInteger.Zero;
            fShift = 0;
        }
        else
        {
            fShift = -s.Exponent;
            k = s.Mantissa >> fShift;
            fNum = s.Mantissa - (k << fShift);
        }

        // 2^-f = exp(−f·ln 2) in fixed point with WorkBits fractional bits.
        var one = BigInteger.One << WorkBits;
        var z = (fNum * Ln2(WorkBits)) >> fShift;
        var sum = one;
        var term = one;
        for (var n = 1; !term.IsZero; n++)
        {
            term = -(term * z >> WorkBits) / n;
            sum += term;
        }

        return Round(sum, -WorkBits - (int)k);
    }

    /// <summary>ln 2 = Σ 1/(k·2^k), with <paramref name="bits"/> fractional bits (a few guard bits included).</summary>
    private static BigInteger Ln2(int bits)
    {
        var guard = bits + 16;
        var sum = BigInteger.Zero;
        for (var k = 1; k < guard; k++)
        {
            sum += (BigInteger.One << (guard - k)) / k;
        }

        return sum >> 16;
    }
}
