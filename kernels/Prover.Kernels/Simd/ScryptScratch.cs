using System.Runtime.InteropServices;

namespace Prover.Kernels.Simd;

/// <summary>
/// ROMix scratch (V) of one thread: N × lanes × 128 bytes, 64-byte aligned native memory, interleaved by lane (see
/// <see cref="ScryptLanes"/>). Grows on demand and is reused across calls; not thread safe — one per thread.
/// </summary>
public sealed unsafe class ScryptScratch : IDisposable
{
    private byte* memory;
    private nuint capacity;
    private bool disposed;

    /// <summary>Releases the native memory if <see cref="Dispose"/> was not called.</summary>
    ~ScryptScratch() => Free();

    /// <summary>Bytes currently reserved.</summary>
    public nuint Capacity => capacity;

    /// <summary>Scratch bytes needed for <paramref name="n"/> at <paramref name="level"/>.</summary>
    public static nuint BytesFor(SimdLevel level, ulong n) => checked((nuint)n * (nuint)SimdLevels.Lanes(level) * 128);

    /// <inheritdoc />
    public void Dispose()
    {
        Free();
        disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns a 64-byte aligned pointer to at least <paramref name="bytes"/> bytes (contents undefined).</summary>
    internal byte* Reserve(nuint bytes)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (bytes > capacity)
        {
            Free();
            memory = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
            capacity = bytes;
            GC.AddMemoryPressure((long)bytes);
        }

        return memory;
    }

    private void Free()
    {
        if (memory != null)
        {
            NativeMemory.AlignedFree(memory);
            GC.RemoveMemoryPressure((long)capacity);
            memory = null;
        }

        capacity = 0;
    }
}
