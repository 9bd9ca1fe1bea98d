using System.Runtime.InteropServices;

namespace Prover.Kernels.Simd;

/// <summary>
/// ROMix scratch (V) of one thread: N × lanes × 128 bytes, 64-byte aligned native memory, interleaved by lane (see
/// <see cref="ScryptLanes"/>). Grows on demand and is reused across calls; not thread safe — one per thread.
/// </summary>
public sealed unsafe class ScryptScratch : IDisposable
{
    private const nuint HugePage = 2 * 1024 * 1024;
    private const nuint HugePageThreshold = 4 * 1024 * 1024;

    private byte* memory;
    private nuint capacity;
    private bool disposed;

    /// <summary>Releases the native memory if <see cref="Dispose"/> was not called.</summary>
    ~ScryptScratch() => Free();

    /// <summary>Bytes currently reserved.</summary>
    public nuint Capacity => capacity;

    /// <summary>Scratch bytes needed for <paramref name="n"/> at <paramref name="level"/>.</summary>
    public static nuint BytesFor(SimdLevel level, ulong n) => checked((nuint)n * (nuint)ScryptLanes.GroupSize(level, n) * 128);

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
            bool huge = bytes >= HugePageThreshold && OperatingSystem.IsLinux();
            nuint size = huge ? (bytes + HugePage - 1) & ~(HugePage - 1) : bytes;
            memory = (byte*)NativeMemory.AlignedAlloc(size, huge ? HugePage : 64);
            if (huge)
            {
                // ROMix's second loop reads random 128-byte blocks all over V (tens of MiB per thread): with 4 KiB pages
                // nearly every read is a TLB miss. Ask for transparent huge pages (THP "madvise" mode); best effort.
                _ = NativeMethods.Madvise(memory, size, NativeMethods.MadvHugePage);
            }

            capacity = size;
            GC.AddMemoryPressure((long)size);
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

/// <summary>libc calls used by the scratch allocator.</summary>
internal static unsafe partial class NativeMethods
{
    /// <summary>MADV_HUGEPAGE (Linux): back the range with transparent huge pages where possible.</summary>
    public const int MadvHugePage = 14;

    [LibraryImport("libc", EntryPoint = "madvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Madvise(void* address, nuint length, int advice);
}
