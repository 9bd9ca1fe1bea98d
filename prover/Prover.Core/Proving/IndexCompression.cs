namespace Prover.Core.Proving;

/// <summary>Packing of proof indices into an LSB-first bit stream (spec §4.7).</summary>
public static class IndexCompression
{
    /// <summary>Bit length of <paramref name="numLabels"/> itself (not of numLabels − 1): 2^34 → 35, 400 → 9, 0 → 0.</summary>
    public static int RequiredBits(ulong numLabels) => 64 - (int)ulong.LeadingZeroCount(numLabels);

    /// <summary>Length in bytes of <paramref name="count"/> packed indices of <paramref name="bits"/> bits each.</summary>
    public static int ExpectedBytes(int bits, int count) => (int)((((long)bits * count) + 7) / 8);

    /// <summary>Packs the low <paramref name="bits"/> bits of each index, index k at stream bits [k·bits, (k+1)·bits).</summary>
    public static byte[] Compress(ReadOnlySpan<ulong> indices, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 64);
        var output = new byte[ExpectedBytes(bits, indices.Length)];
        long bitPosition = 0;
        foreach (ulong index in indices)
        {
            ulong value = bits == 64 ? index : index & ((1UL << bits) - 1);
            int remaining = bits;
            while (remaining > 0)
            {
                int byteIndex = (int)(bitPosition >> 3);
                int bitInByte = (int)(bitPosition & 7);
                int take = Math.Min(8 - bitInByte, remaining);
                output[byteIndex] |= (byte)((value & ((1UL << take) - 1)) << bitInByte);
                value >>= take;
                remaining -= take;
                bitPosition += take;
            }
        }

        return output;
    }

    /// <summary>Reads <paramref name="count"/> indices of <paramref name="bits"/> bits back (missing bits read as zero).</summary>
    public static ulong[] Decompress(ReadOnlySpan<byte> packed, int bits, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var indices = new ulong[count];
        long bitPosition = 0;
        for (int k = 0; k < count; k++)
        {
            ulong value = 0;
            int filled = 0;
            while (filled < bits)
            {
                int byteIndex = (int)(bitPosition >> 3);
                int bitInByte = (int)(bitPosition & 7);
                int take = Math.Min(8 - bitInByte, bits - filled);
                ulong chunk = byteIndex < packed.Length ? (ulong)((packed[byteIndex] >> bitInByte) & ((1 << take) - 1)) : 0;
                value |= chunk << filled;
                filled += take;
                bitPosition += take;
            }

            indices[k] = value;
        }

        return indices;
    }
}
