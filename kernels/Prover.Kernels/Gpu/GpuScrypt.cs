// scrypt-jane (Keccak-512 HMAC/PBKDF2 + ChaCha20/8 BlockMix, r = 1, p = 1) for one label per GPU thread, written as
// scalar per-thread code for ILGPU: every value lives in locals/struct fields (registers on a GPU), no arrays and no
// managed allocation. The only memory a thread touches is its own slice of the scratch (V) buffer and its 32-byte output.
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Prover.Kernels.Gpu;

/// <summary>Sixteen 32-bit words: one 64-byte scrypt block (r = 1 ⇒ a chunk is two of these).</summary>
internal struct Block16
{
    public uint W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15;
}

/// <summary>Four 32-bit words: the 16-byte unit in which scratch blocks are stored and loaded.</summary>
internal struct U4
{
    public uint X, Y, Z, W;
}

/// <summary>Per-launch arguments: the commitment (4 LE lanes), the first label index and the batch geometry.</summary>
internal struct LabelBatchArgs
{
    public ulong C0, C1, C2, C3;
    public ulong StartIndex;
    /// <summary>Labels computed by this launch (threads at or past it return at once).</summary>
    public int Count;
    /// <summary>Threads the scratch buffer is laid out for (≥ Count).</summary>
    public int Slots;
}

/// <summary>How the scratch blocks of all threads are arranged in device memory.</summary>
public enum ScratchLayout
{
    /// <summary>V[block][thread][128 B]: the first loop writes one contiguous run per warp; each random read is one
    /// thread's own 128 contiguous bytes (four full 32-byte sectors, no wasted bytes).</summary>
    BlockMajor = 0,
    /// <summary>V[thread][block][128 B]: each thread owns one contiguous region (classic CPU-style layout).</summary>
    ThreadMajor = 1,
    /// <summary>V[block][16-byte word][thread]: fully coalesced writes, but a random read uses only half of each
    /// 32-byte sector it touches.</summary>
    Interleaved16 = 2,
}

/// <summary>How the second ROMix loop recomputes the blocks that a lookup gap left out.</summary>
public enum RecomputeMode
{
    /// <summary>Each iteration: load V[j − j mod g], run the j mod g missing BlockMix steps, then the main step. Threads of
    /// a warp diverge on j mod g, so a warp pays for the largest of its 32 recompute counts every iteration.</summary>
    Lockstep = 0,
    /// <summary>Every loop turn runs exactly one BlockMix per thread, either a recompute step or the main step, so the
    /// threads of a warp never wait for each other's recomputation (cost ≈ the mean, not the maximum, of j mod g).</summary>
    Interleaved = 1,
}

/// <summary>Device functions and the label kernel.</summary>
internal static class GpuScrypt
{
    private const ulong InnerPad = 0x3636363636363636UL;
    private const ulong OuterPad = 0x5C5C5C5C5C5C5C5CUL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Rotl(uint v, int c) => (v << c) | (v >> (32 - c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRound(ref uint a, ref uint b, ref uint c, ref uint d)
    {
        a += b; d = Rotl(d ^ a, 16);
        c += d; b = Rotl(b ^ c, 12);
        a += b; d = Rotl(d ^ a, 8);
        c += d; b = Rotl(b ^ c, 7);
    }

    /// <summary>b ← ChaCha20/8(b): four double rounds on a copy, then the feed-forward add (no constants, no nonce).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ChaCha8(ref Block16 b)
    {
        uint x0 = b.W0, x1 = b.W1, x2 = b.W2, x3 = b.W3, x4 = b.W4, x5 = b.W5, x6 = b.W6, x7 = b.W7;
        uint x8 = b.W8, x9 = b.W9, x10 = b.W10, x11 = b.W11, x12 = b.W12, x13 = b.W13, x14 = b.W14, x15 = b.W15;
        for (int i = 0; i < 4; i++)
        {
            QuarterRound(ref x0, ref x4, ref x8, ref x12);
            QuarterRound(ref x1, ref x5, ref x9, ref x13);
            QuarterRound(ref x2, ref x6, ref x10, ref x14);
            QuarterRound(ref x3, ref x7, ref x11, ref x15);
            QuarterRound(ref x0, ref x5, ref x10, ref x15);
            QuarterRound(ref x1, ref x6, ref x11, ref x12);
            QuarterRound(ref x2, ref x7, ref x8, ref x13);
            QuarterRound(ref x3, ref x4, ref x9, ref x14);
        }
        b.W0 += x0; b.W1 += x1; b.W2 += x2; b.W3 += x3; b.W4 += x4; b.W5 += x5; b.W6 += x6; b.W7 += x7;
        b.W8 += x8; b.W9 += x9; b.W10 += x10; b.W11 += x11; b.W12 += x12; b.W13 += x13; b.W14 += x14; b.W15 += x15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(ref Block16 a, in Block16 b)
    {
        a.W0 ^= b.W0; a.W1 ^= b.W1; a.W2 ^= b.W2; a.W3 ^= b.W3; a.W4 ^= b.W4; a.W5 ^= b.W5; a.W6 ^= b.W6; a.W7 ^= b.W7;
        a.W8 ^= b.W8; a.W9 ^= b.W9; a.W10 ^= b.W10; a.W11 ^= b.W11; a.W12 ^= b.W12; a.W13 ^= b.W13; a.W14 ^= b.W14;
        a.W15 ^= b.W15;
    }

    /// <summary>a ← a ⊕ (b ∧ mask), word by word (one LOP3 per word on NVIDIA GPUs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorMasked(ref Block16 a, in Block16 b, uint mask)
    {
        a.W0 ^= b.W0 & mask; a.W1 ^= b.W1 & mask; a.W2 ^= b.W2 & mask; a.W3 ^= b.W3 & mask;
        a.W4 ^= b.W4 & mask; a.W5 ^= b.W5 & mask; a.W6 ^= b.W6 & mask; a.W7 ^= b.W7 & mask;
        a.W8 ^= b.W8 & mask; a.W9 ^= b.W9 & mask; a.W10 ^= b.W10 & mask; a.W11 ^= b.W11 & mask;
        a.W12 ^= b.W12 & mask; a.W13 ^= b.W13 & mask; a.W14 ^= b.W14 & mask; a.W15 ^= b.W15 & mask;
    }

    /// <summary>a ← (a ∧ ¬mask) ∨ (b ∧ mask), word by word: b where mask is all ones (one LOP3 per word).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select(ref Block16 a, in Block16 b, uint mask)
    {
        a.W0 = (a.W0 & ~mask) | (b.W0 & mask); a.W1 = (a.W1 & ~mask) | (b.W1 & mask);
        a.W2 = (a.W2 & ~mask) | (b.W2 & mask); a.W3 = (a.W3 & ~mask) | (b.W3 & mask);
        a.W4 = (a.W4 & ~mask) | (b.W4 & mask); a.W5 = (a.W5 & ~mask) | (b.W5 & mask);
        a.W6 = (a.W6 & ~mask) | (b.W6 & mask); a.W7 = (a.W7 & ~mask) | (b.W7 & mask);
        a.W8 = (a.W8 & ~mask) | (b.W8 & mask); a.W9 = (a.W9 & ~mask) | (b.W9 & mask);
        a.W10 = (a.W10 & ~mask) | (b.W10 & mask); a.W11 = (a.W11 & ~mask) | (b.W11 & mask);
        a.W12 = (a.W12 & ~mask) | (b.W12 & mask); a.W13 = (a.W13 & ~mask) | (b.W13 & mask);
        a.W14 = (a.W14 & ~mask) | (b.W14 & mask); a.W15 = (a.W15 & ~mask) | (b.W15 & mask);
    }

    /// <summary>scrypt BlockMix for r = 1: Y0 = ChaCha8(B1 ⊕ B0), Y1 = ChaCha8(Y0 ⊕ B1), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlockMix(ref Block16 b0, ref Block16 b1)
    {
        Xor(ref b0, b1);
        ChaCha8(ref b0);
        Xor(ref b1, b0);
        ChaCha8(ref b1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lane(uint lo, uint hi) => lo | ((ulong)hi << 32);

    /// <summary>Keccak state after absorbing the HMAC key block (password ⊕ pad); the password is exactly one 72-byte
    /// block: commitment lanes, LE64 index, four zero lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KeccakState KeyState(in LabelBatchArgs args, ulong index, ulong pad)
    {
        KeccakState s = default;
        s.A00 = args.C0 ^ pad;
        s.A01 = args.C1 ^ pad;
        s.A02 = args.C2 ^ pad;
        s.A03 = args.C3 ^ pad;
        s.A04 = index ^ pad;
        s.A05 = pad;
        s.A06 = pad;
        s.A07 = pad;
        s.A08 = pad;
        GpuKeccak.Permute(ref s);
        return s;
    }

    /// <summary>Outer HMAC hash: absorb the 64-byte inner digest (lanes 0…7 of <paramref name="inner"/>) plus padding into
    /// the opad key state and permute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static KeccakState Outer(in KeccakState outerKey, in KeccakState inner)
    {
        KeccakState o = outerKey;
        o.A00 ^= inner.A00;
        o.A01 ^= inner.A01;
        o.A02 ^= inner.A02;
        o.A03 ^= inner.A03;
        o.A04 ^= inner.A04;
        o.A05 ^= inner.A05;
        o.A06 ^= inner.A06;
        o.A07 ^= inner.A07;
        o.A08 ^= 0x8000000000000001UL; // pad byte 0x01 at offset 64, 0x80 at offset 71
        GpuKeccak.Permute(ref o);
        return o;
    }

    /// <summary>PBKDF2 block <paramref name="counter"/> (1 or 2) with an empty salt: HMAC(P, BE32(counter)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pbkdf2Block(in KeccakState innerKey, in KeccakState outerKey, uint counter, ref Block16 dst)
    {
        KeccakState s = innerKey;
        // bytes 0..3 = BE32(counter) (counter < 256), byte 4 = 0x01 pad; byte 71 |= 0x80
        s.A00 ^= ((ulong)counter << 24) | (1UL << 32);
        s.A08 ^= 0x8000000000000000UL;
        GpuKeccak.Permute(ref s);
        KeccakState o = Outer(outerKey, s);
        dst.W0 = (uint)o.A00; dst.W1 = (uint)(o.A00 >> 32);
        dst.W2 = (uint)o.A01; dst.W3 = (uint)(o.A01 >> 32);
        dst.W4 = (uint)o.A02; dst.W5 = (uint)(o.A02 >> 32);
        dst.W6 = (uint)o.A03; dst.W7 = (uint)(o.A03 >> 32);
        dst.W8 = (uint)o.A04; dst.W9 = (uint)(o.A04 >> 32);
        dst.W10 = (uint)o.A05; dst.W11 = (uint)(o.A05 >> 32);
        dst.W12 = (uint)o.A06; dst.W13 = (uint)(o.A06 >> 32);
        dst.W14 = (uint)o.A07; dst.W15 = (uint)(o.A07 >> 32);
    }

    /// <summary>Final PBKDF2 step: HMAC(P, X ‖ BE32(1)) with X the 128-byte ROMix output; returns the outer state, whose
    /// lanes 0…3 are the 32-byte label output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KeccakState FinalHmac(in KeccakState innerKey, in KeccakState outerKey, in Block16 x0, in Block16 x1)
    {
        KeccakState s = innerKey;
        // message bytes 0..71
        s.A00 ^= Lane(x0.W0, x0.W1);
        s.A01 ^= Lane(x0.W2, x0.W3);
        s.A02 ^= Lane(x0.W4, x0.W5);
        s.A03 ^= Lane(x0.W6, x0.W7);
        s.A04 ^= Lane(x0.W8, x0.W9);
        s.A05 ^= Lane(x0.W10, x0.W11);
        s.A06 ^= Lane(x0.W12, x0.W13);
        s.A07 ^= Lane(x0.W14, x0.W15);
        s.A08 ^= Lane(x1.W0, x1.W1);
        GpuKeccak.Permute(ref s);
        // message bytes 72..127, then BE32(1) at 128..131, pad 0x01 at 132, 0x80 at the block's last byte
        s.A00 ^= Lane(x1.W2, x1.W3);
        s.A01 ^= Lane(x1.W4, x1.W5);
        s.A02 ^= Lane(x1.W6, x1.W7);
        s.A03 ^= Lane(x1.W8, x1.W9);
        s.A04 ^= Lane(x1.W10, x1.W11);
        s.A05 ^= Lane(x1.W12, x1.W13);
        s.A06 ^= Lane(x1.W14, x1.W15);
        s.A07 ^= 0x0000000101000000UL;
        s.A08 ^= 0x8000000000000000UL;
        GpuKeccak.Permute(ref s);
        return Outer(outerKey, s);
    }

    /// <summary>Index (in 16-byte units) of the first unit of stored block <paramref name="k"/> of thread
    /// <paramref name="t"/>, and the distance between its consecutive units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long BlockBase(int layout, long k, int t, int slots, int storedBlocks, out long unitStride)
    {
        if (layout == (int)ScratchLayout.ThreadMajor)
        {
            unitStride = 1;
            return ((long)t * storedBlocks + k) * 8;
        }
        if (layout == (int)ScratchLayout.Interleaved16)
        {
            unitStride = slots;
            return k * 8 * slots + t;
        }
        unitStride = 1;
        return (k * slots + t) * 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ArrayView<U4> v, long b, long s, in Block16 x0, in Block16 x1)
    {
        U4 u;
        u.X = x0.W0; u.Y = x0.W1; u.Z = x0.W2; u.W = x0.W3; v[b] = u;
        u.X = x0.W4; u.Y = x0.W5; u.Z = x0.W6; u.W = x0.W7; v[b + s] = u;
        u.X = x0.W8; u.Y = x0.W9; u.Z = x0.W10; u.W = x0.W11; v[b + 2 * s] = u;
        u.X = x0.W12; u.Y = x0.W13; u.Z = x0.W14; u.W = x0.W15; v[b + 3 * s] = u;
        u.X = x1.W0; u.Y = x1.W1; u.Z = x1.W2; u.W = x1.W3; v[b + 4 * s] = u;
        u.X = x1.W4; u.Y = x1.W5; u.Z = x1.W6; u.W = x1.W7; v[b + 5 * s] = u;
        u.X = x1.W8; u.Y = x1.W9; u.Z = x1.W10; u.W = x1.W11; v[b + 6 * s] = u;
        u.X = x1.W12; u.Y = x1.W13; u.Z = x1.W14; u.W = x1.W15; v[b + 7 * s] = u;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(ArrayView<U4> v, long b, long s, out Block16 x0, out Block16 x1)
    {
        U4 u0 = v[b], u1 = v[b + s], u2 = v[b + 2 * s], u3 = v[b + 3 * s];
        U4 u4 = v[b + 4 * s], u5 = v[b + 5 * s], u6 = v[b + 6 * s], u7 = v[b + 7 * s];
        x0.W0 = u0.X; x0.W1 = u0.Y; x0.W2 = u0.Z; x0.W3 = u0.W;
        x0.W4 = u1.X; x0.W5 = u1.Y; x0.W6 = u1.Z; x0.W7 = u1.W;
        x0.W8 = u2.X; x0.W9 = u2.Y; x0.W10 = u2.Z; x0.W11 = u2.W;
        x0.W12 = u3.X; x0.W13 = u3.Y; x0.W14 = u3.Z; x0.W15 = u3.W;
        x1.W0 = u4.X; x1.W1 = u4.Y; x1.W2 = u4.Z; x1.W3 = u4.W;
        x1.W4 = u5.X; x1.W5 = u5.Y; x1.W6 = u5.Z; x1.W7 = u5.W;
        x1.W8 = u6.X; x1.W9 = u6.Y; x1.W10 = u6.Z; x1.W11 = u6.W;
        x1.W12 = u7.X; x1.W13 = u7.Y; x1.W14 = u7.Z; x1.W15 = u7.W;
    }

    // The label is computed by three kernels on one stream, each with its own register budget: the Keccak phases need
    // ~200 registers per thread (two 25-lane HMAC key states plus the permutation's temporaries), ROMix far fewer; in
    // one kernel the Keccak peak would set the register count, and so the occupancy, of the memory-latency-bound
    // ROMix loop. X (128 bytes per label) passes between them through a small device buffer.

    /// <summary>Kernel 1: X = PBKDF2-HMAC-Keccak512(P, "", 1, 128) for label StartIndex + t, into x[8t … 8t + 7].</summary>
    public static void Pbkdf2Kernel(ArrayView<U4> x, LabelBatchArgs args)
    {
        int t = Grid.GlobalIndex.X;
        if (t >= args.Count)
            return;
        ulong index = args.StartIndex + (ulong)t;
        KeccakState innerKey = KeyState(args, index, InnerPad);
        KeccakState outerKey = KeyState(args, index, OuterPad);
        Block16 x0 = default, x1 = default;
        Pbkdf2Block(innerKey, outerKey, 1, ref x0);
        Pbkdf2Block(innerKey, outerKey, 2, ref x1);
        Store(x, t * 8L, 1, x0, x1);
    }

    /// <summary>Kernel 3: out32 = HMAC(P, X ‖ BE32(1))[0..32] into output[8t … 8t + 7] (LE words).</summary>
    public static void FinalKernel(ArrayView<U4> x, ArrayView<uint> output, LabelBatchArgs args)
    {
        int t = Grid.GlobalIndex.X;
        if (t >= args.Count)
            return;
        ulong index = args.StartIndex + (ulong)t;
        Load(x, t * 8L, 1, out Block16 x0, out Block16 x1);
        KeccakState result = FinalHmac(KeyState(args, index, InnerPad), KeyState(args, index, OuterPad), x0, x1);
        int o = t * 8;
        output[o] = (uint)result.A00;
        output[o + 1] = (uint)(result.A00 >> 32);
        output[o + 2] = (uint)result.A01;
        output[o + 3] = (uint)(result.A01 >> 32);
        output[o + 4] = (uint)result.A02;
        output[o + 5] = (uint)(result.A02 >> 32);
        output[o + 6] = (uint)result.A03;
        output[o + 7] = (uint)(result.A03 >> 32);
    }

    /// <summary>
    /// Kernel 2: ROMix of thread t's X (x[8t … 8t + 7], in place). <paramref name="n"/> is scrypt N (a power of two),
    /// <paramref name="gap"/> the lookup gap (a power of two ≤ N), <paramref name="layout"/> a
    /// <see cref="ScratchLayout"/> and <paramref name="mode"/> a <see cref="RecomputeMode"/>; all four are compile-time
    /// constants of the specialised kernel. The scratch view holds Slots × N/gap blocks of 128 bytes.
    /// </summary>
    public static void RomixKernel(ArrayView<U4> scratch, ArrayView<U4> x, LabelBatchArgs args,
        SpecializedValue<int> n, SpecializedValue<int> gap, SpecializedValue<int> layout, SpecializedValue<int> mode) =>
        Romix(scratch, x, args, n, gap, layout, mode);

    /// <summary>The ROMix kernel with its four constants read from <see cref="PtxShape"/>'s mutable static fields,
    /// which ILGPU inlines at compile time when the context allows it; used only to produce PTX for inspection without
    /// a GPU (specialised launchers compile lazily inside ILGPU and do not expose their PTX).</summary>
    public static void InspectionKernel(ArrayView<U4> scratch, ArrayView<U4> x, LabelBatchArgs args) =>
        Romix(scratch, x, args, PtxShape.N, PtxShape.Gap, PtxShape.Layout, PtxShape.Mode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Romix(ArrayView<U4> scratch, ArrayView<U4> x, LabelBatchArgs args, int nn, int g, int lay,
        int mode)
    {
        int t = Grid.GlobalIndex.X;
        bool interleaved = g > 1 && mode == (int)RecomputeMode.Interleaved;
        // The interleaved loop synchronises the group every turn, so there every thread of the group stays.
        if (!interleaved && t >= args.Count)
            return;
        bool active = t < args.Count;
        int stored = nn / g;
        uint mask = (uint)(nn - 1);
        uint gapMask = (uint)(g - 1);
        int gapShift = Log2(g);

        Block16 x0 = default, x1 = default;
        if (active)
        {
            Load(x, t * 8L, 1, out x0, out x1);
            // Loop 1: V[i] = X; X = BlockMix(X) for i < N, keeping every g-th V.
            for (int k = 0; k < stored; k++)
            {
                long b = BlockBase(lay, k, t, args.Slots, stored, out long s);
                Store(scratch, b, s, x0, x1);
                for (int r = 0; r < g; r++)
                    BlockMix(ref x0, ref x1);
            }
        }

        // Loop 2: N times j = Integerify(X) mod N; X = BlockMix(X ⊕ V[j]).
        if (!interleaved)
        {
            for (int i = 0; i < nn; i++)
            {
                uint j = x1.W0 & mask;
                long b = BlockBase(lay, j >> gapShift, t, args.Slots, stored, out long s);
                Load(scratch, b, s, out Block16 v0, out Block16 v1);
                for (uint r = j & gapMask; r > 0; r--)
                    BlockMix(ref v0, ref v1);
                Xor(ref x0, v0);
                Xor(ref x1, v1);
                BlockMix(ref x0, ref x1);
            }
            Store(x, t * 8L, 1, x0, x1);
            return;
        }

        // Interleaved recompute: every turn runs exactly one BlockMix on (t0, t1) per thread, either a recompute step
        // (while 'pending' > 0) or the main step on X ⊕ V[j], after which X takes the result and the next V block is
        // loaded. The choice uses masks (one LOP3 per word) rather than branches, and the group barrier at the top of
        // each turn puts diverged threads (those that just loaded) back in step before the next BlockMix.
        int done = active ? 0 : nn;
        Block16 t0 = default, t1 = default;
        uint pending = 0;
        if (active)
        {
            uint j0 = x1.W0 & mask;
            long b0 = BlockBase(lay, j0 >> gapShift, t, args.Slots, stored, out long s0);
            Load(scratch, b0, s0, out t0, out t1);
            pending = j0 & gapMask;
        }
        while (Group.BarrierOr(done < nn))
        {
            if (done < nn)
            {
                uint main = (uint)(((int)pending - 1) >> 31); // all ones when pending == 0 (pending ≤ 7)
                XorMasked(ref t0, x0, main);
                XorMasked(ref t1, x1, main);
                BlockMix(ref t0, ref t1);
                Select(ref x0, t0, main);
                Select(ref x1, t1, main);
                done += (int)(main & 1);
                uint j = x1.W0 & mask;
                if (main != 0 && done < nn)
                {
                    long b = BlockBase(lay, j >> gapShift, t, args.Slots, stored, out long s);
                    Load(scratch, b, s, out t0, out t1);
                }
                pending = ((j & gapMask) & main) | ((pending - 1) & ~main);
            }
        }
        if (active)
            Store(x, t * 8L, 1, x0, x1);
    }

    /// <summary>Constants of <see cref="InspectionKernel"/> (set under a lock by <see cref="GpuKernelInspector"/>).</summary>
    internal static class PtxShape
    {
#pragma warning disable CA2211 // mutable on purpose: ILGPU inlines their values when it compiles the inspection kernel
        public static int N = 8192;
        public static int Gap = 1;
        public static int Layout;
        public static int Mode = 1;
#pragma warning restore CA2211
    }

    /// <summary>log2 of a power of two up to 2^7 (lookup gaps); folds to a constant when <paramref name="g"/> is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Log2(int g) =>
        g >= 128 ? 7 : g >= 64 ? 6 : g >= 32 ? 5 : g >= 16 ? 4 : g >= 8 ? 3 : g >= 4 ? 2 : g >= 2 ? 1 : 0;
}
