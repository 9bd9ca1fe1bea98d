using System.Runtime.InteropServices;

namespace Prover.Cli.Bench;

/// <summary>
/// Empties the page cache of one file before a timed pass over it, so "from a file" means from the disk. On Linux the
/// file's clean pages are dropped with <c>posix_fadvise(POSIX_FADV_DONTNEED)</c> (no root needed; the file was fsync'd
/// when written, so every page is clean); as root, <see cref="CacheDropMode.Auto"/> also writes 1 to
/// <c>/proc/sys/vm/drop_caches</c>. Other platforms are left alone and say so.
/// </summary>
internal static class PageCache
{
    private const int PosixFadvDontNeed = 4; // Linux value of POSIX_FADV_DONTNEED
    private const string DropCachesPath = "/proc/sys/vm/drop_caches";

    /// <summary>
    /// Drops the cached pages of <paramref name="path"/>, and with <paramref name="systemWide"/> (in
    /// <see cref="CacheDropMode.Auto"/>, as root) the whole page cache; returns the method that worked, in words.
    /// </summary>
    public static string Drop(string path, CacheDropMode mode, bool systemWide = true)
    {
        if (mode == CacheDropMode.None)
        {
            return "none (--cache-drop none): file reads may come from the page cache";
        }

        if (!OperatingSystem.IsLinux())
        {
            return $"none ({RuntimeInformation.OSDescription} has no posix_fadvise here): file reads may come from the page cache";
        }

        string method;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int error = NativeMethods.PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed);
            method = error == 0 ? "posix_fadvise(POSIX_FADV_DONTNEED)" : $"none (posix_fadvise failed with error {error})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            method = $"none (posix_fadvise unavailable: {e.Message})";
        }

        if (mode == CacheDropMode.Auto && systemWide && IsRoot())
        {
            try
            {
                File.WriteAllText(DropCachesPath, "1");
                method += $" + {DropCachesPath}=1";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                method += $" ({DropCachesPath} not writable: {e.Message})";
            }
        }

        return method;
    }

    private static bool IsRoot()
    {
        try
        {
            return NativeMethods.GetEuid() == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "posix_fadvise")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int PosixFadvise(int fd, long offset, long length, int advice);

        [DllImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint GetEuid();
    }
}
