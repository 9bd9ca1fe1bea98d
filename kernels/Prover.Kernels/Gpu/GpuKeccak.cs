// Device-side Keccak-f[1600] permutation, written as scalar per-thread code for ILGPU kernels: no arrays and no
// allocation, the 25 lanes live in locals (registers on a GPU). The sponge/HMAC/PBKDF2 steps built on it are in
// GpuScrypt.cs. Generated once from the Keccak reference description (rho offsets and pi mapping), then kept as code.
using System.Runtime.CompilerServices;

namespace Prover.Kernels.Gpu;

/// <summary>The 25 lanes of a Keccak-f[1600] state (lane i = x + 5·y, little-endian).</summary>
internal struct KeccakState
{
    public ulong A00, A01, A02, A03, A04, A05, A06, A07, A08, A09, A10, A11, A12, A13, A14, A15, A16, A17, A18, A19, A20, A21, A22, A23, A24;
}

/// <summary>Keccak-f[1600], written for ILGPU kernels (also runs on the host, which the tests use).</summary>
internal static class GpuKeccak
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Rotl64(ulong v, int c) => (v << c) | (v >> (64 - c));

    /// <summary>Iota constant of round <paramref name="round"/> (0…23).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RoundConstant(int round) => round switch
    {
        0 => 0x0000000000000001UL,
        1 => 0x0000000000008082UL,
        2 => 0x800000000000808AUL,
        3 => 0x8000000080008000UL,
        4 => 0x000000000000808BUL,
        5 => 0x0000000080000001UL,
        6 => 0x8000000080008081UL,
        7 => 0x8000000000008009UL,
        8 => 0x000000000000008AUL,
        9 => 0x0000000000000088UL,
        10 => 0x0000000080008009UL,
        11 => 0x000000008000000AUL,
        12 => 0x000000008000808BUL,
        13 => 0x800000000000008BUL,
        14 => 0x8000000000008089UL,
        15 => 0x8000000000008003UL,
        16 => 0x8000000000008002UL,
        17 => 0x8000000000000080UL,
        18 => 0x000000000000800AUL,
        19 => 0x800000008000000AUL,
        20 => 0x8000000080008081UL,
        21 => 0x8000000000008080UL,
        22 => 0x0000000080000001UL,
        23 => 0x8000000080008008UL,
        _ => 0x8000000080008008UL,
    };

    /// <summary>Applies the 24-round permutation in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Permute(ref KeccakState s)
    {
        ulong a00 = s.A00;
        ulong a01 = s.A01;
        ulong a02 = s.A02;
        ulong a03 = s.A03;
        ulong a04 = s.A04;
        ulong a05 = s.A05;
        ulong a06 = s.A06;
        ulong a07 = s.A07;
        ulong a08 = s.A08;
        ulong a09 = s.A09;
        ulong a10 = s.A10;
        ulong a11 = s.A11;
        ulong a12 = s.A12;
        ulong a13 = s.A13;
        ulong a14 = s.A14;
        ulong a15 = s.A15;
        ulong a16 = s.A16;
        ulong a17 = s.A17;
        ulong a18 = s.A18;
        ulong a19 = s.A19;
        ulong a20 = s.A20;
        ulong a21 = s.A21;
        ulong a22 = s.A22;
        ulong a23 = s.A23;
        ulong a24 = s.A24;
        for (int round = 0; round < 24; round++)
        {
            ulong c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            ulong c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            ulong c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            ulong c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            ulong c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            ulong d0 = c4 ^ Rotl64(c1, 1);
            ulong d1 = c0 ^ Rotl64(c2, 1);
            ulong d2 = c1 ^ Rotl64(c3, 1);
            ulong d3 = c2 ^ Rotl64(c4, 1);
            ulong d4 = c3 ^ Rotl64(c0, 1);
            // theta folded into rho + pi: b[y, 2x + 3y] = rot(a[x, y] ^ d[x], r[x, y])
            ulong b00 = a00 ^ d0;
            ulong b01 = Rotl64(a06 ^ d1, 44);
            ulong b02 = Rotl64(a12 ^ d2, 43);
            ulong b03 = Rotl64(a18 ^ d3, 21);
            ulong b04 = Rotl64(a24 ^ d4, 14);
            ulong b05 = Rotl64(a03 ^ d3, 28);
            ulong b06 = Rotl64(a09 ^ d4, 20);
            ulong b07 = Rotl64(a10 ^ d0, 3);
            ulong b08 = Rotl64(a16 ^ d1, 45);
            ulong b09 = Rotl64(a22 ^ d2, 61);
            ulong b10 = Rotl64(a01 ^ d1, 1);
            ulong b11 = Rotl64(a07 ^ d2, 6);
            ulong b12 = Rotl64(a13 ^ d3, 25);
            ulong b13 = Rotl64(a19 ^ d4, 8);
            ulong b14 = Rotl64(a20 ^ d0, 18);
            ulong b15 = Rotl64(a04 ^ d4, 27);
            ulong b16 = Rotl64(a05 ^ d0, 36);
            ulong b17 = Rotl64(a11 ^ d1, 10);
            ulong b18 = Rotl64(a17 ^ d2, 15);
            ulong b19 = Rotl64(a23 ^ d3, 56);
            ulong b20 = Rotl64(a02 ^ d2, 62);
            ulong b21 = Rotl64(a08 ^ d3, 55);
            ulong b22 = Rotl64(a14 ^ d4, 39);
            ulong b23 = Rotl64(a15 ^ d0, 41);
            ulong b24 = Rotl64(a21 ^ d1, 2);
            // chi, row by row, then iota
            a00 = b00 ^ (~b01 & b02);
            a01 = b01 ^ (~b02 & b03);
            a02 = b02 ^ (~b03 & b04);
            a03 = b03 ^ (~b04 & b00);
            a04 = b04 ^ (~b00 & b01);
            a05 = b05 ^ (~b06 & b07);
            a06 = b06 ^ (~b07 & b08);
            a07 = b07 ^ (~b08 & b09);
            a08 = b08 ^ (~b09 & b05);
            a09 = b09 ^ (~b05 & b06);
            a10 = b10 ^ (~b11 & b12);
            a11 = b11 ^ (~b12 & b13);
            a12 = b12 ^ (~b13 & b14);
            a13 = b13 ^ (~b14 & b10);
            a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17);
            a16 = b16 ^ (~b17 & b18);
            a17 = b17 ^ (~b18 & b19);
            a18 = b18 ^ (~b19 & b15);
            a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22);
            a21 = b21 ^ (~b22 & b23);
            a22 = b22 ^ (~b23 & b24);
            a23 = b23 ^ (~b24 & b20);
            a24 = b24 ^ (~b20 & b21);
            a00 ^= RoundConstant(round);
        }

        s.A00 = a00;
        s.A01 = a01;
        s.A02 = a02;
        s.A03 = a03;
        s.A04 = a04;
        s.A05 = a05;
        s.A06 = a06;
        s.A07 = a07;
        s.A08 = a08;
        s.A09 = a09;
        s.A10 = a10;
        s.A11 = a11;
        s.A12 = a12;
        s.A13 = a13;
        s.A14 = a14;
        s.A15 = a15;
        s.A16 = a16;
        s.A17 = a17;
        s.A18 = a18;
        s.A19 = a19;
        s.A20 = a20;
        s.A21 = a21;
        s.A22 = a22;
        s.A23 = a23;
        s.A24 = a24;
    }
}
