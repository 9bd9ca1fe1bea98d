using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prover.Kernels.Simd;

/// <summary>
/// Where a Lanes × Lanes transpose reads its input vectors. A struct type argument of
/// <see cref="ILaneOps{TVec}.Transpose{TLoad, TStore}"/>: the JIT specialises the network for each implementation and
/// inlines <see cref="Load"/>, so one network serves every source without a call or a branch per vector.
/// </summary>
/// <typeparam name="TVec">The register type of the width.</typeparam>
internal interface ILoadOp<TVec>
    where TVec : unmanaged
{
    /// <summary>Input vector <paramref name="index"/> (0 … Lanes − 1).</summary>
    TVec Load(int index);
}

/// <summary>
/// What a Lanes × Lanes transpose does with its output vectors (store, streaming store, XOR into registers). A struct
/// type argument of <see cref="ILaneOps{TVec}.Transpose{TLoad, TStore}"/>, specialised and inlined by the JIT.
/// </summary>
/// <typeparam name="TVec">The register type of the width.</typeparam>
internal interface IStoreOp<TVec>
    where TVec : unmanaged
{
    /// <summary>Takes output vector <paramref name="index"/> (0 … Lanes − 1).</summary>
    void Store(int index, TVec value);
}

/// <summary>Input vector i is <c>vectors[i]</c>: the word-sliced block (vector m = word m of every lane).</summary>
internal readonly unsafe struct VectorLoad<TVec> : ILoadOp<TVec>
    where TVec : unmanaged
{
    private readonly TVec* _vectors;

    public VectorLoad(TVec* vectors)
    {
        Debug.Assert(vectors != null, "the word slices must exist");
        _vectors = vectors;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Load(int index) => _vectors[index];
}

/// <summary>
/// Input vector k is Lanes consecutive words of lane k at <c>rows[k] + offset</c>: lane k's block in a scratch row
/// (any alignment).
/// </summary>
internal readonly unsafe struct RowLoad<TVec> : ILoadOp<TVec>
    where TVec : unmanaged
{
    private readonly uint** _rows;
    private readonly nint _offset;

    public RowLoad(uint** rows, nint offset)
    {
        Debug.Assert(rows != null, "one row pointer per lane");
        Debug.Assert(offset >= 0, "the offset is a word index inside each lane's block");
        _rows = rows;
        _offset = offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Load(int index)
    {
        Debug.Assert(_rows[index] != null, "lane row set");
        return Unsafe.ReadUnaligned<TVec>(_rows[index] + _offset);
    }
}

/// <summary>
/// Output vector k (lane k's Lanes consecutive words) goes to <c>destination + k·laneStride</c> with plain stores (any
/// alignment).
/// </summary>
internal readonly unsafe struct StridedStore<TVec> : IStoreOp<TVec>
    where TVec : unmanaged
{
    private readonly uint* _destination;
    private readonly nint _laneStride;

    public StridedStore(uint* destination, nint laneStride)
    {
        Debug.Assert(destination != null, "destination set");
        Debug.Assert(laneStride >= sizeof(TVec) / sizeof(uint), "lanes must not overlap: the stride holds a whole vector");
        _destination = destination;
        _laneStride = laneStride;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int index, TVec value) => Unsafe.WriteUnaligned(_destination + (index * _laneStride), value);
}

/// <summary>
/// <see cref="StridedStore{TVec}"/> with non-temporal (streaming) stores where the width has them, which skip the
/// read-for-ownership of each destination line; plain stores elsewhere. The destination and the stride keep vector
/// alignment (the scratch rows are 64-byte aligned).
/// </summary>
internal readonly unsafe struct StridedStoreNonTemporal<TVec> : IStoreOp<TVec>
    where TVec : unmanaged
{
    private readonly uint* _destination;
    private readonly nint _laneStride;

    public StridedStoreNonTemporal(uint* destination, nint laneStride)
    {
        Debug.Assert(destination != null, "destination set");
        Debug.Assert(laneStride >= sizeof(TVec) / sizeof(uint), "lanes must not overlap: the stride holds a whole vector");
        Debug.Assert((nuint)destination % (nuint)sizeof(TVec) == 0, "streaming stores need an aligned destination");
        Debug.Assert(laneStride * sizeof(uint) % sizeof(TVec) == 0, "streaming stores need an aligned stride");
        _destination = destination;
        _laneStride = laneStride;
    }

    /// <remarks>The type tests are JIT-time constants for a value-type <typeparamref name="TVec"/>: one store remains.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int index, TVec value)
    {
        uint* target = _destination + (index * _laneStride);
        if (typeof(TVec) == typeof(Vector512<uint>) && Avx512F.IsSupported)
        {
            Avx512F.StoreAlignedNonTemporal(target, Unsafe.BitCast<TVec, Vector512<uint>>(value));
        }
        else if (typeof(TVec) == typeof(Vector256<uint>) && Avx.IsSupported)
        {
            Avx.StoreAlignedNonTemporal(target, Unsafe.BitCast<TVec, Vector256<uint>>(value));
        }
        else if (typeof(TVec) == typeof(Vector128<uint>) && Sse2.IsSupported)
        {
            Sse2.StoreAlignedNonTemporal(target, Unsafe.BitCast<TVec, Vector128<uint>>(value));
        }
        else
        {
            Unsafe.WriteUnaligned(target, value);
        }
    }
}

/// <summary>Output vector m is XORed into <c>vectors[m]</c>: a block read from scratch folded into the word slices.</summary>
internal readonly unsafe struct XorStore<TVec, TOps> : IStoreOp<TVec>
    where TVec : unmanaged
    where TOps : struct, ILaneOps<TVec>
{
    private readonly TVec* _vectors;

    public XorStore(TVec* vectors)
    {
        Debug.Assert(vectors != null, "the word slices must exist");
        _vectors = vectors;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int index, TVec value) => _vectors[index] = TOps.Xor(_vectors[index], value);
}

/// <summary>The portable transpose used where a width is not hardware accelerated (correct, not fast).</summary>
[SkipLocalsInit]
internal static unsafe class PortableTranspose
{
    /// <summary>Element m of output vector k = element k of input vector m, for Lanes = sizeof(TVec) / 4.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run<TVec, TLoad, TStore>(TLoad load, TStore store)
        where TVec : unmanaged
        where TLoad : struct, ILoadOp<TVec>
        where TStore : struct, IStoreOp<TVec>
    {
        int lanes = sizeof(TVec) / sizeof(uint);
        Debug.Assert(lanes is 1 or 4 or 8 or 16, "a vector of uint lanes");
        TVec* input = stackalloc TVec[lanes];
        TVec* output = stackalloc TVec[lanes];
        for (int m = 0; m < lanes; m++)
        {
            input[m] = load.Load(m);
        }

        uint* from = (uint*)input;
        uint* to = (uint*)output;
        for (int k = 0; k < lanes; k++)
        {
            for (int m = 0; m < lanes; m++)
            {
                to[(k * lanes) + m] = from[(m * lanes) + k];
            }
        }

        for (int k = 0; k < lanes; k++)
        {
            store.Store(k, output[k]);
        }
    }
}
