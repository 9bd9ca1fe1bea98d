using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Prover.Kernels.Aes;

/// <summary>AES-128 with x86 AES-NI. Eight independent blocks per call keep the AES units busy.</summary>
internal readonly struct AesNiBlocks : IAesBlocks
{
    public static bool IsSupported => X86Aes.IsSupported;

    public static AesImplementation Implementation => AesImplementation.X86AesNi;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Encrypt8(ref byte roundKeys, ref byte source, out Vector128<byte> o0, out Vector128<byte> o1,
        out Vector128<byte> o2, out Vector128<byte> o3, out Vector128<byte> o4, out Vector128<byte> o5,
        out Vector128<byte> o6, out Vector128<byte> o7)
    {
        Vector128<byte> k = Vector128.LoadUnsafe(ref roundKeys);
        Vector128<byte> s0 = Vector128.LoadUnsafe(ref source) ^ k;
        Vector128<byte> s1 = Vector128.LoadUnsafe(ref source, 16) ^ k;
        Vector128<byte> s2 = Vector128.LoadUnsafe(ref source, 32) ^ k;
        Vector128<byte> s3 = Vector128.LoadUnsafe(ref source, 48) ^ k;
        Vector128<byte> s4 = Vector128.LoadUnsafe(ref source, 64) ^ k;
        Vector128<byte> s5 = Vector128.LoadUnsafe(ref source, 80) ^ k;
        Vector128<byte> s6 = Vector128.LoadUnsafe(ref source, 96) ^ k;
        Vector128<byte> s7 = Vector128.LoadUnsafe(ref source, 112) ^ k;
        for (nuint at = 16; at < 160; at += 16)
        {
            k = Vector128.LoadUnsafe(ref roundKeys, at);
            s0 = X86Aes.Encrypt(s0, k);
            s1 = X86Aes.Encrypt(s1, k);
            s2 = X86Aes.Encrypt(s2, k);
            s3 = X86Aes.Encrypt(s3, k);
            s4 = X86Aes.Encrypt(s4, k);
            s5 = X86Aes.Encrypt(s5, k);
            s6 = X86Aes.Encrypt(s6, k);
            s7 = X86Aes.Encrypt(s7, k);
        }

        k = Vector128.LoadUnsafe(ref roundKeys, 160);
        o0 = X86Aes.EncryptLast(s0, k);
        o1 = X86Aes.EncryptLast(s1, k);
        o2 = X86Aes.EncryptLast(s2, k);
        o3 = X86Aes.EncryptLast(s3, k);
        o4 = X86Aes.EncryptLast(s4, k);
        o5 = X86Aes.EncryptLast(s5, k);
        o6 = X86Aes.EncryptLast(s6, k);
        o7 = X86Aes.EncryptLast(s7, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Encrypt1(ref byte roundKeys, Vector128<byte> block)
    {
        Vector128<byte> s = block ^ Vector128.LoadUnsafe(ref roundKeys);
        for (nuint at = 16; at < 160; at += 16)
        {
            s = X86Aes.Encrypt(s, Vector128.LoadUnsafe(ref roundKeys, at));
        }

        return X86Aes.EncryptLast(s, Vector128.LoadUnsafe(ref roundKeys, 160));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Encrypt8Keys(ref byte roundKeys, ref nint keyOffsets, ref Vector128<byte> blocks)
    {
        ref byte k0 = ref Unsafe.Add(ref roundKeys, keyOffsets);
        ref byte k1 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 1));
        ref byte k2 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 2));
        ref byte k3 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 3));
        ref byte k4 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 4));
        ref byte k5 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 5));
        ref byte k6 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 6));
        ref byte k7 = ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, 7));
        Vector128<byte> s0 = blocks ^ Vector128.LoadUnsafe(ref k0);
        Vector128<byte> s1 = Unsafe.Add(ref blocks, 1) ^ Vector128.LoadUnsafe(ref k1);
        Vector128<byte> s2 = Unsafe.Add(ref blocks, 2) ^ Vector128.LoadUnsafe(ref k2);
        Vector128<byte> s3 = Unsafe.Add(ref blocks, 3) ^ Vector128.LoadUnsafe(ref k3);
        Vector128<byte> s4 = Unsafe.Add(ref blocks, 4) ^ Vector128.LoadUnsafe(ref k4);
        Vector128<byte> s5 = Unsafe.Add(ref blocks, 5) ^ Vector128.LoadUnsafe(ref k5);
        Vector128<byte> s6 = Unsafe.Add(ref blocks, 6) ^ Vector128.LoadUnsafe(ref k6);
        Vector128<byte> s7 = Unsafe.Add(ref blocks, 7) ^ Vector128.LoadUnsafe(ref k7);
        for (nuint at = 16; at < 160; at += 16)
        {
            s0 = X86Aes.Encrypt(s0, Vector128.LoadUnsafe(ref k0, at));
            s1 = X86Aes.Encrypt(s1, Vector128.LoadUnsafe(ref k1, at));
            s2 = X86Aes.Encrypt(s2, Vector128.LoadUnsafe(ref k2, at));
            s3 = X86Aes.Encrypt(s3, Vector128.LoadUnsafe(ref k3, at));
            s4 = X86Aes.Encrypt(s4, Vector128.LoadUnsafe(ref k4, at));
            s5 = X86Aes.Encrypt(s5, Vector128.LoadUnsafe(ref k5, at));
            s6 = X86Aes.Encrypt(s6, Vector128.LoadUnsafe(ref k6, at));
            s7 = X86Aes.Encrypt(s7, Vector128.LoadUnsafe(ref k7, at));
        }

        blocks = X86Aes.EncryptLast(s0, Vector128.LoadUnsafe(ref k0, 160));
        Unsafe.Add(ref blocks, 1) = X86Aes.EncryptLast(s1, Vector128.LoadUnsafe(ref k1, 160));
        Unsafe.Add(ref blocks, 2) = X86Aes.EncryptLast(s2, Vector128.LoadUnsafe(ref k2, 160));
        Unsafe.Add(ref blocks, 3) = X86Aes.EncryptLast(s3, Vector128.LoadUnsafe(ref k3, 160));
        Unsafe.Add(ref blocks, 4) = X86Aes.EncryptLast(s4, Vector128.LoadUnsafe(ref k4, 160));
        Unsafe.Add(ref blocks, 5) = X86Aes.EncryptLast(s5, Vector128.LoadUnsafe(ref k5, 160));
        Unsafe.Add(ref blocks, 6) = X86Aes.EncryptLast(s6, Vector128.LoadUnsafe(ref k6, 160));
        Unsafe.Add(ref blocks, 7) = X86Aes.EncryptLast(s7, Vector128.LoadUnsafe(ref k7, 160));
    }
}
