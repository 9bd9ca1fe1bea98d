using System.Runtime.CompilerServices;

namespace Prover.Kernels.Aes;

/// <summary>AES-128 key expansion (FIPS-197 §5.2) shared by every AES path of the kernels.</summary>
public static class AesKeySchedule
{
    /// <summary>An AES-128 key and an AES block are 16 bytes.</summary>
    public const int BlockSize = 16;

    /// <summary>11 round keys of 16 bytes.</summary>
    public const int ExpandedSize = 176;

    /// <summary>Expands <paramref name="key"/> (16 bytes) into 176 bytes of round keys, in the byte order AES-NI and Arm AESE use.</summary>
    public static void Expand(ReadOnlySpan<byte> key, Span<byte> roundKeys)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException("An AES-128 key is 16 bytes.", nameof(key));
        }

        if (roundKeys.Length < ExpandedSize)
        {
            throw new ArgumentException("The expanded key needs 176 bytes.", nameof(roundKeys));
        }

        ReadOnlySpan<byte> sbox = AesTables.SBox;
        key.CopyTo(roundKeys);
        uint rcon = 1;
        for (int at = 16; at < ExpandedSize; at += 4)
        {
            uint b0 = roundKeys[at - 4], b1 = roundKeys[at - 3], b2 = roundKeys[at - 2], b3 = roundKeys[at - 1];
            if ((at & 15) == 0)
            {
                uint first = b0;
                b0 = sbox[(int)b1] ^ rcon;
                b1 = sbox[(int)b2];
                b2 = sbox[(int)b3];
                b3 = sbox[(int)first];
                rcon = (rcon << 1) ^ ((rcon & 0x80) != 0 ? 0x11Bu : 0u);
            }

            roundKeys[at] = (byte)(roundKeys[at - 16] ^ b0);
            roundKeys[at + 1] = (byte)(roundKeys[at - 15] ^ b1);
            roundKeys[at + 2] = (byte)(roundKeys[at - 14] ^ b2);
            roundKeys[at + 3] = (byte)(roundKeys[at - 13] ^ b3);
        }
    }

    /// <summary>Expands <paramref name="count"/> consecutive 16-byte keys into consecutive 176-byte schedules.</summary>
    public static byte[] ExpandMany(ReadOnlySpan<byte> keys, int count)
    {
        if (keys.Length < count * BlockSize)
        {
            throw new ArgumentException("Not enough key bytes.", nameof(keys));
        }

        var schedules = new byte[count * ExpandedSize];
        for (int i = 0; i < count; i++)
        {
            Expand(keys.Slice(i * BlockSize, BlockSize), schedules.AsSpan(i * ExpandedSize, ExpandedSize));
        }

        return schedules;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Offset(int keyIndex) => keyIndex * ExpandedSize;
}
