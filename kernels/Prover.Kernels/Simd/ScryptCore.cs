using System.Runtime.CompilerServices;

namespace Prover.Kernels.Simd;

/// <summary>
/// scrypt-jane ROMix (ChaCha20/8 BlockMix, r = 1) for <c>TOps.Lanes</c> labels at once, word-sliced: the 128-byte
/// block of lane k is 32 vectors whose element k are that lane's words. Specialised per width by the JIT.
/// </summary>
/// <remarks>
/// Scratch layout (V, N rows of Lanes·32 words): row i = [lane 0: 32 words][lane 1: 32 words]…, i.e. [i][lane][word].
/// Each lane's 128-byte block is two whole cache lines, so ROMix's second loop (random j per lane) touches 2 lines per
/// lane; the price is a Lanes×Lanes transpose on every store (loop 1) and load (loop 2). The alternative
/// [i][word][lane] layout (plain vector stores, one gather per word in loop 2) spreads a block over 32 lines: see the
/// measurements in <see cref="ScryptLanes"/>.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class ScryptCore<TVec, TOps>
    where TVec : unmanaged
    where TOps : struct, ILaneOps<TVec>
{
    /// <summary>Words (uint) per scratch row: one 128-byte block for each lane.</summary>
    public static int RowWords => TOps.Lanes * 32;

    /// <summary>
    /// Computes the 32-byte outputs of labels startIndex … startIndex + Lanes − 1 and writes the first
    /// <paramref name="count"/> of them to <paramref name="output"/> (the other lanes are computed and dropped).
    /// </summary>
    /// <param name="commitment">4 little-endian lanes of the commitment.</param>
    /// <param name="n">scrypt N (power of two ≥ 2).</param>
    /// <param name="startIndex">Index of lane 0.</param>
    /// <param name="count">Outputs to write, 1 … Lanes.</param>
    /// <param name="output">count × 32 bytes.</param>
    /// <param name="v">Scratch: n × <see cref="RowWords"/> words, 64-byte aligned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeGroup(ulong* commitment, ulong n, ulong startIndex, int count, byte* output, uint* v)
    {
        int lanes = TOps.Lanes;
        nint rowWords = RowWords;
        nuint mask = (nuint)(n - 1);

        // HMAC key states of every lane (25 + 25 lanes each), kept for the final PBKDF2 step.
        ulong* keys = stackalloc ulong[lanes * 2 * LabelPbkdf.StateLanes];

        // The word-sliced block X: 32 vectors, 64-byte aligned.
        byte* xRaw = stackalloc byte[(32 * sizeof(TVec)) + 64];
        TVec* x = (TVec*)(((nuint)xRaw + 63) & ~(nuint)63);
        uint** rows = stackalloc uint*[lanes];
        uint* j = stackalloc uint[lanes];

        // PBKDF2 step 1 of each lane writes X straight into V[0] (lane-major), which is where loop 1 wants it.
        for (int k = 0; k < lanes; k++)
        {
            ulong* inner = keys + (k * 2 * LabelPbkdf.StateLanes);
            ulong* outer = inner + LabelPbkdf.StateLanes;
            LabelPbkdf.KeyStates(commitment, unchecked(startIndex + (ulong)k), inner, outer);
            LabelPbkdf.Expand(inner, outer, (ulong*)(v + (32 * k)));
            rows[k] = v + (32 * k);
        }

        new Span<byte>(x, 32 * sizeof(TVec)).Clear();
        LoadXor(rows, x);

        // Loop 1: V[i] = BlockMix^i(X).
        uint* row = v;
        for (ulong i = 1; i < n; i++)
        {
            BlockMix(x);
            row += rowWords;
            StoreBlock(x, row);
        }

        BlockMix(x);

        // Loop 2: X = BlockMix(X xor V[Integerify(X) mod N]) with an independent j per lane.
        for (ulong i = 0; i < n; i++)
        {
            TOps.Store(j, x[16]);
            for (int k = 0; k < lanes; k++)
            {
                rows[k] = v + ((nint)((nuint)j[k] & mask) * rowWords) + (32 * k);
            }

            LoadXor(rows, x);
            BlockMix(x);
        }

        // Back to lane-major (reusing V[0], no longer needed) and PBKDF2 step 3 per lane.
        StoreBlock(x, v);
        for (int k = 0; k < count; k++)
        {
            ulong* inner = keys + (k * 2 * LabelPbkdf.StateLanes);
            LabelPbkdf.Compress(inner, inner + LabelPbkdf.StateLanes, (ulong*)(v + (32 * k)), output + (32 * k));
        }
    }

    /// <summary>Writes the word-sliced block to a scratch row: lane k's 32 words at row + 32·k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock(TVec* x, uint* row)
    {
        int lanes = TOps.Lanes;
        for (int s = 0; s < 32; s += lanes)
        {
            TOps.TransposeStore(x + s, row + s, 32);
        }
    }

    /// <summary>X ^= the blocks at rows[k] (lane k), transposed into word slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadXor(uint** rows, TVec* x)
    {
        int lanes = TOps.Lanes;
        for (int s = 0; s < 32; s += lanes)
        {
            TOps.TransposeLoadXor(rows, s, x + s);
        }
    }

    /// <summary>BlockMix for r = 1: Y0 = ChaCha8(B0 ⊕ B1), Y1 = ChaCha8(Y0 ⊕ B1); result (Y0, Y1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockMix(TVec* x)
    {
        ChaCha8Xor(x, x + 16);
        ChaCha8Xor(x + 16, x);
    }

    /// <summary>block = ChaCha20/8(block ⊕ other), the chacha_core_basic of scrypt-jane (4 double rounds + feed-forward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChaCha8Xor(TVec* block, TVec* other)
    {
        TVec x0 = TOps.Xor(block[0], other[0]);
        block[0] = x0;
        TVec x1 = TOps.Xor(block[1], other[1]);
        block[1] = x1;
        TVec x2 = TOps.Xor(block[2], other[2]);
        block[2] = x2;
        TVec x3 = TOps.Xor(block[3], other[3]);
        block[3] = x3;
        TVec x4 = TOps.Xor(block[4], other[4]);
        block[4] = x4;
        TVec x5 = TOps.Xor(block[5], other[5]);
        block[5] = x5;
        TVec x6 = TOps.Xor(block[6], other[6]);
        block[6] = x6;
        TVec x7 = TOps.Xor(block[7], other[7]);
        block[7] = x7;
        TVec x8 = TOps.Xor(block[8], other[8]);
        block[8] = x8;
        TVec x9 = TOps.Xor(block[9], other[9]);
        block[9] = x9;
        TVec x10 = TOps.Xor(block[10], other[10]);
        block[10] = x10;
        TVec x11 = TOps.Xor(block[11], other[11]);
        block[11] = x11;
        TVec x12 = TOps.Xor(block[12], other[12]);
        block[12] = x12;
        TVec x13 = TOps.Xor(block[13], other[13]);
        block[13] = x13;
        TVec x14 = TOps.Xor(block[14], other[14]);
        block[14] = x14;
        TVec x15 = TOps.Xor(block[15], other[15]);
        block[15] = x15;

        for (int round = 0; round < 4; round++)
        {
            x0 = TOps.Add(x0, x4); x12 = TOps.RotateLeft16(TOps.Xor(x12, x0));
            x1 = TOps.Add(x1, x5); x13 = TOps.RotateLeft16(TOps.Xor(x13, x1));
            x2 = TOps.Add(x2, x6); x14 = TOps.RotateLeft16(TOps.Xor(x14, x2));
            x3 = TOps.Add(x3, x7); x15 = TOps.RotateLeft16(TOps.Xor(x15, x3));
            x8 = TOps.Add(x8, x12); x4 = TOps.RotateLeft12(TOps.Xor(x4, x8));
            x9 = TOps.Add(x9, x13); x5 = TOps.RotateLeft12(TOps.Xor(x5, x9));
            x10 = TOps.Add(x10, x14); x6 = TOps.RotateLeft12(TOps.Xor(x6, x10));
            x11 = TOps.Add(x11, x15); x7 = TOps.RotateLeft12(TOps.Xor(x7, x11));
            x0 = TOps.Add(x0, x4); x12 = TOps.RotateLeft8(TOps.Xor(x12, x0));
            x1 = TOps.Add(x1, x5); x13 = TOps.RotateLeft8(TOps.Xor(x13, x1));
            x2 = TOps.Add(x2, x6); x14 = TOps.RotateLeft8(TOps.Xor(x14, x2));
            x3 = TOps.Add(x3, x7); x15 = TOps.RotateLeft8(TOps.Xor(x15, x3));
            x8 = TOps.Add(x8, x12); x4 = TOps.RotateLeft7(TOps.Xor(x4, x8));
            x9 = TOps.Add(x9, x13); x5 = TOps.RotateLeft7(TOps.Xor(x5, x9));
            x10 = TOps.Add(x10, x14); x6 = TOps.RotateLeft7(TOps.Xor(x6, x10));
            x11 = TOps.Add(x11, x15); x7 = TOps.RotateLeft7(TOps.Xor(x7, x11));
            x0 = TOps.Add(x0, x5); x15 = TOps.RotateLeft16(TOps.Xor(x15, x0));
            x1 = TOps.Add(x1, x6); x12 = TOps.RotateLeft16(TOps.Xor(x12, x1));
            x2 = TOps.Add(x2, x7); x13 = TOps.RotateLeft16(TOps.Xor(x13, x2));
            x3 = TOps.Add(x3, x4); x14 = TOps.RotateLeft16(TOps.Xor(x14, x3));
            x10 = TOps.Add(x10, x15); x5 = TOps.RotateLeft12(TOps.Xor(x5, x10));
            x11 = TOps.Add(x11, x12); x6 = TOps.RotateLeft12(TOps.Xor(x6, x11));
            x8 = TOps.Add(x8, x13); x7 = TOps.RotateLeft12(TOps.Xor(x7, x8));
            x9 = TOps.Add(x9, x14); x4 = TOps.RotateLeft12(TOps.Xor(x4, x9));
            x0 = TOps.Add(x0, x5); x15 = TOps.RotateLeft8(TOps.Xor(x15, x0));
            x1 = TOps.Add(x1, x6); x12 = TOps.RotateLeft8(TOps.Xor(x12, x1));
            x2 = TOps.Add(x2, x7); x13 = TOps.RotateLeft8(TOps.Xor(x13, x2));
            x3 = TOps.Add(x3, x4); x14 = TOps.RotateLeft8(TOps.Xor(x14, x3));
            x10 = TOps.Add(x10, x15); x5 = TOps.RotateLeft7(TOps.Xor(x5, x10));
            x11 = TOps.Add(x11, x12); x6 = TOps.RotateLeft7(TOps.Xor(x6, x11));
            x8 = TOps.Add(x8, x13); x7 = TOps.RotateLeft7(TOps.Xor(x7, x8));
            x9 = TOps.Add(x9, x14); x4 = TOps.RotateLeft7(TOps.Xor(x4, x9));
        }

        block[0] = TOps.Add(block[0], x0);
        block[1] = TOps.Add(block[1], x1);
        block[2] = TOps.Add(block[2], x2);
        block[3] = TOps.Add(block[3], x3);
        block[4] = TOps.Add(block[4], x4);
        block[5] = TOps.Add(block[5], x5);
        block[6] = TOps.Add(block[6], x6);
        block[7] = TOps.Add(block[7], x7);
        block[8] = TOps.Add(block[8], x8);
        block[9] = TOps.Add(block[9], x9);
        block[10] = TOps.Add(block[10], x10);
        block[11] = TOps.Add(block[11], x11);
        block[12] = TOps.Add(block[12], x12);
        block[13] = TOps.Add(block[13], x13);
        block[14] = TOps.Add(block[14], x14);
        block[15] = TOps.Add(block[15], x15);
    }
}
