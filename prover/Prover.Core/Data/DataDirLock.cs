using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Prover.Core.Data;

/// <summary>
/// An advisory lock on a data directory (<c>.post.lock</c>, flock(2)): a writer (<c>init</c>) holds it exclusively,
/// readers (<c>prove</c>, <c>verify-data</c>, <c>serve</c>) hold it shared. The lock dies with its process, so a crash
/// never leaves a stale lock behind. Each holder records "PID command" in the file so that a refused caller can name
/// the process in the way.
/// </summary>
public sealed partial class DataDirLock : IDisposable
{
    public const string FileName = ".post.lock";

    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWouldBlock = 11;
    private const int OpenReadOnly = 0;
    private const int OpenReadWrite = 2;
    private const int EPermission = 1;
    private const int EAccess = 13;
    private const int EReadOnlyFs = 30;
    private const int OpenCreate = 0x40;
    private const int OpenAppend = 0x400;
    private const int OpenCloseOnExec = 0x80000;

    // A raw descriptor rather than a FileStream: .NET takes flock locks of its own on the files it opens, which would
    // turn a second holder's attempt into a sharing-violation IOException before this class could name the holder.
    private readonly int _fd;
    private readonly FileStream? _windowsStream;

    private DataDirLock(int fd, FileStream? windowsStream, bool exclusive)
    {
        _fd = fd;
        _windowsStream = windowsStream;
        Exclusive = exclusive;
    }

    public bool Exclusive { get; }

    /// <summary>Takes the exclusive (writer) lock; the directory must exist.</summary>
    /// <exception cref="DataDirLockedException">another process holds the lock.</exception>
    public static DataDirLock AcquireExclusive(string dataDir, string purpose) => Acquire(dataDir, purpose, true);

    /// <summary>Takes a shared (reader) lock; the directory must exist.</summary>
    /// <exception cref="DataDirLockedException">a writer holds the lock.</exception>
    public static DataDirLock AcquireShared(string dataDir, string purpose) => Acquire(dataDir, purpose, false);

    /// <summary>Name of the lock file of files <paramref name="fromFile"/>..<paramref name="toFile"/>.</summary>
    public static string FilesLockName(int fromFile, int toFile) =>
        string.Create(CultureInfo.InvariantCulture, $"{FileName}.files-{fromFile}-{toFile}");

    /// <summary>
    /// Takes the exclusive lock of files <paramref name="fromFile"/>..<paramref name="toFile"/> (<c>.post.lock.files-F-T</c>),
    /// for a writer that shares the directory with writers of other files (a shard of a split initialization, which
    /// holds the directory's lock shared meanwhile). Refused when another process holds the same range, or any range
    /// that overlaps it; a refusal names the holder.
    /// </summary>
    /// <exception cref="DataDirLockedException">another process writes some of these files.</exception>
    public static DataDirLock AcquireFiles(string dataDir, int fromFile, int toFile, string purpose)
    {
        string range = string.Create(CultureInfo.InvariantCulture, $"files {fromFile}..{toFile}");
        var own = Acquire(dataDir, FilesLockName(fromFile, toFile), purpose, true, holders => new DataDirLockedException(dataDir, holders,
            $"{range} of {dataDir} are already being written by {DataDirLockedException.Who(holders)}: refusing to write them twice at once. Wait for it to finish or stop it first."));
        try
        {
            // Overlapping ranges (another shard count): each writer takes its own range first and then looks at the
            // others, so of two overlapping writers at least the later one sees the earlier one's lock.
            foreach (var held in HeldFileRanges(dataDir))
            {
                if (held.FromFile <= toFile && fromFile <= held.ToFile && (held.FromFile, held.ToFile) != (fromFile, toFile))
                {
                    throw new DataDirLockedException(dataDir, held.Holders, string.Create(CultureInfo.InvariantCulture,
                        $"{range} of {dataDir} overlap files {held.FromFile}..{held.ToFile}, which {DataDirLockedException.Who(held.Holders)} is writing: refusing to write them twice at once. Wait for it to finish or stop it first."));
                }
            }

            return own;
        }
        catch
        {
            own.Dispose();
            throw;
        }
    }

    /// <summary>A range of files whose lock (<see cref="AcquireFiles"/>) a process holds, and who holds it.</summary>
    /// <param name="FromFile">First file of the range.</param>
    /// <param name="ToFile">Last file of the range.</param>
    /// <param name="Holders">"PID purpose" of the holder, when recorded.</param>
    public sealed record HeldRange(int FromFile, int ToFile, IReadOnlyList<string> Holders);

    /// <summary>The file ranges of <paramref name="dataDir"/> that some process is writing right now.</summary>
    public static IReadOnlyList<HeldRange> HeldFileRanges(string dataDir)
    {
        var result = new List<HeldRange>();
        if (OperatingSystem.IsWindows() || !Directory.Exists(dataDir))
        {
            return result;
        }

        string prefix = FileName + ".files-";
        foreach (var path in Directory.EnumerateFiles(dataDir, prefix + "*"))
        {
            var parts = Path.GetFileName(path)[prefix.Length..].Split('-');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int from)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int to))
            {
                continue;
            }

            int fd = Open(path, OpenReadOnly | OpenCloseOnExec, 0);
            if (fd < 0)
            {
                continue;
            }

            try
            {
                // A shared probe fails only while a writer holds the range; it is released at once.
                if (Flock(fd, LockShared | LockNonBlocking) != 0 && Marshal.GetLastPInvokeError() == EWouldBlock)
                {
                    result.Add(new HeldRange(from, to, ReadHolders(fd)));
                }
            }
            finally
            {
                _ = Close(fd);
            }
        }

        result.Sort((a, b) => a.FromFile.CompareTo(b.FromFile));
        return result;
    }

    private static DataDirLock Acquire(string dataDir, string purpose, bool exclusive) =>
        Acquire(dataDir, FileName, purpose, exclusive, holders => new DataDirLockedException(dataDir, holders, exclusive));

    private static DataDirLock Acquire(string dataDir, string fileName, string purpose, bool exclusive,
        Func<IReadOnlyList<string>, DataDirLockedException> refuse)
    {
        var path = Path.Combine(dataDir, fileName);
        var line = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {purpose}\n"));
        if (OperatingSystem.IsWindows())
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                    exclusive ? FileShare.None : FileShare.ReadWrite);
                return new DataDirLock(-1, stream, exclusive);
            }
            catch (IOException)
            {
                throw refuse([]);
            }
        }

        // O_APPEND: readers that hold the lock together add their lines at the end without overwriting each other's.
        int fd = Open(path, OpenReadWrite | OpenCreate | OpenAppend | OpenCloseOnExec, 0x1B6 /* 0666 */);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (exclusive || errno is not (EAccess or EReadOnlyFs or EPermission))
            {
                throw new IOException($"{path}: cannot open the lock file ({Describe(errno)})");
            }

            // A reader on a read-only mount or directory: lock an existing lock file read-only; without one, no
            // writer can be at work there (it could not have created it), so there is nothing to wait for.
            fd = Open(path, OpenReadOnly | OpenCloseOnExec, 0);
            if (fd < 0)
            {
                return new DataDirLock(-1, null, exclusive);
            }
        }

        try
        {
            if (Flock(fd, (exclusive ? LockExclusive : LockShared) | LockNonBlocking) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EWouldBlock)
                {
                    throw new IOException($"{path}: cannot lock (errno {errno})");
                }

                throw refuse(ReadHolders(fd));
            }

            if (exclusive)
            {
                _ = Ftruncate(fd, 0);
            }

            _ = Pwrite(fd, line, line.Length, 0); // appends (O_APPEND); fails harmlessly on a read-only descriptor
            return new DataDirLock(fd, null, exclusive);
        }
        catch
        {
            _ = Close(fd);
            throw;
        }
    }

    private static string Describe(int errno) => errno switch
    {
        EPermission or EAccess => "permission denied",
        EReadOnlyFs => "the file system is read-only",
        _ => string.Create(CultureInfo.InvariantCulture, $"errno {errno}"),
    };

    /// <summary>The holders recorded in the lock file that are still running ("PID purpose").</summary>
    private static List<string> ReadHolders(int fd)
    {
        var buffer = new byte[64 * 1024];
        long n = Pread(fd, buffer, buffer.Length, 0);
        var result = new List<string>();
        if (n <= 0)
        {
            return result;
        }

        foreach (var line in Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2);
            if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && IsRunning(pid) && !result.Contains(line))
            {
                result.Add(line);
            }
        }

        return result;
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid}");
        }

        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_windowsStream is not null)
        {
            _windowsStream.Dispose();
        }
        else if (_fd >= 0)
        {
            _ = Close(_fd); // closing the descriptor releases the flock
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint Pwrite(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint Pread(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);
}

/// <summary>Another process holds the data directory's lock (or the lock of the files a writer wants).</summary>
public sealed class DataDirLockedException : InvalidInputException
{
    public DataDirLockedException(string dataDir, IReadOnlyList<string> holders, bool wantedExclusive)
        : this(dataDir, holders, Describe(dataDir, holders, wantedExclusive))
    {
    }

    /// <summary>A refusal in the caller's words (<paramref name="message"/> names the holder, see <see cref="Who"/>).</summary>
    public DataDirLockedException(string dataDir, IReadOnlyList<string> holders, string message)
        : base(InputField.DataDir, message)
    {
        DataDir = dataDir;
        Holders = holders;
    }

    public string DataDir { get; }

    /// <summary>"PID purpose" of each process recorded as holding the lock.</summary>
    public IReadOnlyList<string> Holders { get; }

    /// <summary>"PID 123 (post init)", the holders as a message names them; "another process" when unknown.</summary>
    public static string Who(IReadOnlyList<string> holders)
    {
        ArgumentNullException.ThrowIfNull(holders);
        return holders.Count == 0
            ? "another process"
            : string.Join(", ", holders.Select(h =>
            {
                var parts = h.Split(' ', 2);
                return parts.Length == 2 ? $"PID {parts[0]} ({parts[1]})" : $"PID {parts[0]}";
            }));
    }

    private static string Describe(string dataDir, IReadOnlyList<string> holders, bool wantedExclusive)
    {
        string who = Who(holders);
        return wantedExclusive
            ? $"{dataDir} is in use by {who}: refusing to write into it at the same time. Wait for it to finish or stop it first."
            : $"{dataDir} is being written by {who}: refusing to read it while it changes. Wait for it to finish or stop it first.";
    }
}
