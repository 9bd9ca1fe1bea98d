namespace Prover.Core.Proving;

/// <summary>
/// The VRF-nonce difficulty real nodes use (Go post <c>shared.PowDifficulty</c>, spec §3.3):
/// (floor(2^256 / numLabels) &lt;&lt; 3) as a 32-byte big-endian number. A label's full 32-byte scrypt output must be
/// below it (big-endian compare).
/// </summary>
public static class VrfDifficulty
{
    /// <summary>The difficulty for <paramref name="numLabels"/> = num_units × labels_per_unit labels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">numLabels ≤ 8 (the value does not fit 256 bits; Go panics) or ≥ 2^63 (Go's int64 conversion).</exception>
    public static byte[] ForLabels(ulong numLabels)
    {
        if (numLabels <= 8 || numLabels > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "The VRF difficulty is defined for 9 ≤ numLabels < 2^63.");
        }

        // Long division of 2^256 (a one followed by 32 zero bytes) by numLabels, most significant byte first.
        Span<byte> quotient = stackalloc byte[33];
        UInt128 remainder = 1;
        quotient[0] = 0;
        for (int i = 1; i < 33; i++)
        {
            UInt128 current = remainder << 8;
            quotient[i] = (byte)(current / numLabels);
            remainder = current % numLabels;
        }

        // quotient[0] is 0 because numLabels > 1, so the quotient fits 256 bits; shift it left by 3.
        var result = new byte[32];
        int carry = 0;
        for (int i = 32; i >= 1; i--)
        {
            int shifted = (quotient[i] << 3) | carry;
            result[i - 1] = (byte)shifted;
            carry = shifted >> 8;
        }

        return carry != 0 ? throw new ArgumentOutOfRangeException(nameof(numLabels)) : result;
    }

    /// <summary>True when <paramref name="output32"/> &lt; <paramref name="difficulty32"/> as big-endian numbers.</summary>
    public static bool IsBelow(ReadOnlySpan<byte> output32, ReadOnlySpan<byte> difficulty32) =>
        output32.SequenceCompareTo(difficulty32) < 0;
}
