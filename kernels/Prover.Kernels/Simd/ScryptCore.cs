using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Prover.Kernels.Simd;

/// <summary>
/// scrypt-jane ROMix (ChaCha20/8 BlockMix, r = 1) for <c>TOps.Lanes</c> labels at once, word-sliced: the 128-byte
/// block of lane k is 32 vectors whose element k are that lane's words. Specialised per width by the JIT.
/// </summary>
/// <remarks>
/// <para>Scratch layout, chosen by measurement: V is N rows; a row holds one 128-byte block per lane, lane-major
/// ([i][lane][32 words]). Each lane's block is two whole cache lines, so ROMix's second loop (an independent random j
/// per lane) touches 2 lines per lane and reads them with two plain 64-byte loads per lane, at the price of a
/// Lanes×Lanes transpose on every store (loop 1) and load (loop 2). The alternative [i][word][lane] layout makes loop 1
/// plain vector stores but needs one gather per word in loop 2 and spreads each block over 32 lines.</para>
/// <para>Measured on the AMD EPYC (Zen 5, AVX-512) dev VM, one V512 group (16 lanes), per step:
/// random read + XOR of 16 blocks from a 16 MiB V: lane-major 87–99 ns, word-major 549–631 ns (two 256-bit vpgatherdd
/// per word: .NET 10 exposes no 512-bit gather); from a 1 MiB V: 56 vs ~200 ns. Writing one row with streaming stores:
/// lane-major transposed 55–57 ns vs word-major plain 47–49 ns. Reads dominate, so lane-major it is.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class ScryptCore<TVec, TOps>
    where TVec : unmanaged
    where TOps : struct, ILaneOps<TVec>
{
    /// <summary>Words (uint) per scratch row: one 128-byte block for each lane.</summary>
    public static int RowWords => TOps.Lanes * 32;

    /// <summary>
    /// Whether two lane groups should run interleaved. ChaCha's four independent quarter-round chains cannot hide
    /// 2-cycle vector add/rotate latencies (AMD Zen 5 measured: vpaddd/vprold zmm 2 cycles, vpxord 1): interleaving two
    /// groups doubles the independent work. Only with 32 vector registers (AVX-512/AVX-512VL), so the 32 state vectors
    /// stay in registers.
    /// </summary>
    public static bool InterleavesTwoGroups => TOps.InterleavesTwoGroups;

    /// <summary>
    /// Computes the 32-byte outputs of labels startIndex … startIndex + ways·Lanes − 1 and writes the first
    /// <paramref name="count"/> of them to <paramref name="output"/> (the other lanes are computed and dropped).
    /// </summary>
    /// <remarks>
    /// <paramref name="ways"/> independent lane groups are computed together, in units of <paramref name="interleave"/>
    /// groups whose BlockMix runs interleaved instruction by instruction (<see cref="BlockMix2"/>). With more groups than
    /// one unit, the units take turns in ROMix's second loop: a unit's next random V rows are prefetched as soon as its
    /// BlockMix ends and read after the other units' BlockMix, hiding the DRAM latency.
    /// </remarks>
    /// <param name="commitment">4 little-endian lanes of the commitment.</param>
    /// <param name="n">scrypt N (power of two ≥ 2).</param>
    /// <param name="startIndex">Index of lane 0.</param>
    /// <param name="count">Outputs to write, 1 … ways·Lanes.</param>
    /// <param name="output">count × 32 bytes.</param>
    /// <param name="v">Scratch: n rows of ways·Lanes·32 words, 64-byte aligned.</param>
    /// <param name="ways">Lane groups, a multiple of <paramref name="interleave"/>.</param>
    /// <param name="interleave">1, or 2 for pairs of groups interleaved.</param>
    /// <param name="streamStores">Write V with non-temporal stores (when V is far larger than the caches).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeGroup(
        ulong* commitment, ulong n, ulong startIndex, int count, byte* output, uint* v, int ways, int interleave, bool streamStores) =>
        ComputeGroup(commitment, n, startIndex, null, count, output, v, ways, interleave, streamStores);

    /// <summary>
    /// As the other overload, but lane k computes label <c>indices[k]</c> when <paramref name="indices"/> is not null
    /// (lanes past <paramref name="count"/> repeat the last index and are dropped): arbitrary indices, e.g. a proof's,
    /// share the lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ComputeGroup(
        ulong* commitment, ulong n, ulong startIndex, ulong* indices, int count, byte* output, uint* v, int ways, int interleave,
        bool streamStores)
    {
        Debug.Assert(commitment != null && output != null && v != null, "commitment, output and scratch set");
        Debug.Assert(n >= 2 && BitOperations.IsPow2(n), "scrypt N is a power of two >= 2");
        Debug.Assert(interleave is 1 or 2 && ways >= interleave && ways % interleave == 0, "whole interleaved units");
        Debug.Assert(count >= 1 && count <= TOps.Lanes * ways, "1 … ways·Lanes outputs");
        Debug.Assert(((nuint)v & 63) == 0, "V rows are 64-byte aligned (streaming stores, whole cache lines)");
        int lanes = TOps.Lanes * ways;
        nint rowWords = 32 * lanes;
        nint groupWords = 32 * TOps.Lanes;
        nuint mask = (nuint)(n - 1);
        bool pipelined = ways > interleave;

        // HMAC key states of every lane (25 + 25 lanes each), kept for the final PBKDF2 step.
        ulong* keys = stackalloc ulong[lanes * 2 * LabelPbkdf.StateLanes];

        // The word-sliced blocks: 32 vectors per group, group g at x + 32·g, 64-byte aligned.
        byte* xRaw = stackalloc byte[(ways * 32 * sizeof(TVec)) + 64];
        TVec* x = (TVec*)(((nuint)xRaw + 63) & ~(nuint)63);
        uint** rows = stackalloc uint*[lanes];
        uint* j = stackalloc uint[TOps.Lanes];

        // PBKDF2 step 1 of each lane writes X straight into V[0] (lane-major), which is where loop 1 wants it.
        for (int k = 0; k < lanes; k++)
        {
            ulong* inner = keys + (k * 2 * LabelPbkdf.StateLanes);
            ulong* outer = inner + LabelPbkdf.StateLanes;
            LabelPbkdf.KeyStates(commitment, indices == null ? unchecked(startIndex + (ulong)k) : indices[Math.Min(k, count - 1)], inner, outer);
            LabelPbkdf.Expand(inner, outer, (ulong*)(v + (32 * k)));
            rows[k] = v + (32 * k);
        }

        new Span<byte>(x, ways * 32 * sizeof(TVec)).Clear();
        for (int g = 0; g < ways; g++)
        {
            LoadXor(rows + (g * TOps.Lanes), x + (32 * g));
        }

        // Loop 1: V[i] = BlockMix^i(X).
        uint* row = v;
        for (ulong i = 1; i < n; i++)
        {
            row += rowWords;
            for (int g = 0; g < ways; g += interleave)
            {
                Mix(x + (32 * g), interleave);
                for (int h = g; h < g + interleave; h++)
                {
                    StoreBlock(x + (32 * h), row + (h * groupWords), streamStores);
                }
            }
        }

        for (int g = 0; g < ways; g += interleave)
        {
            Mix(x + (32 * g), interleave);
        }

        // Loop 2: X = BlockMix(X xor V[Integerify(X) mod N]) with an independent j per lane.
        if (pipelined)
        {
            for (int g = 0; g < ways; g++)
            {
                FindRows(x + (32 * g), v + (g * groupWords), rowWords, mask, j, rows + (g * TOps.Lanes), prefetch: true);
            }
        }

        for (ulong i = 0; i < n; i++)
        {
            bool more = i + 1 < n;
            for (int g = 0; g < ways; g += interleave)
            {
                for (int h = g; h < g + interleave; h++)
                {
                    if (!pipelined)
                    {
                        FindRows(x + (32 * h), v + (h * groupWords), rowWords, mask, j, rows + (h * TOps.Lanes), prefetch: false);
                    }

                    LoadXor(rows + (h * TOps.Lanes), x + (32 * h));
                }

                Mix(x + (32 * g), interleave);
                if (pipelined && more)
                {
                    for (int h = g; h < g + interleave; h++)
                    {
                        FindRows(x + (32 * h), v + (h * groupWords), rowWords, mask, j, rows + (h * TOps.Lanes), prefetch: true);
                    }
                }
            }
        }

        // Back to lane-major (reusing V[0], no longer needed) and PBKDF2 step 3 per lane.
        for (int g = 0; g < ways; g++)
        {
            StoreBlock(x + (32 * g), v + (g * groupWords), false);
        }

        for (int k = 0; k < count; k++)
        {
            ulong* inner = keys + (k * 2 * LabelPbkdf.StateLanes);
            LabelPbkdf.Compress(inner, inner + LabelPbkdf.StateLanes, (ulong*)(v + (32 * k)), output + (32 * k));
        }
    }

    /// <summary>Writes the word-sliced block to a scratch row: lane k's 32 words at row + 32·k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock(TVec* x, uint* row, bool streamStores)
    {
        int lanes = TOps.Lanes;
        for (int s = 0; s < 32; s += lanes)
        {
            if (streamStores)
            {
                TOps.Transpose(new VectorLoad<TVec>(x + s), new StridedStoreNonTemporal<TVec>(row + s, 32));
            }
            else
            {
                TOps.Transpose(new VectorLoad<TVec>(x + s), new StridedStore<TVec>(row + s, 32));
            }
        }
    }

    /// <summary>
    /// rows[k] = V[j_k] of lane k of one group, j_k = word 16 of lane k mod N (Integerify); <paramref name="lane0"/>
    /// points at the group's first lane in row 0. Optionally prefetches both cache lines of every block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FindRows(TVec* x, uint* lane0, nint rowWords, nuint mask, uint* j, uint** rows, bool prefetch)
    {
        int lanes = TOps.Lanes;
        TOps.Store(j, x[16]);
        for (int k = 0; k < lanes; k++)
        {
            uint* block = lane0 + ((nint)((nuint)j[k] & mask) * rowWords) + (32 * k);
            rows[k] = block;
            if (prefetch && Sse.IsSupported)
            {
                Sse.Prefetch0(block);
                Sse.Prefetch0(block + 16);
            }
        }
    }

    /// <summary>X ^= the blocks at rows[k] (lane k), transposed into word slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadXor(uint** rows, TVec* x)
    {
        int lanes = TOps.Lanes;
        for (int s = 0; s < 32; s += lanes)
        {
            TOps.Transpose(new RowLoad<TVec>(rows, s), new XorStore<TVec, TOps>(x + s));
        }
    }

    /// <summary>BlockMix of one group, or of two interleaved groups at x and x + 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(TVec* x, int interleave)
    {
        if (interleave == 2)
        {
            BlockMix2(x, x + 32);
        }
        else
        {
            BlockMix(x);
        }
    }

    /// <summary>BlockMix for r = 1: Y0 = ChaCha8(B0 ⊕ B1), Y1 = ChaCha8(Y0 ⊕ B1); result (Y0, Y1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void BlockMix(TVec* x)
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

    /// <summary>Two independent BlockMix operations (groups A and B), interleaved for instruction-level parallelism.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void BlockMix2(TVec* xa, TVec* xb)
    {
        ChaCha8Xor2(xa, xa + 16, xb, xb + 16);
        ChaCha8Xor2(xa + 16, xa, xb + 16, xb);
    }

    /// <summary>a = ChaCha20/8(a ⊕ aOther) and b = ChaCha20/8(b ⊕ bOther), statement by statement interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChaCha8Xor2(TVec* a, TVec* aOther, TVec* b, TVec* bOther)
    {
        TVec x0 = TOps.Xor(a[0], aOther[0]);
        a[0] = x0;
        TVec y0 = TOps.Xor(b[0], bOther[0]);
        b[0] = y0;
        TVec x1 = TOps.Xor(a[1], aOther[1]);
        a[1] = x1;
        TVec y1 = TOps.Xor(b[1], bOther[1]);
        b[1] = y1;
        TVec x2 = TOps.Xor(a[2], aOther[2]);
        a[2] = x2;
        TVec y2 = TOps.Xor(b[2], bOther[2]);
        b[2] = y2;
        TVec x3 = TOps.Xor(a[3], aOther[3]);
        a[3] = x3;
        TVec y3 = TOps.Xor(b[3], bOther[3]);
        b[3] = y3;
        TVec x4 = TOps.Xor(a[4], aOther[4]);
        a[4] = x4;
        TVec y4 = TOps.Xor(b[4], bOther[4]);
        b[4] = y4;
        TVec x5 = TOps.Xor(a[5], aOther[5]);
        a[5] = x5;
        TVec y5 = TOps.Xor(b[5], bOther[5]);
        b[5] = y5;
        TVec x6 = TOps.Xor(a[6], aOther[6]);
        a[6] = x6;
        TVec y6 = TOps.Xor(b[6], bOther[6]);
        b[6] = y6;
        TVec x7 = TOps.Xor(a[7], aOther[7]);
        a[7] = x7;
        TVec y7 = TOps.Xor(b[7], bOther[7]);
        b[7] = y7;
        TVec x8 = TOps.Xor(a[8], aOther[8]);
        a[8] = x8;
        TVec y8 = TOps.Xor(b[8], bOther[8]);
        b[8] = y8;
        TVec x9 = TOps.Xor(a[9], aOther[9]);
        a[9] = x9;
        TVec y9 = TOps.Xor(b[9], bOther[9]);
        b[9] = y9;
        TVec x10 = TOps.Xor(a[10], aOther[10]);
        a[10] = x10;
        TVec y10 = TOps.Xor(b[10], bOther[10]);
        b[10] = y10;
        TVec x11 = TOps.Xor(a[11], aOther[11]);
        a[11] = x11;
        TVec y11 = TOps.Xor(b[11], bOther[11]);
        b[11] = y11;
        TVec x12 = TOps.Xor(a[12], aOther[12]);
        a[12] = x12;
        TVec y12 = TOps.Xor(b[12], bOther[12]);
        b[12] = y12;
        TVec x13 = TOps.Xor(a[13], aOther[13]);
        a[13] = x13;
        TVec y13 = TOps.Xor(b[13], bOther[13]);
        b[13] = y13;
        TVec x14 = TOps.Xor(a[14], aOther[14]);
        a[14] = x14;
        TVec y14 = TOps.Xor(b[14], bOther[14]);
        b[14] = y14;
        TVec x15 = TOps.Xor(a[15], aOther[15]);
        a[15] = x15;
        TVec y15 = TOps.Xor(b[15], bOther[15]);
        b[15] = y15;

        for (int round = 0; round < 4; round++)
        {
            x0 = TOps.Add(x0, x4);
            y0 = TOps.Add(y0, y4);
            x12 = TOps.RotateLeft16(TOps.Xor(x12, x0));
            y12 = TOps.RotateLeft16(TOps.Xor(y12, y0));
            x1 = TOps.Add(x1, x5);
            y1 = TOps.Add(y1, y5);
            x13 = TOps.RotateLeft16(TOps.Xor(x13, x1));
            y13 = TOps.RotateLeft16(TOps.Xor(y13, y1));
            x2 = TOps.Add(x2, x6);
            y2 = TOps.Add(y2, y6);
            x14 = TOps.RotateLeft16(TOps.Xor(x14, x2));
            y14 = TOps.RotateLeft16(TOps.Xor(y14, y2));
            x3 = TOps.Add(x3, x7);
            y3 = TOps.Add(y3, y7);
            x15 = TOps.RotateLeft16(TOps.Xor(x15, x3));
            y15 = TOps.RotateLeft16(TOps.Xor(y15, y3));
            x8 = TOps.Add(x8, x12);
            y8 = TOps.Add(y8, y12);
            x4 = TOps.RotateLeft12(TOps.Xor(x4, x8));
            y4 = TOps.RotateLeft12(TOps.Xor(y4, y8));
            x9 = TOps.Add(x9, x13);
            y9 = TOps.Add(y9, y13);
            x5 = TOps.RotateLeft12(TOps.Xor(x5, x9));
            y5 = TOps.RotateLeft12(TOps.Xor(y5, y9));
            x10 = TOps.Add(x10, x14);
            y10 = TOps.Add(y10, y14);
            x6 = TOps.RotateLeft12(TOps.Xor(x6, x10));
            y6 = TOps.RotateLeft12(TOps.Xor(y6, y10));
            x11 = TOps.Add(x11, x15);
            y11 = TOps.Add(y11, y15);
            x7 = TOps.RotateLeft12(TOps.Xor(x7, x11));
            y7 = TOps.RotateLeft12(TOps.Xor(y7, y11));
            x0 = TOps.Add(x0, x4);
            y0 = TOps.Add(y0, y4);
            x12 = TOps.RotateLeft8(TOps.Xor(x12, x0));
            y12 = TOps.RotateLeft8(TOps.Xor(y12, y0));
            x1 = TOps.Add(x1, x5);
            y1 = TOps.Add(y1, y5);
            x13 = TOps.RotateLeft8(TOps.Xor(x13, x1));
            y13 = TOps.RotateLeft8(TOps.Xor(y13, y1));
            x2 = TOps.Add(x2, x6);
            y2 = TOps.Add(y2, y6);
            x14 = TOps.RotateLeft8(TOps.Xor(x14, x2));
            y14 = TOps.RotateLeft8(TOps.Xor(y14, y2));
            x3 = TOps.Add(x3, x7);
            y3 = TOps.Add(y3, y7);
            x15 = TOps.RotateLeft8(TOps.Xor(x15, x3));
            y15 = TOps.RotateLeft8(TOps.Xor(y15, y3));
            x8 = TOps.Add(x8, x12);
            y8 = TOps.Add(y8, y12);
            x4 = TOps.RotateLeft7(TOps.Xor(x4, x8));
            y4 = TOps.RotateLeft7(TOps.Xor(y4, y8));
            x9 = TOps.Add(x9, x13);
            y9 = TOps.Add(y9, y13);
            x5 = TOps.RotateLeft7(TOps.Xor(x5, x9));
            y5 = TOps.RotateLeft7(TOps.Xor(y5, y9));
            x10 = TOps.Add(x10, x14);
            y10 = TOps.Add(y10, y14);
            x6 = TOps.RotateLeft7(TOps.Xor(x6, x10));
            y6 = TOps.RotateLeft7(TOps.Xor(y6, y10));
            x11 = TOps.Add(x11, x15);
            y11 = TOps.Add(y11, y15);
            x7 = TOps.RotateLeft7(TOps.Xor(x7, x11));
            y7 = TOps.RotateLeft7(TOps.Xor(y7, y11));
            x0 = TOps.Add(x0, x5);
            y0 = TOps.Add(y0, y5);
            x15 = TOps.RotateLeft16(TOps.Xor(x15, x0));
            y15 = TOps.RotateLeft16(TOps.Xor(y15, y0));
            x1 = TOps.Add(x1, x6);
            y1 = TOps.Add(y1, y6);
            x12 = TOps.RotateLeft16(TOps.Xor(x12, x1));
            y12 = TOps.RotateLeft16(TOps.Xor(y12, y1));
            x2 = TOps.Add(x2, x7);
            y2 = TOps.Add(y2, y7);
            x13 = TOps.RotateLeft16(TOps.Xor(x13, x2));
            y13 = TOps.RotateLeft16(TOps.Xor(y13, y2));
            x3 = TOps.Add(x3, x4);
            y3 = TOps.Add(y3, y4);
            x14 = TOps.RotateLeft16(TOps.Xor(x14, x3));
            y14 = TOps.RotateLeft16(TOps.Xor(y14, y3));
            x10 = TOps.Add(x10, x15);
            y10 = TOps.Add(y10, y15);
            x5 = TOps.RotateLeft12(TOps.Xor(x5, x10));
            y5 = TOps.RotateLeft12(TOps.Xor(y5, y10));
            x11 = TOps.Add(x11, x12);
            y11 = TOps.Add(y11, y12);
            x6 = TOps.RotateLeft12(TOps.Xor(x6, x11));
            y6 = TOps.RotateLeft12(TOps.Xor(y6, y11));
            x8 = TOps.Add(x8, x13);
            y8 = TOps.Add(y8, y13);
            x7 = TOps.RotateLeft12(TOps.Xor(x7, x8));
            y7 = TOps.RotateLeft12(TOps.Xor(y7, y8));
            x9 = TOps.Add(x9, x14);
            y9 = TOps.Add(y9, y14);
            x4 = TOps.RotateLeft12(TOps.Xor(x4, x9));
            y4 = TOps.RotateLeft12(TOps.Xor(y4, y9));
            x0 = TOps.Add(x0, x5);
            y0 = TOps.Add(y0, y5);
            x15 = TOps.RotateLeft8(TOps.Xor(x15, x0));
            y15 = TOps.RotateLeft8(TOps.Xor(y15, y0));
            x1 = TOps.Add(x1, x6);
            y1 = TOps.Add(y1, y6);
            x12 = TOps.RotateLeft8(TOps.Xor(x12, x1));
            y12 = TOps.RotateLeft8(TOps.Xor(y12, y1));
            x2 = TOps.Add(x2, x7);
            y2 = TOps.Add(y2, y7);
            x13 = TOps.RotateLeft8(TOps.Xor(x13, x2));
            y13 = TOps.RotateLeft8(TOps.Xor(y13, y2));
            x3 = TOps.Add(x3, x4);
            y3 = TOps.Add(y3, y4);
            x14 = TOps.RotateLeft8(TOps.Xor(x14, x3));
            y14 = TOps.RotateLeft8(TOps.Xor(y14, y3));
            x10 = TOps.Add(x10, x15);
            y10 = TOps.Add(y10, y15);
            x5 = TOps.RotateLeft7(TOps.Xor(x5, x10));
            y5 = TOps.RotateLeft7(TOps.Xor(y5, y10));
            x11 = TOps.Add(x11, x12);
            y11 = TOps.Add(y11, y12);
            x6 = TOps.RotateLeft7(TOps.Xor(x6, x11));
            y6 = TOps.RotateLeft7(TOps.Xor(y6, y11));
            x8 = TOps.Add(x8, x13);
            y8 = TOps.Add(y8, y13);
            x7 = TOps.RotateLeft7(TOps.Xor(x7, x8));
            y7 = TOps.RotateLeft7(TOps.Xor(y7, y8));
            x9 = TOps.Add(x9, x14);
            y9 = TOps.Add(y9, y14);
            x4 = TOps.RotateLeft7(TOps.Xor(x4, x9));
            y4 = TOps.RotateLeft7(TOps.Xor(y4, y9));
        }

        a[0] = TOps.Add(a[0], x0);
        b[0] = TOps.Add(b[0], y0);
        a[1] = TOps.Add(a[1], x1);
        b[1] = TOps.Add(b[1], y1);
        a[2] = TOps.Add(a[2], x2);
        b[2] = TOps.Add(b[2], y2);
        a[3] = TOps.Add(a[3], x3);
        b[3] = TOps.Add(b[3], y3);
        a[4] = TOps.Add(a[4], x4);
        b[4] = TOps.Add(b[4], y4);
        a[5] = TOps.Add(a[5], x5);
        b[5] = TOps.Add(b[5], y5);
        a[6] = TOps.Add(a[6], x6);
        b[6] = TOps.Add(b[6], y6);
        a[7] = TOps.Add(a[7], x7);
        b[7] = TOps.Add(b[7], y7);
        a[8] = TOps.Add(a[8], x8);
        b[8] = TOps.Add(b[8], y8);
        a[9] = TOps.Add(a[9], x9);
        b[9] = TOps.Add(b[9], y9);
        a[10] = TOps.Add(a[10], x10);
        b[10] = TOps.Add(b[10], y10);
        a[11] = TOps.Add(a[11], x11);
        b[11] = TOps.Add(b[11], y11);
        a[12] = TOps.Add(a[12], x12);
        b[12] = TOps.Add(b[12], y12);
        a[13] = TOps.Add(a[13], x13);
        b[13] = TOps.Add(b[13], y13);
        a[14] = TOps.Add(a[14], x14);
        b[14] = TOps.Add(b[14], y14);
        a[15] = TOps.Add(a[15], x15);
        b[15] = TOps.Add(b[15], y15);
    }
}
