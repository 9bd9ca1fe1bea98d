namespace Prover.Core.Proving;

/// <summary>
/// The proving difficulty (spec §4.2): a (label, nonce) pair is good when its 64-bit score is below
/// floor(2^64 · k1 / num_labels). The score is the group-AES byte (top 8 bits) followed by 56 lazy bits.
/// </summary>
public static class ProvingDifficulty
{
    /// <summary>Mask of the 56 low ("lazy") bits of the difficulty.</summary>
    public const ulong LsbMask = 0x00FF_FFFF_FFFF_FFFF;

    /// <summary>floor(2^64 · k1 / numLabels), or false when num_labels is 0, num_labels ≤ k1 or the result does not fit 64 bits.</summary>
    public static bool TryCompute(uint k1, ulong numLabels, out ulong difficulty)
    {
        difficulty = 0;
        if (numLabels == 0 || numLabels <= k1)
        {
            return false;
        }

        UInt128 value = ((UInt128)k1 << 64) / numLabels;
        if (value > ulong.MaxValue)
        {
            return false;
        }

        difficulty = (ulong)value;
        return true;
    }

    /// <summary>Like <see cref="TryCompute"/> but throws <see cref="ArgumentException"/> for invalid parameters.</summary>
    public static ulong Compute(uint k1, ulong numLabels) =>
        TryCompute(k1, numLabels, out ulong difficulty)
            ? difficulty
            : throw new ArgumentException($"No proving difficulty for k1 = {k1} and num_labels = {numLabels} (need num_labels > k1 > 0 labels).", nameof(numLabels));

    /// <summary>The byte compared against the group-AES output.</summary>
    public static byte Msb(ulong difficulty) => (byte)(difficulty >> 56);

    /// <summary>The 56 bits compared against the lazy per-nonce AES output.</summary>
    public static ulong Lsb(ulong difficulty) => difficulty & LsbMask;
}
