using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Service;

/// <summary>
/// <c>--pinned-cores</c>: restricts the whole process to the listed CPU cores. post-service pins one proving thread
/// per core; the proving threads live in the prover core, so here every thread of the process (proving threads,
/// RandomX, gRPC I/O) runs on those cores, with one proving thread per listed core.
/// </summary>
public static class CorePinning
{
    /// <summary>Pins every thread of this process (and so every thread started later) to <paramref name="cores"/>.</summary>
    public static void Pin(IReadOnlyList<int> cores)
    {
        ArgumentNullException.ThrowIfNull(cores);
        if (OperatingSystem.IsLinux())
        {
            PinLinux(cores);
        }
        else if (OperatingSystem.IsWindows())
        {
            // Windows affinity is per process: every thread, present and future, follows it.
            long mask = cores.Aggregate(0L, (m, c) => m | (1L << c));
            using var self = Process.GetCurrentProcess();
            self.ProcessorAffinity = (nint)mask;
        }
        else
        {
            throw new InvalidInputException("pinnedCores", "--pinned-cores is supported on Linux and Windows only");
        }
    }

    // cpu_set_t of glibc: 1024 bits.
    private const int MaskWords = 1024 / 64;

    private static void PinLinux(IReadOnlyList<int> cores)
    {
        var mask = new ulong[MaskWords];
        foreach (int core in cores)
        {
            mask[core / 64] |= 1UL << (core % 64);
        }

        // sched_setaffinity applies to one thread; threads inherit their creator's mask. Pin every thread there is now
        // (twice: a thread started during the first sweep was created from a thread not yet pinned).
        for (int sweep = 0; sweep < 2; sweep++)
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                {
                    continue;
                }

                if (SchedSetAffinity(tid, (nuint)(mask.Length * sizeof(ulong)), mask) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    const int ESRCH = 3;
                    if (errno != ESRCH) // the thread ended meanwhile
                    {
                        throw new InvalidInputException("pinnedCores", string.Create(CultureInfo.InvariantCulture,
                            $"--pinned-cores {string.Join(',', cores)}: the system refused the CPU affinity (errno {errno})"));
                    }
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetAffinity(int tid, nuint size, ulong[] mask);
}
