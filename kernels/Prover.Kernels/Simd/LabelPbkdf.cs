using System.Runtime.CompilerServices;

namespace Prover.Kernels.Simd;

/// <summary>
/// The two PBKDF2-HMAC-Keccak512 steps of one label (spec §1), specialised for the label password
/// P = commitment(32) ‖ LE64(index) ‖ 0^32. P is exactly one Keccak-512 rate block (72 bytes), so the HMAC key is used
/// as-is and the ipad/opad blocks each fill one block: their absorbed states are computed once per label and shared by
/// both PBKDF2 steps. Cost per label: 2 (key states) + 4 (step 1) + 3 (step 3) = 9 Keccak-f[1600].
/// All buffers are 64-bit little-endian lanes (this code assumes a little-endian machine, as .NET does in practice).
/// </summary>
[SkipLocalsInit]
internal static unsafe class LabelPbkdf
{
    /// <summary>Lanes in one absorbed-key state.</summary>
    public const int StateLanes = Keccak1600.Lanes;

    private const ulong Ipad = 0x3636363636363636UL;
    private const ulong Opad = 0x5C5C5C5C5C5C5C5CUL;

    /// <summary>Original Keccak padding for a 64-byte message tail in a 72-byte block: byte 64 = 0x01, byte 71 |= 0x80.</summary>
    private const ulong PadAfter64 = 0x8000000000000001UL;

    /// <summary>Last byte of the rate block (byte 71) |= 0x80.</summary>
    private const ulong PadLast = 0x8000000000000000UL;

    /// <summary>
    /// Absorbs the HMAC ipad and opad blocks of P = commitment ‖ LE64(index) ‖ 0^32.
    /// </summary>
    /// <param name="commitment">4 lanes (32 bytes) of the commitment.</param>
    /// <param name="index">The label index.</param>
    /// <param name="inner">Receives 25 lanes: Keccak-f(P ⊕ ipad).</param>
    /// <param name="outer">Receives 25 lanes: Keccak-f(P ⊕ opad).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void KeyStates(ulong* commitment, ulong index, ulong* inner, ulong* outer)
    {
        for (int i = 0; i < 4; i++)
        {
            inner[i] = commitment[i] ^ Ipad;
            outer[i] = commitment[i] ^ Opad;
        }

        inner[4] = index ^ Ipad;
        outer[4] = index ^ Opad;
        for (int i = 5; i < 9; i++)
        {
            inner[i] = Ipad;
            outer[i] = Opad;
        }

        for (int i = 9; i < StateLanes; i++)
        {
            inner[i] = 0;
            outer[i] = 0;
        }

        Keccak1600.Permute(inner);
        Keccak1600.Permute(outer);
    }

    /// <summary>
    /// PBKDF2 step 1 (empty salt, dkLen 128): X = HMAC(P, BE32(1)) ‖ HMAC(P, BE32(2)), written as 16 lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Expand(ulong* inner, ulong* outer, ulong* x16)
    {
        ulong* s = stackalloc ulong[StateLanes];
        for (uint block = 1; block <= 2; block++)
        {
            Copy25(inner, s);
            s[0] ^= ((ulong)block << 24) | (1UL << 32); // BE32(block) in bytes 0..3, pad 0x01 at byte 4
            s[8] ^= PadLast;
            Keccak1600.Permute(s);
            ulong* dst = x16 + (8 * (block - 1));
            Outer(outer, s, dst);
        }
    }

    /// <summary>
    /// PBKDF2 step 3 (salt = X, dkLen 32): out = HMAC(P, X ‖ BE32(1))[0..32].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compress(ulong* inner, ulong* outer, ulong* x16, byte* out32)
    {
        ulong* s = stackalloc ulong[StateLanes];
        Copy25(inner, s);
        for (int i = 0; i < 9; i++)
        {
            s[i] ^= x16[i];
        }

        Keccak1600.Permute(s);
        for (int i = 0; i < 7; i++)
        {
            s[i] ^= x16[9 + i];
        }

        s[7] ^= (1UL << 24) | (1UL << 32); // BE32(1) in bytes 56..59, pad 0x01 at byte 60
        s[8] ^= PadLast;
        Keccak1600.Permute(s);

        ulong* h = stackalloc ulong[8];
        Outer(outer, s, h);
        ulong* o = (ulong*)out32;
        o[0] = h[0];
        o[1] = h[1];
        o[2] = h[2];
        o[3] = h[3];
    }

    /// <summary>Outer HMAC hash: Keccak512(opad block ‖ inner digest (first 8 lanes of <paramref name="innerState"/>)).</summary>
    private static void Outer(ulong* outer, ulong* innerState, ulong* dst8)
    {
        ulong* t = stackalloc ulong[StateLanes];
        Copy25(outer, t);
        for (int i = 0; i < 8; i++)
        {
            t[i] ^= innerState[i];
        }

        t[8] ^= PadAfter64;
        Keccak1600.Permute(t);
        for (int i = 0; i < 8; i++)
        {
            dst8[i] = t[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy25(ulong* src, ulong* dst) => Buffer.MemoryCopy(src, dst, StateLanes * 8, StateLanes * 8);
}
