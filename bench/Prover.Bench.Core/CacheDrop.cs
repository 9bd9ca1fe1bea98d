using System.Runtime.InteropServices;
using Prover.Core.Data;

namespace Prover.Bench.Core;

/// <summary>
/// Empties the page cache of the proving file before a timed pass, so "from a file" means from the disk. The file's
/// own pages are dropped as <c>post profile --drop-cache</c> drops them (<see cref="PageCache.TryDrop"/>: fdatasync, then
/// <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>; no root needed); with <see cref="CacheDropMode.Auto"/> a privileged
/// process also writes 1 to <c>/proc/sys/vm/drop_caches</c>. Other platforms read through the cache and say so.
/// </summary>
internal static class CacheDrop
{
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
            return $"none (not implemented on {RuntimeInformation.OSDescription}): file reads may come from the page cache";
        }

        string method = PageCache.TryDrop(path, out string? error)
            ? "posix_fadvise(POSIX_FADV_DONTNEED)"
            : $"none ({error})";
        if (mode == CacheDropMode.Auto && systemWide && Environment.IsPrivilegedProcess)
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
}
