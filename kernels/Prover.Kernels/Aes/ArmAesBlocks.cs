using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArmAes = System.Runtime.Intrinsics.Arm.Aes;

namespace Prover.Kernels.Aes;

/// <summary>
/// AES-128 with the Armv8 crypto extension. AESE = AddRoundKey, SubBytes, ShiftRows; AESMC = MixColumns, so round r
/// is AESMC(AESE(s, rk[r])) for r = 0..8, then AESE(s, rk[9]) ^ rk[10].
/// </summary>
internal readonly struct ArmAesBlocks : IAesBlocks
{
    public static bool IsSupported => ArmAes.IsSupported;

    public static AesImplementation Implementation => AesImplementation.ArmAes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Round(Vector128<byte> s, Vector128<byte> k) => ArmAes.MixColumns(ArmAes.Encrypt(s, k));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Encrypt8(ref byte roundKeys, ref byte source, out Vector128<byte> o0, out Vector128<byte> o1,
        out Vector128<byte> o2, out Vector128<byte> o3, out Vector128<byte> o4, out Vector128<byte> o5,
        out Vector128<byte> o6, out Vector128<byte> o7)
    {
        Vector128<byte> s0 = Vector128.LoadUnsafe(ref source);
        Vector128<byte> s1 = Vector128.LoadUnsafe(ref source, 16);
        Vector128<byte> s2 = Vector128.LoadUnsafe(ref source, 32);
        Vector128<byte> s3 = Vector128.LoadUnsafe(ref source, 48);
        Vector128<byte> s4 = Vector128.LoadUnsafe(ref source, 64);
        Vector128<byte> s5 = Vector128.LoadUnsafe(ref source, 80);
        Vector128<byte> s6 = Vector128.LoadUnsafe(ref source, 96);
        Vector128<byte> s7 = Vector128.LoadUnsafe(ref source, 112);
        for (nuint at = 0; at < 144; at += 16)
        {
            Vector128<byte> k = Vector128.LoadUnsafe(ref roundKeys, at);
            s0 = Round(s0, k);
            s1 = Round(s1, k);
            s2 = Round(s2, k);
            s3 = Round(s3, k);
            s4 = Round(s4, k);
            s5 = Round(s5, k);
            s6 = Round(s6, k);
            s7 = Round(s7, k);
        }

        Vector128<byte> k9 = Vector128.LoadUnsafe(ref roundKeys, 144);
        Vector128<byte> k10 = Vector128.LoadUnsafe(ref roundKeys, 160);
        o0 = ArmAes.Encrypt(s0, k9) ^ k10;
        o1 = ArmAes.Encrypt(s1, k9) ^ k10;
        o2 = ArmAes.Encrypt(s2, k9) ^ k10;
        o3 = ArmAes.Encrypt(s3, k9) ^ k10;
        o4 = ArmAes.Encrypt(s4, k9) ^ k10;
        o5 = ArmAes.Encrypt(s5, k9) ^ k10;
        o6 = ArmAes.Encrypt(s6, k9) ^ k10;
        o7 = ArmAes.Encrypt(s7, k9) ^ k10;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Encrypt1(ref byte roundKeys, Vector128<byte> block)
    {
        Vector128<byte> s = block;
        for (nuint at = 0; at < 144; at += 16)
        {
            s = Round(s, Vector128.LoadUnsafe(ref roundKeys, at));
        }

        return ArmAes.Encrypt(s, Vector128.LoadUnsafe(ref roundKeys, 144)) ^ Vector128.LoadUnsafe(ref roundKeys, 160);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Encrypt8Keys(ref byte roundKeys, ref nint keyOffsets, ref Vector128<byte> blocks)
    {
        // Four at a time keeps the register pressure of eight separate key streams reasonable.
        Encrypt4(ref roundKeys, ref keyOffsets, ref blocks);
        Encrypt4(ref roundKeys, ref Unsafe.Add(ref keyOffsets, 4), ref Unsafe.Add(ref blocks, 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Encrypt4(ref byte roundKeys, ref nint keyOffsets, ref Vector128<byte> blocks)
    {
        ref byte k0 = ref Unsafe.Add(ref roundKeys, keyOffsets);
        ref byte k1 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 1));
        ref byte k2 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 2));
        ref byte k3 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 3));
        Vector128<byte> s0 = blocks, s1 = Unsafe.Add(ref blocks, 1), s2 = Unsafe.Add(ref blocks, 2), s3 = Unsafe.Add(ref blocks, 3);
        for (nuint at = 0; at < 144; at += 16)
        {
            s0 = Round(s0, Vector128.LoadUnsafe(ref k0, at));
            s1 = Round(s1, Vector128.LoadUnsafe(ref k1, at));
            s2 = Round(s2, Vector128.LoadUnsafe(ref k2, at));
            s3 = Round(s3, Vector128.LoadUnsafe(ref k3, at));
        }

        blocks = ArmAes.Encrypt(s0, Vector128.LoadUnsafe(ref k0, 144)) ^ Vector128.LoadUnsafe(ref k0, 160);
        Unsafe.Add(ref blocks, 1) = ArmAes.Encrypt(s1, Vector128.LoadUnsafe(ref k1, 144)) ^ Vector128.LoadUnsafe(ref k1, 160);
        Unsafe.Add(ref blocks, 2) = ArmAes.Encrypt(s2, Vector128.LoadUnsafe(ref k2, 144)) ^ Vector128.LoadUnsafe(ref k2, 160);
        Unsafe.Add(ref blocks, 3) = ArmAes.Encrypt(s3, Vector128.LoadUnsafe(ref k3, 144)) ^ Vector128.LoadUnsafe(ref k3, 160);
    }
}
