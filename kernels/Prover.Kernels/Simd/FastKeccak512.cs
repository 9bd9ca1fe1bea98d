using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Prover.Kernels.Simd;

/// <summary>
/// Keccak-512 with the ORIGINAL Keccak padding (first pad byte 0x01, last byte |= 0x80), rate 72 bytes — the hash
/// inside scrypt-jane's HMAC/PBKDF2 (spec §1). Not SHA3-512 (which pads with 0x06). Named apart from the Verifier's
/// reference <c>Prover.Verifier.Scrypt.Keccak512</c>, which it is tested against.
/// One-shot, allocation free; used by tests and tools, the label hot path uses <see cref="LabelPbkdf"/>.
/// </summary>
[SkipLocalsInit]
public static unsafe class FastKeccak512
{
    /// <summary>Rate in bytes (1600 − 2·512 bits).</summary>
    public const int RateBytes = 72;

    /// <summary>Digest size in bytes.</summary>
    public const int DigestBytes = 64;

    /// <summary>Hashes <paramref name="input"/> into the first 64 bytes of <paramref name="output64"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output64.Length, DigestBytes);
        ulong* state = stackalloc ulong[Keccak1600.Lanes];
        new Span<ulong>(state, Keccak1600.Lanes).Clear();

        while (input.Length >= RateBytes)
        {
            for (int i = 0; i < RateBytes / 8; i++)
            {
                state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(input.Slice(8 * i, 8));
            }

            Keccak1600.Permute(state);
            input = input[RateBytes..];
        }

        byte* block = stackalloc byte[RateBytes];
        var last = new Span<byte>(block, RateBytes);
        last.Clear();
        input.CopyTo(last);
        block[input.Length] ^= 0x01;
        block[RateBytes - 1] ^= 0x80;
        for (int i = 0; i < RateBytes / 8; i++)
        {
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(last.Slice(8 * i, 8));
        }

        Keccak1600.Permute(state);
        for (int i = 0; i < DigestBytes / 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output64.Slice(8 * i, 8), state[i]);
        }
    }
}
