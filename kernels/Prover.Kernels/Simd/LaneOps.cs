using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prover.Kernels.Simd;

/// <summary>
/// Word-sliced operations on <c>Lanes</c> independent scrypt instances: element k of every vector belongs to lane k.
/// One struct per width implements this with static abstract members (the pattern of System.Numerics.Tensors'
/// operator structs), so the generic scrypt core is specialised and fully inlined by the JIT for each width.
/// Every implementation is correct whether or not its width is hardware accelerated: the intrinsic paths are guarded by
/// <c>IsSupported</c> checks that the JIT folds to constants, the fallbacks use portable operators or scalar code.
/// </summary>
/// <typeparam name="TVec">The register type (a vector of <c>uint</c>, or <c>uint</c> itself for one lane).</typeparam>
internal unsafe interface ILaneOps<TVec>
    where TVec : unmanaged
{
    /// <summary>Number of lanes (labels computed side by side).</summary>
    static abstract int Lanes { get; }

    /// <summary>Whether this width runs two lane groups interleaved (see <see cref="ScryptCore{TVec, TOps}.InterleavesTwoGroups"/>).</summary>
    static abstract bool InterleavesTwoGroups { get; }

    static abstract TVec Load(uint* source);

    static abstract void Store(uint* destination, TVec value);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Xor(TVec left, TVec right);

    static abstract TVec RotateLeft16(TVec value);

    static abstract TVec RotateLeft12(TVec value);

    static abstract TVec RotateLeft8(TVec value);

    static abstract TVec RotateLeft7(TVec value);

    /// <summary>
    /// The Lanes × Lanes transpose network of this width, written once: reads input vectors 0 … Lanes − 1 from
    /// <paramref name="load"/> and hands output vector k, whose element m is element k of input vector m, to
    /// <paramref name="store"/>. The word-sliced block (vector m = word m of every lane) becomes lane-major blocks
    /// (vector k = Lanes consecutive words of lane k) and back. The struct type arguments choose the source (registers or
    /// scratch rows) and the sink (plain or streaming stores, XOR into registers); the JIT specialises each combination.
    /// </summary>
    static abstract void Transpose<TLoad, TStore>(TLoad load, TStore store)
        where TLoad : struct, ILoadOp<TVec>
        where TStore : struct, IStoreOp<TVec>;
}

/// <summary>One lane in a general-purpose register.</summary>
internal readonly unsafe struct ScalarOps : ILaneOps<uint>
{
    public static int Lanes => 1;

    public static bool InterleavesTwoGroups => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Load(uint* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(uint* destination, uint value) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add(uint left, uint right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Xor(uint left, uint right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateLeft16(uint value) => BitOperations.RotateLeft(value, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateLeft12(uint value) => BitOperations.RotateLeft(value, 12);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateLeft8(uint value) => BitOperations.RotateLeft(value, 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateLeft7(uint value) => BitOperations.RotateLeft(value, 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<TLoad, TStore>(TLoad load, TStore store)
        where TLoad : struct, ILoadOp<uint>
        where TStore : struct, IStoreOp<uint>
    {
        store.Store(0, load.Load(0));
    }
}

/// <summary>4 lanes in <see cref="Vector128{T}"/> (SSE2/SSSE3/AVX-512VL on x86, portable elsewhere).</summary>
/// <remarks>
/// Rotates: vprold where AVX-512VL exists; otherwise 16- and 8-bit rotates as byte shuffles (pshufb) and 12/7 as two
/// shifts. Measured in the full kernel with AVX-512 disabled (Zen 5, N = 8192, 1 thread): pshufb 810 vs shifts
/// 691 labels/s for V128, 1550 vs 1225 for V256.
/// </remarks>
internal readonly unsafe struct V128Ops : ILaneOps<Vector128<uint>>
{
    public static int Lanes => 4;

    public static bool InterleavesTwoGroups => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Load(uint* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(uint* destination, Vector128<uint> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Add(Vector128<uint> left, Vector128<uint> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Xor(Vector128<uint> left, Vector128<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateLeft16(Vector128<uint> value)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(value, 16);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(value.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
        }

        return Vector128.ShiftLeft(value, 16) | Vector128.ShiftRightLogical(value, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateLeft12(Vector128<uint> value) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(value, 12) : Vector128.ShiftLeft(value, 12) | Vector128.ShiftRightLogical(value, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateLeft8(Vector128<uint> value)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(value, 8);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(value.AsByte(), Vector128.Create((byte)3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)).AsUInt32();
        }

        return Vector128.ShiftLeft(value, 8) | Vector128.ShiftRightLogical(value, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateLeft7(Vector128<uint> value) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(value, 7) : Vector128.ShiftLeft(value, 7) | Vector128.ShiftRightLogical(value, 25);

    /// <remarks>4×4: 32-bit then 64-bit interleaves (8 shuffles).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<TLoad, TStore>(TLoad load, TStore store)
        where TLoad : struct, ILoadOp<Vector128<uint>>
        where TStore : struct, IStoreOp<Vector128<uint>>
    {
        if (!Sse2.IsSupported)
        {
            PortableTranspose.Run<Vector128<uint>, TLoad, TStore>(load, store);
            return;
        }

        var r0 = load.Load(0);
        var r1 = load.Load(1);
        var r2 = load.Load(2);
        var r3 = load.Load(3);
        var t0 = Sse2.UnpackLow(r0, r1).AsUInt64();
        var t1 = Sse2.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Sse2.UnpackLow(r2, r3).AsUInt64();
        var t3 = Sse2.UnpackHigh(r2, r3).AsUInt64();
        store.Store(0, Sse2.UnpackLow(t0, t2).AsUInt32());
        store.Store(1, Sse2.UnpackHigh(t0, t2).AsUInt32());
        store.Store(2, Sse2.UnpackLow(t1, t3).AsUInt32());
        store.Store(3, Sse2.UnpackHigh(t1, t3).AsUInt32());
    }
}

/// <summary>8 lanes in <see cref="Vector256{T}"/> (AVX2, AVX-512VL rotates where available).</summary>
/// <remarks>Rotates as for <see cref="V128Ops"/>: vprold with AVX-512VL, else vpshufb for 16/8 and shifts for 12/7.</remarks>
internal readonly unsafe struct V256Ops : ILaneOps<Vector256<uint>>
{
    public static int Lanes => 8;

    public static bool InterleavesTwoGroups => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Load(uint* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(uint* destination, Vector256<uint> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> left, Vector256<uint> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Xor(Vector256<uint> left, Vector256<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateLeft16(Vector256<uint> value)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(value, 16);
        }

        if (Avx2.IsSupported)
        {
            return Avx2.Shuffle(
                value.AsByte(),
                Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
        }

        return Vector256.ShiftLeft(value, 16) | Vector256.ShiftRightLogical(value, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateLeft12(Vector256<uint> value) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(value, 12) : Vector256.ShiftLeft(value, 12) | Vector256.ShiftRightLogical(value, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateLeft8(Vector256<uint> value)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(value, 8);
        }

        if (Avx2.IsSupported)
        {
            return Avx2.Shuffle(
                value.AsByte(),
                Vector256.Create((byte)3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)).AsUInt32();
        }

        return Vector256.ShiftLeft(value, 8) | Vector256.ShiftRightLogical(value, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateLeft7(Vector256<uint> value) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(value, 7) : Vector256.ShiftLeft(value, 7) | Vector256.ShiftRightLogical(value, 25);

    /// <remarks>8×8: 32-bit and 64-bit interleaves inside 128-bit halves, then a half exchange (24 shuffles).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<TLoad, TStore>(TLoad load, TStore store)
        where TLoad : struct, ILoadOp<Vector256<uint>>
        where TStore : struct, IStoreOp<Vector256<uint>>
    {
        if (!Avx2.IsSupported)
        {
            PortableTranspose.Run<Vector256<uint>, TLoad, TStore>(load, store);
            return;
        }

        var r0 = load.Load(0);
        var r1 = load.Load(1);
        var r2 = load.Load(2);
        var r3 = load.Load(3);
        var r4 = load.Load(4);
        var r5 = load.Load(5);
        var r6 = load.Load(6);
        var r7 = load.Load(7);
        var t0 = Avx2.UnpackLow(r0, r1).AsUInt64();
        var t1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsUInt64();
        var t3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsUInt64();
        var t5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsUInt64();
        var t7 = Avx2.UnpackHigh(r6, r7).AsUInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsUInt32();
        var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsUInt32();
        var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsUInt32();
        var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsUInt32();
        var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();
        store.Store(0, Avx2.Permute2x128(u0, u4, 0x20));
        store.Store(4, Avx2.Permute2x128(u0, u4, 0x31));
        store.Store(1, Avx2.Permute2x128(u1, u5, 0x20));
        store.Store(5, Avx2.Permute2x128(u1, u5, 0x31));
        store.Store(2, Avx2.Permute2x128(u2, u6, 0x20));
        store.Store(6, Avx2.Permute2x128(u2, u6, 0x31));
        store.Store(3, Avx2.Permute2x128(u3, u7, 0x20));
        store.Store(7, Avx2.Permute2x128(u3, u7, 0x31));
    }
}

/// <summary>16 lanes in <see cref="Vector512{T}"/> (AVX-512F: vprold rotates, 4-stage in-register transposes).</summary>
internal readonly unsafe struct V512Ops : ILaneOps<Vector512<uint>>
{
    public static int Lanes => 16;

    public static bool InterleavesTwoGroups => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(uint* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(uint* destination, Vector512<uint> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> left, Vector512<uint> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Xor(Vector512<uint> left, Vector512<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateLeft16(Vector512<uint> value) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(value, 16) : Vector512.ShiftLeft(value, 16) | Vector512.ShiftRightLogical(value, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateLeft12(Vector512<uint> value) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(value, 12) : Vector512.ShiftLeft(value, 12) | Vector512.ShiftRightLogical(value, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateLeft8(Vector512<uint> value) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(value, 8) : Vector512.ShiftLeft(value, 8) | Vector512.ShiftRightLogical(value, 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateLeft7(Vector512<uint> value) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(value, 7) : Vector512.ShiftLeft(value, 7) | Vector512.ShiftRightLogical(value, 25);

    /// <remarks>16×16 in four stages of 16 two-source shuffles: 32-bit and 64-bit interleaves inside 128-bit chunks (u[4g + c] then holds, in chunk q, rows 4g..4g+3 of column 4q + c), then two 128-bit chunk shuffles that gather the four row groups of each column (64 shuffles).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<TLoad, TStore>(TLoad load, TStore store)
        where TLoad : struct, ILoadOp<Vector512<uint>>
        where TStore : struct, IStoreOp<Vector512<uint>>
    {
        if (!Avx512F.IsSupported)
        {
            PortableTranspose.Run<Vector512<uint>, TLoad, TStore>(load, store);
            return;
        }

        var r0 = load.Load(0);
        var r1 = load.Load(1);
        var r2 = load.Load(2);
        var r3 = load.Load(3);
        var r4 = load.Load(4);
        var r5 = load.Load(5);
        var r6 = load.Load(6);
        var r7 = load.Load(7);
        var r8 = load.Load(8);
        var r9 = load.Load(9);
        var r10 = load.Load(10);
        var r11 = load.Load(11);
        var r12 = load.Load(12);
        var r13 = load.Load(13);
        var r14 = load.Load(14);
        var r15 = load.Load(15);
        var t0 = Avx512F.UnpackLow(r0, r1).AsUInt64();
        var t1 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx512F.UnpackLow(r2, r3).AsUInt64();
        var t3 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
        var t4 = Avx512F.UnpackLow(r4, r5).AsUInt64();
        var t5 = Avx512F.UnpackHigh(r4, r5).AsUInt64();
        var t6 = Avx512F.UnpackLow(r6, r7).AsUInt64();
        var t7 = Avx512F.UnpackHigh(r6, r7).AsUInt64();
        var t8 = Avx512F.UnpackLow(r8, r9).AsUInt64();
        var t9 = Avx512F.UnpackHigh(r8, r9).AsUInt64();
        var t10 = Avx512F.UnpackLow(r10, r11).AsUInt64();
        var t11 = Avx512F.UnpackHigh(r10, r11).AsUInt64();
        var t12 = Avx512F.UnpackLow(r12, r13).AsUInt64();
        var t13 = Avx512F.UnpackHigh(r12, r13).AsUInt64();
        var t14 = Avx512F.UnpackLow(r14, r15).AsUInt64();
        var t15 = Avx512F.UnpackHigh(r14, r15).AsUInt64();
        var u0 = Avx512F.UnpackLow(t0, t2).AsUInt32();
        var u1 = Avx512F.UnpackHigh(t0, t2).AsUInt32();
        var u2 = Avx512F.UnpackLow(t1, t3).AsUInt32();
        var u3 = Avx512F.UnpackHigh(t1, t3).AsUInt32();
        var u4 = Avx512F.UnpackLow(t4, t6).AsUInt32();
        var u5 = Avx512F.UnpackHigh(t4, t6).AsUInt32();
        var u6 = Avx512F.UnpackLow(t5, t7).AsUInt32();
        var u7 = Avx512F.UnpackHigh(t5, t7).AsUInt32();
        var u8 = Avx512F.UnpackLow(t8, t10).AsUInt32();
        var u9 = Avx512F.UnpackHigh(t8, t10).AsUInt32();
        var u10 = Avx512F.UnpackLow(t9, t11).AsUInt32();
        var u11 = Avx512F.UnpackHigh(t9, t11).AsUInt32();
        var u12 = Avx512F.UnpackLow(t12, t14).AsUInt32();
        var u13 = Avx512F.UnpackHigh(t12, t14).AsUInt32();
        var u14 = Avx512F.UnpackLow(t13, t15).AsUInt32();
        var u15 = Avx512F.UnpackHigh(t13, t15).AsUInt32();
        var a0 = Avx512F.Shuffle4x128(u0, u4, 0x44);
        var b0 = Avx512F.Shuffle4x128(u0, u4, 0xEE);
        var a4 = Avx512F.Shuffle4x128(u8, u12, 0x44);
        var b4 = Avx512F.Shuffle4x128(u8, u12, 0xEE);
        var a1 = Avx512F.Shuffle4x128(u1, u5, 0x44);
        var b1 = Avx512F.Shuffle4x128(u1, u5, 0xEE);
        var a5 = Avx512F.Shuffle4x128(u9, u13, 0x44);
        var b5 = Avx512F.Shuffle4x128(u9, u13, 0xEE);
        var a2 = Avx512F.Shuffle4x128(u2, u6, 0x44);
        var b2 = Avx512F.Shuffle4x128(u2, u6, 0xEE);
        var a6 = Avx512F.Shuffle4x128(u10, u14, 0x44);
        var b6 = Avx512F.Shuffle4x128(u10, u14, 0xEE);
        var a3 = Avx512F.Shuffle4x128(u3, u7, 0x44);
        var b3 = Avx512F.Shuffle4x128(u3, u7, 0xEE);
        var a7 = Avx512F.Shuffle4x128(u11, u15, 0x44);
        var b7 = Avx512F.Shuffle4x128(u11, u15, 0xEE);
        store.Store(0, Avx512F.Shuffle4x128(a0, a4, 0x88));
        store.Store(4, Avx512F.Shuffle4x128(a0, a4, 0xDD));
        store.Store(8, Avx512F.Shuffle4x128(b0, b4, 0x88));
        store.Store(12, Avx512F.Shuffle4x128(b0, b4, 0xDD));
        store.Store(1, Avx512F.Shuffle4x128(a1, a5, 0x88));
        store.Store(5, Avx512F.Shuffle4x128(a1, a5, 0xDD));
        store.Store(9, Avx512F.Shuffle4x128(b1, b5, 0x88));
        store.Store(13, Avx512F.Shuffle4x128(b1, b5, 0xDD));
        store.Store(2, Avx512F.Shuffle4x128(a2, a6, 0x88));
        store.Store(6, Avx512F.Shuffle4x128(a2, a6, 0xDD));
        store.Store(10, Avx512F.Shuffle4x128(b2, b6, 0x88));
        store.Store(14, Avx512F.Shuffle4x128(b2, b6, 0xDD));
        store.Store(3, Avx512F.Shuffle4x128(a3, a7, 0x88));
        store.Store(7, Avx512F.Shuffle4x128(a3, a7, 0xDD));
        store.Store(11, Avx512F.Shuffle4x128(b3, b7, 0x88));
        store.Store(15, Avx512F.Shuffle4x128(b3, b7, 0xDD));
    }
}
