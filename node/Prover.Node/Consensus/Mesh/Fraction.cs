using System.Numerics;

namespace Prover.Node.Consensus.Mesh;

/// <summary>An exact non-negative rational, always reduced, for weights that must compare alike on every node (no
/// floating point anywhere in consensus).</summary>
internal readonly record struct Fraction : IComparable<Fraction>
{
    public Fraction(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(denominator), "denominator must be positive");
        if (numerator.Sign < 0) throw new ArgumentOutOfRangeException(nameof(numerator), "weights are never negative");
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (gcd.IsZero) gcd = BigInteger.One;
        Num = numerator / gcd;
        Den = denominator / gcd;
        if (Num.IsZero) Den = BigInteger.One;
    }

    public BigInteger Num { get; }

    public BigInteger Den { get; }

    public static Fraction Zero => new(BigInteger.Zero, BigInteger.One);

    public bool IsZero => Num.IsZero;

    public static Fraction Of(RatNum r) => r.Denom == 0
        ? throw new ArgumentException("a weight with denominator 0", nameof(r))
        : new(r.Num, r.Denom);

    public static Fraction operator +(Fraction a, Fraction b) => new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);

    /// <summary>Subtraction clamped at zero (weights never go negative here).</summary>
    public Fraction MinusOrZero(Fraction b)
    {
        var n = Num * b.Den - b.Num * Den;
        return n.Sign <= 0 ? Zero : new(n, Den * b.Den);
    }

    public Fraction Times(BigInteger k) => new(Num * k, Den);

    public Fraction DividedBy(BigInteger k) => new(Num, Den * k);

    /// <summary>The value as a <see cref="RatNum"/>; throws when it does not fit 64-bit parts.</summary>
    public RatNum ToRatNum() =>
        Num > ulong.MaxValue || Den > ulong.MaxValue
            ? throw new OverflowException($"weight {Num}/{Den} does not fit a RatNum")
            : new RatNum((ulong)Num, (ulong)Den);

    public int CompareTo(Fraction other) => (Num * other.Den).CompareTo(other.Num * Den);

    public static bool operator >(Fraction a, Fraction b) => a.CompareTo(b) > 0;

    public static bool operator <(Fraction a, Fraction b) => a.CompareTo(b) < 0;

    public static bool operator >=(Fraction a, Fraction b) => a.CompareTo(b) >= 0;

    public static bool operator <=(Fraction a, Fraction b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{Num}/{Den}";
}
