using System.Numerics;

namespace Prover.Core.Init;

/// <summary>The VRF nonce difficulty (spec §3.3).</summary>
public static class VrfDifficulty
{
    /// <summary>go-spacemesh's <c>PowDifficulty(numLabels)</c> = (floor(2^256 / numLabels) &lt;&lt; 3) as 32 bytes big-endian.</summary>
    public static byte[] ForLabels(ulong numLabels)
    {
        ArgumentOutOfRangeException.ThrowIfZero(numLabels);
        var value = ((BigInteger.One << 256) / numLabels) << 3;
        value &= (BigInteger.One << 256) - 1;
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: true);
        // TryWriteBytes writes the minimal big-endian form at the start: right-align it.
        int length = value.GetByteCount(isUnsigned: true);
        if (length < 32)
        {
            var aligned = new byte[32];
            bytes.AsSpan(0, length).CopyTo(aligned.AsSpan(32 - length));
            bytes = aligned;
        }

        return bytes;
    }

    /// <summary>post-rs's initializer CLI difficulty: FF×32, i.e. "find the smallest output".</summary>
    public static byte[] Maximum() => Enumerable.Repeat((byte)0xFF, 32).ToArray();

    /// <summary>Big-endian (lexicographic) comparison of two 32-byte values.</summary>
    public static bool IsBelow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> difficulty) =>
        value[..32].SequenceCompareTo(difficulty[..32]) < 0;
}
