using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prover.Core.Data;

/// <summary>
/// Evicting a file's pages from the OS page cache, so that the next read of it comes from the disk (cold-cache
/// profiling). Linux only; needs no privileges, unlike writing to <c>/proc/sys/vm/drop_caches</c>.
/// </summary>
public static partial class PageCache
{
    /// <summary>POSIX_FADV_DONTNEED on Linux x86-64 and arm64 (asm-generic; s390x alone uses 6).</summary>
    private const int PosixFadvDontNeed = 4;

    /// <summary>
    /// Writes back the file's dirty pages (<c>fdatasync</c>: the kernel drops only clean pages), then asks the kernel to
    /// drop all its cached pages with <c>posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)</c>. Returns false with the reason
    /// where that is not possible (another OS, a failing call); the file itself is never changed.
    /// </summary>
    public static bool TryDrop(string path, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            error = "dropping a file's page cache is implemented on Linux only";
            return false;
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot open {path}: {e.Message}";
            return false;
        }

        using (handle)
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                int fd = (int)handle.DangerousGetHandle();
                if (FDataSync(fd) != 0)
                {
                    error = $"fdatasync({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
                    return false;
                }

                // posix_fadvise returns the error number itself and leaves errno alone.
                int result = PosixFadvise(fd, 0, 0, PosixFadvDontNeed);
                if (result != 0)
                {
                    error = $"posix_fadvise({path}, DONTNEED) failed: {Marshal.GetPInvokeErrorMessage(result)}";
                    return false;
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        error = null;
        return true;
    }

    // off_t is 64-bit on the 64-bit Linux targets (x64, arm64).
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FDataSync(int fd);
}
