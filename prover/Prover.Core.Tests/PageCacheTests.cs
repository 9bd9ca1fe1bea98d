using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Prover.Core.Data;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>
/// <see cref="PageCache.TryDrop"/> on a real file: its pages are counted in the page cache with <c>mincore</c> on a
/// mapping of the file before and after (the test owns the file, so Linux reports its residency).
/// </summary>
public sealed partial class PageCacheTests : IDisposable
{
    // Next to the test binaries rather than in /tmp, which is a tmpfs on many systems: tmpfs pages are the file itself
    // and cannot be evicted.
    private readonly string _dir = Directory.CreateDirectory(
        Path.Combine(AppContext.BaseDirectory, "page-cache-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [LinuxFact]
    public void TryDrop_EvictsTheFilesPages_WrittenAndRead()
    {
        string path = Path.Combine(_dir, "labels.bin");
        var data = new byte[4 << 20];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(path, data); // dirty pages: TryDrop must write them back before they can be dropped
        Assert.Equal(data, File.ReadAllBytes(path));
        int pages = (data.Length + Environment.SystemPageSize - 1) / Environment.SystemPageSize;
        Assert.Equal(pages, ResidentPages(path));

        Assert.True(PageCache.TryDrop(path, out string? error), error);
        Assert.Null(error);
        Assert.Equal(0, ResidentPages(path));

        // The file is unchanged, and reading it brings it back.
        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Equal(pages, ResidentPages(path));
    }

    [LinuxFact]
    public void TryDrop_MissingFile_ReturnsFalseWithTheReason()
    {
        string path = Path.Combine(_dir, "missing.bin");
        Assert.False(PageCache.TryDrop(path, out string? error));
        Assert.Contains("missing.bin", error);
    }

    /// <summary>Pages of the file present in the page cache (mincore on a read-only shared mapping).</summary>
    private static unsafe int ResidentPages(string path)
    {
        long length = new FileInfo(path).Length;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            byte* start = pointer + view.PointerOffset;
            int pages = (int)((length + Environment.SystemPageSize - 1) / Environment.SystemPageSize);
            var vector = new byte[pages];
            fixed (byte* v = vector)
            {
                if (Mincore(start, (nuint)length, v) != 0)
                {
                    throw new InvalidOperationException($"mincore failed: {Marshal.GetLastPInvokeErrorMessage()}");
                }
            }

            return vector.Count(b => (b & 1) != 0);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static unsafe partial int Mincore(void* address, nuint length, byte* vector);
}

/// <summary>A <see cref="FactAttribute"/> skipped on other systems (posix_fadvise and mincore are used as on Linux).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only";
        }
    }
}
