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

    /// <summary>True when <paramref name="hash"/> &lt; <paramref name="difficulty"/> (256-bit big-endian compare).</summary>
    public static bool IsBelow(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> difficulty) =>
        hash.SequenceCompareTo(difficulty) < 0;
}
