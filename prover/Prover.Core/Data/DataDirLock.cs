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

    private readonly FileStream _stream;

    private DataDirLock(FileStream stream, bool exclusive)
    {
        _stream = stream;
        Exclusive = exclusive;
    }

    public bool Exclusive { get; }

    /// <summary>Takes the exclusive (writer) lock; the directory must exist.</summary>
    /// <exception cref="DataDirLockedException">another process holds the lock.</exception>
    public static DataDirLock AcquireExclusive(string dataDir, string purpose) => Acquire(dataDir, purpose, true);

    /// <summary>Takes a shared (reader) lock; the directory must exist.</summary>
    /// <exception cref="DataDirLockedException">a writer holds the lock.</exception>
    public static DataDirLock AcquireShared(string dataDir, string purpose) => Acquire(dataDir, purpose, false);

    private static DataDirLock Acquire(string dataDir, string purpose, bool exclusive)
    {
        var path = Path.Combine(dataDir, FileName);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // FileShare already excludes other writers on Windows; the holder line below is informative only.
            }
            else if (Flock(stream.SafeFileHandle.DangerousGetHandle().ToInt32(),
                         (exclusive ? LockExclusive : LockShared) | LockNonBlocking) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EWouldBlock)
                {
                    throw new IOException($"{path}: cannot lock (errno {errno})");
                }

                var holders = ReadHolders(stream);
                throw new DataDirLockedException(dataDir, holders, exclusive);
            }

            var line = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessId} {purpose}\n"));
            if (exclusive)
            {
                stream.SetLength(0);
                stream.Write(line);
            }
            else
            {
                stream.Seek(0, SeekOrigin.End);
                stream.Write(line);
            }

            stream.Flush();
            return new DataDirLock(stream, exclusive);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The holders recorded in the lock file that are still running ("PID purpose").</summary>
    private static List<string> ReadHolders(FileStream stream)
    {
        stream.Position = 0;
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
        var result = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ', 2);
            if (parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
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

    public void Dispose() => _stream.Dispose();

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Flock(int fd, int operation);
}

/// <summary>Another process holds the data directory's lock.</summary>
public sealed class DataDirLockedException : PostDataException
{
    public DataDirLockedException(string dataDir, IReadOnlyList<string> holders, bool wantedExclusive)
        : base(Describe(dataDir, holders, wantedExclusive))
    {
        DataDir = dataDir;
        Holders = holders;
    }

    public string DataDir { get; }

    /// <summary>"PID purpose" of each process recorded as holding the lock.</summary>
    public IReadOnlyList<string> Holders { get; }

    private static string Describe(string dataDir, IReadOnlyList<string> holders, bool wantedExclusive)
    {
        string who = holders.Count == 0
            ? "another process"
            : string.Join(", ", holders.Select(h =>
            {
                var parts = h.Split(' ', 2);
                return parts.Length == 2 ? $"PID {parts[0]} ({parts[1]})" : $"PID {parts[0]}";
            }));
        return wantedExclusive
            ? $"{dataDir} is in use by {who}: refusing to write into it at the same time. Wait for it to finish or stop it first."
            : $"{dataDir} is being written by {who}: refusing to read it while it changes. Wait for it to finish or stop it first.";
    }
}
