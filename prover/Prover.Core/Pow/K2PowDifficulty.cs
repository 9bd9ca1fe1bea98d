using System.Globalization;
using System.Numerics;

namespace Prover.Core.Pow;

/// <summary>k2pow difficulty arithmetic on 32-byte big-endian integers (spec §5.1).</summary>
public static class K2PowDifficulty
{
    public const int Size = 32;

    /// <summary>
    /// <paramref name="output"/> = floor(<paramref name="perUnit"/> / <paramref name="numUnits"/>) as a 256-bit
    /// big-endian integer (post-rs <c>scale_pow_difficulty</c>). <paramref name="output"/> may alias the input.
    /// </summary>
    public static void Scale(ReadOnlySpan<byte> perUnit, ulong numUnits, Span<byte> output)
    {
        if (perUnit.Length != Size)
        {
            throw new ArgumentException($"the difficulty must be {Size} bytes", nameof(perUnit));
        }

        if (output.Length != Size)
        {
            throw new ArgumentException($"the output must be {Size} bytes", nameof(output));
        }

        ArgumentOutOfRangeException.ThrowIfZero(numUnits);

        // Schoolbook long division, one byte at a time; the remainder stays below numUnits < 2^64, so remainder·256 + byte
        // fits in 128 bits.
        UInt128 remainder = 0;
        for (var i = 0; i < Size; i++)
        {
            var current = (remainder << 8) | perUnit[i];
            var quotient = current / numUnits;
            remainder = current - (quotient * numUnits);
            output[i] = (byte)quotient;
        }
    }

    /// <summary>Returns a new 32-byte array holding <paramref name="perUnit"/> / <paramref name="numUnits"/>.</summary>
    public static byte[] Scale(ReadOnlySpan<byte> perUnit, ulong numUnits)
    {
        var output = new byte[Size];
        Scale(perUnit, numUnits, output);
        return output;
    }

    /// <summary>
    /// Expected RandomX hashes to find one pow for a (scaled) difficulty: 2^256 / difficulty, since a hash passes when it
    /// is below the difficulty. Infinity for a zero difficulty (no hash can pass).
    /// </summary>
    public static double ExpectedHashes(ReadOnlySpan<byte> difficulty)
    {
        var value = new BigInteger(difficulty, isUnsigned: true, isBigEndian: true);
        return value.IsZero ? double.PositiveInfinity : Math.Pow(2, 256) / (double)value;
    }

    /// <summary>
    /// Why no pow can be expected for the scaled <paramref name="difficulty"/>, or null when one can: a zero difficulty
    /// admits no hash (the check is hash &lt; difficulty), and one below 2^200 needs more than the 2^56 pow candidates on
    /// average, so the search would run for ages and most likely end without a pow.
    /// </summary>
    public static string? Infeasible(ReadOnlySpan<byte> difficulty)
    {
        double expected = ExpectedHashes(difficulty);
        if (double.IsPositiveInfinity(expected))
        {
            return "it is 0 and a pow needs a hash below it, so no pow exists";
        }

        return expected > K2Pow.NonceSpace
            ? string.Create(CultureInfo.InvariantCulture,
                $"a pow would take about 2^{Math.Log2(expected):F0} hashes, more than the 2^56 pow candidates: the search would not end")
            : null;
    }

    /// <summary>True when <paramref name="hash"/> &lt; <paramref name="difficulty"/> (256-bit big-endian compare).</summary>
    public static bool IsBelow(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> difficulty) =>
        hash.SequenceCompareTo(difficulty) < 0;
}
