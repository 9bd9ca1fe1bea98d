using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Prover.Kernels.Aes;

/// <summary>
/// Portable table-based AES-128 (T-tables, one 32-bit column per word). The fallback when the CPU has no AES
/// instructions; it is not constant-time, which is acceptable here because proving keys are public. Column words are
/// little-endian (byte 0 = row 0), as on every platform .NET supports with these tables.
/// </summary>
internal readonly struct SoftwareAesBlocks : IAesBlocks
{
    public static bool IsSupported => true;

    public static AesImplementation Implementation => AesImplementation.Software;

    public static void Encrypt8(ref byte roundKeys, ref byte source, out Vector128<byte> o0, out Vector128<byte> o1,
        out Vector128<byte> o2, out Vector128<byte> o3, out Vector128<byte> o4, out Vector128<byte> o5,
        out Vector128<byte> o6, out Vector128<byte> o7)
    {
        o0 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source));
        o1 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 16));
        o2 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 32));
        o3 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 48));
        o4 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 64));
        o5 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 80));
        o6 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 96));
        o7 = Encrypt1(ref roundKeys, Vector128.LoadUnsafe(ref source, 112));
    }

    public static void Encrypt8Keys(ref byte roundKeys, ref nint keyOffsets, ref Vector128<byte> blocks)
    {
        for (int i = 0; i < 8; i++)
        {
            Unsafe.Add(ref blocks, i) = Encrypt1(ref Unsafe.Add(ref roundKeys, Unsafe.Add(ref keyOffsets, i)), Unsafe.Add(ref blocks, i));
        }
    }

    public static Vector128<byte> Encrypt1(ref byte roundKeys, Vector128<byte> block)
    {
        ReadOnlySpan<uint> rk = MemoryMarshal.Cast<byte, uint>(MemoryMarshal.CreateReadOnlySpan(ref roundKeys, AesKeySchedule.ExpandedSize));
        Vector128<uint> words = block.AsUInt32();
        uint s0 = words.GetElement(0) ^ rk[0];
        uint s1 = words.GetElement(1) ^ rk[1];
        uint s2 = words.GetElement(2) ^ rk[2];
        uint s3 = words.GetElement(3) ^ rk[3];
        uint[] t0 = AesTables.Te0, t1 = AesTables.Te1, t2 = AesTables.Te2, t3 = AesTables.Te3;
        for (int r = 1; r < 10; r++)
        {
            // Output column c takes row r from input column c + r (ShiftRows), then MixColumns via the tables.
            uint n0 = t0[s0 & 0xFF] ^ t1[(s1 >> 8) & 0xFF] ^ t2[(s2 >> 16) & 0xFF] ^ t3[s3 >> 24] ^ rk[4 * r];
            uint n1 = t0[s1 & 0xFF] ^ t1[(s2 >> 8) & 0xFF] ^ t2[(s3 >> 16) & 0xFF] ^ t3[s0 >> 24] ^ rk[(4 * r) + 1];
            uint n2 = t0[s2 & 0xFF] ^ t1[(s3 >> 8) & 0xFF] ^ t2[(s0 >> 16) & 0xFF] ^ t3[s1 >> 24] ^ rk[(4 * r) + 2];
            uint n3 = t0[s3 & 0xFF] ^ t1[(s0 >> 8) & 0xFF] ^ t2[(s1 >> 16) & 0xFF] ^ t3[s2 >> 24] ^ rk[(4 * r) + 3];
            s0 = n0;
            s1 = n1;
            s2 = n2;
            s3 = n3;
        }

        byte[] sb = AesTables.SBox;
        uint f0 = Last(sb, s0, s1, s2, s3) ^ rk[40];
        uint f1 = Last(sb, s1, s2, s3, s0) ^ rk[41];
        uint f2 = Last(sb, s2, s3, s0, s1) ^ rk[42];
        uint f3 = Last(sb, s3, s0, s1, s2) ^ rk[43];
        return Vector128.Create(f0, f1, f2, f3).AsByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Last(byte[] sb, uint a, uint b, uint c, uint d) =>
        sb[a & 0xFF] | ((uint)sb[(b >> 8) & 0xFF] << 8) | ((uint)sb[(c >> 16) & 0xFF] << 16) | ((uint)sb[d >> 24] << 24);
}
