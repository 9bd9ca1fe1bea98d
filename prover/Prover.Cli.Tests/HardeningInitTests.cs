using System.Diagnostics;
using System.Text.Json;
using Prover.Core.Data;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// Issue 15's data-loss and crash items for <c>post init</c>, on real files through the real binary: the data
/// directory lock, repair of damaged data without touching intact files, I/O errors, number checks, wording.
/// </summary>
public class HardeningInitTests
{
    private static readonly string NodeId = string.Concat(Enumerable.Repeat("4d", 32));
    private static readonly string AtxId = new('0', 64);

    /// <summary>The issue's $SMALL: 4 units × 256 labels, N = 16, 4 KiB files (4 files of one block each).</summary>
    internal static string[] Small(string dir, params string[] extra) =>
    [
        "init", "--datadir", dir, "--node-id", NodeId, "--commitment-atx-id", AtxId, "--num-units", "4",
        "--labels-per-unit", "256", "--scrypt-n", "16", "--max-file-size", "4096", .. extra,
    ];

    /// <summary>4 MiB in files of 1.5 MiB: 3 files, the first two of two checksum blocks each.</summary>
    private static string[] Blocks(string dir, params string[] extra) =>
    [
        "init", "--datadir", dir, "--node-id", NodeId, "--commitment-atx-id", AtxId, "--num-units", "4",
        "--labels-per-unit", "65536", "--scrypt-n", "16", "--max-file-size", "1572864", .. extra,
    ];

    private static string File(string dir, int n) => Path.Combine(dir, PostDataLayout.FileName(n));

    private static void AssertFailedCleanly((int ExitCode, string StdOut, string StdErr) r, params int[] codes)
    {
        Assert.True(codes.Contains(r.ExitCode), $"exit {r.ExitCode}: {r.StdErr}");
        Assert.StartsWith("error: ", r.StdErr.TrimStart().Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Exception", r.StdErr);
    }

    // ---- 1. one writer per data directory ----

    [Fact]
    public void Init_is_refused_while_another_process_holds_the_directory_and_names_its_pid()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Directory.CreateDirectory(dir);
        foreach (bool exclusive in new[] { true, false })
        {
            using (exclusive ? DataDirLock.AcquireExclusive(dir, "post init") : DataDirLock.AcquireShared(dir, "post prove"))
            {
                var r = PostCli.Run(Small(dir));
                AssertFailedCleanly(r, 2);
                Assert.Contains($"PID {Environment.ProcessId}", r.StdErr);
                Assert.False(System.IO.File.Exists(File(dir, 0)), "nothing may be written while refused");
            }
        }

        // Once the holder is gone the directory is free again.
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
    }

    [Fact]
    public void A_second_init_on_the_same_directory_cannot_truncate_the_first_ones_files()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        // Large enough to be still running when the second one starts; it is killed at the end.
        using var first = Process.Start(PostCli.StartInfo(
        [
            "init", "--datadir", dir, "--node-id", NodeId, "--commitment-atx-id", AtxId, "--num-units", "400",
            "--labels-per-unit", "1024", "--scrypt-n", "4096", "--max-file-size", "16384", "--threads", "1",
        ]))!;
        _ = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        try
        {
            var sw = Stopwatch.StartNew();
            while (!System.IO.File.Exists(File(dir, 0)) && sw.Elapsed < TimeSpan.FromMinutes(2) && !first.HasExited)
            {
                Thread.Sleep(10);
            }

            Assert.False(first.HasExited, "the first init ended before the second could start");
            long sizeBefore = new FileInfo(File(dir, 0)).Length;
            var second = PostCli.Run(
            [
                "init", "--datadir", dir, "--node-id", NodeId, "--commitment-atx-id", AtxId, "--num-units", "400",
                "--labels-per-unit", "1024", "--scrypt-n", "4096", "--max-file-size", "16384", "--threads", "1",
            ]);
            AssertFailedCleanly(second, 2);
            Assert.Contains($"PID {first.Id}", second.StdErr);
            Assert.True(new FileInfo(File(dir, 0)).Length >= sizeBefore, "the second init cut the first one's file");
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
    }

    // ---- 2. damage is repaired where it is; intact files are kept as they are ----

    private sealed record FileId(string Stat, byte[] Bytes);

    /// <summary>inode, size and modification time (ns) of each entry, and the bytes of regular files.</summary>
    private static Dictionary<string, FileId> Snapshot(string dir)
    {
        var entries = Directory.EnumerateFileSystemEntries(dir, "postdata_*.bin").OrderBy(x => x, StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, FileId>();
        if (entries.Count == 0)
        {
            return result;
        }

        var psi = new ProcessStartInfo("stat", ["-c", "%n|%i|%s|%.9Y|%F", .. entries]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        foreach (var line in lines)
        {
            var parts = line.Split('|');
            bool isFile = parts[4].StartsWith("regular", StringComparison.Ordinal);
            result[Path.GetFileName(parts[0])] = new FileId(string.Join('|', parts[1..]),
                isFile ? System.IO.File.ReadAllBytes(parts[0]) : []);
        }

        return result;
    }

    private static Dictionary<string, byte[]> Clean(string[] args)
    {
        var clean = ((string[])args.Clone());
        var (code, _, err) = PostCli.Run(clean);
        Assert.True(code == 0, err);
        string dir = clean[Array.IndexOf(clean, "--datadir") + 1];
        return Directory.EnumerateFiles(dir, "postdata_*.bin").ToDictionary(f => Path.GetFileName(f), System.IO.File.ReadAllBytes);
    }

    [Theory]
    [InlineData("truncate", 1)]
    [InlineData("delete", 1)]
    [InlineData("flip", 2)]
    [InlineData("truncate-without-checksums", 1)]
    [InlineData("delete-without-checksums", 0)]
    public void One_damaged_file_is_repaired_and_every_other_file_is_left_untouched(string damage, int file)
    {
        using var tmp = new TempDir();
        var reference = Clean(Small(tmp.Sub("clean")));
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
        if (damage.EndsWith("-without-checksums", StringComparison.Ordinal))
        {
            // Data finished by an earlier version (or another tool): no block checksums.
            foreach (var sums in Directory.EnumerateFiles(dir, ".postdata_*.sums"))
            {
                System.IO.File.Delete(sums);
            }
        }

        var path = File(dir, file);
        switch (damage.Split('-')[0])
        {
            case "truncate":
                using (var fs = new FileStream(path, FileMode.Open))
                {
                    fs.SetLength(1000);
                }

                break;
            case "delete":
                System.IO.File.Delete(path);
                break;
            case "flip":
                var bytes = System.IO.File.ReadAllBytes(path);
                bytes[777] ^= 0x01;
                System.IO.File.WriteAllBytes(path, bytes);
                break;
        }

        var before = Snapshot(dir);
        var r = PostCli.Run(Small(dir));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.DoesNotContain("discarding", r.StdErr);
        Assert.Contains(PostDataLayout.FileName(file), r.StdOut); // "repaired: postdata_N.bin"
        var after = Snapshot(dir);
        foreach (var (name, id) in before.Where(kv => kv.Key != PostDataLayout.FileName(file)))
        {
            Assert.Equal(id.Stat, after[name].Stat); // same inode, size and mtime: not rewritten
        }

        Assert.Equal(reference.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in reference)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name].Bytes), $"{name} differs from a clean run");
        }
    }

    [Fact]
    public void Only_the_damaged_block_of_a_file_is_recomputed()
    {
        using var tmp = new TempDir();
        var reference = Clean(Blocks(tmp.Sub("clean"), "--json"));
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Blocks(dir)).ExitCode);
        var path = File(dir, 1);
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            fs.Position = (1 << 20) + 5;
            fs.WriteByte(0xEE); // inside the second 1 MiB block
        }

        var r = PostCli.Run(Blocks(dir, "--json"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        // The second block of file 1 holds 0.5 MiB = 32768 labels; nothing else was recomputed.
        Assert.Equal(32768, doc.RootElement.GetProperty("labels").GetInt64());
        Assert.Contains("1 of 2 blocks", r.StdErr);
        foreach (var (name, bytes) in reference)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(System.IO.File.ReadAllBytes(Path.Combine(dir, name))), name);
        }
    }

    [Fact]
    public void A_directory_in_place_of_a_file_is_refused_and_nothing_is_deleted()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
        System.IO.File.Delete(File(dir, 1));
        Directory.CreateDirectory(File(dir, 1));
        System.IO.File.WriteAllText(Path.Combine(File(dir, 1), "keep"), "x");
        using (var fs = new FileStream(File(dir, 0), FileMode.Open))
        {
            fs.SetLength(100); // damage before it, too
        }

        var before = Snapshot(dir);
        var r = PostCli.Run(Small(dir));
        AssertFailedCleanly(r, 2);
        Assert.Contains("is a directory where a postdata file belongs", r.StdErr);
        Assert.Contains("Nothing was changed", r.StdErr);
        Assert.Equal(before.ToDictionary(k => k.Key, v => v.Value.Stat), Snapshot(dir).ToDictionary(k => k.Key, v => v.Value.Stat));
        Assert.True(System.IO.File.Exists(Path.Combine(File(dir, 1), "keep")));
    }

    [Fact]
    public void An_immutable_file_that_needs_repair_is_refused_before_anything_changes()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
        var bytes = System.IO.File.ReadAllBytes(File(dir, 2));
        bytes[0] ^= 0xFF;
        System.IO.File.WriteAllBytes(File(dir, 2), bytes);
        using (var fs = new FileStream(File(dir, 0), FileMode.Open))
        {
            fs.SetLength(16);
        }

        if (!Chattr("+i", File(dir, 2)) && !OperatingSystem.IsWindows())
        {
            // No immutable attribute on this file system: a read-only file is the nearest (root can still write it,
            // and then the repair must succeed).
            System.IO.File.SetUnixFileMode(File(dir, 2), UnixFileMode.UserRead);
        }

        try
        {
            var before = Snapshot(dir);
            var r = PostCli.Run(Small(dir));
            if (r.ExitCode == 0)
            {
                Assert.Equal(Clean(Small(tmp.Sub("clean"))).Values.SelectMany(b => b), Snapshot(dir).OrderBy(k => k.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.Bytes));
                return;
            }

            AssertFailedCleanly(r, 2);
            Assert.Contains("cannot be written", r.StdErr);
            Assert.Equal(before.ToDictionary(k => k.Key, v => v.Value.Stat), Snapshot(dir).ToDictionary(k => k.Key, v => v.Value.Stat));
        }
        finally
        {
            Chattr("-i", File(dir, 2));
        }
    }

    internal static bool Chattr(string flag, string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    // ---- 5. I/O errors end with a message and exit 2 ----

    [Fact]
    public void A_data_directory_that_is_a_file_or_under_a_file_is_a_clear_error()
    {
        using var tmp = new TempDir();
        var file = tmp.Sub("plain");
        System.IO.File.WriteAllText(file, "not a directory");
        var r = PostCli.Run(Small(file));
        AssertFailedCleanly(r, 2);
        Assert.Contains("is a file, not a directory", r.StdErr);

        var under = PostCli.Run(Small(Path.Combine(file, "sub", "dir")));
        AssertFailedCleanly(under, 2);
        Assert.Contains($"{file} is a file", under.StdErr);
        Assert.Equal("not a directory", System.IO.File.ReadAllText(file));
    }

    [FactRequiresRoot]
    public void A_full_disk_is_a_clear_error_leaves_no_temporary_files_and_the_same_command_resumes()
    {
        using var tmp = new TempDir();
        var mount = tmp.Sub("small-fs");
        Directory.CreateDirectory(mount);
        Assert.True(Sh($"mount -t tmpfs -o size=64k tmpfs {mount}") == 0, "mounting a small tmpfs failed");
        try
        {
            var dir = Path.Combine(mount, "d");
            // 128 KiB of labels on a 64 KiB file system: refused up front with the numbers.
            string[] big = [.. Small(dir)[..^6], "--labels-per-unit", "2048", "--scrypt-n", "16", "--max-file-size", "16384"];
            var refused = PostCli.Run(big);
            AssertFailedCleanly(refused, 2);
            Assert.Contains("free", refused.StdErr);
            Assert.False(Directory.Exists(dir), "a refused run must leave the directory as it found it");

            // Allowed to overcommit: it fills the disk, stops with a message and exit 2, no temp files, no trace.
            var full = PostCli.Run([.. big, "--allow-overcommit"]);
            AssertFailedCleanly(full, 2);
            Assert.Contains("disk is full", full.StdErr);
            Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", SearchOption.AllDirectories));

            // The same file system read-only: a clear refusal, nothing changed.
            Assert.Equal(0, Sh($"mount -o remount,ro {mount}"));
            var before = Snapshot(dir);
            var readOnly = PostCli.Run([.. big, "--allow-overcommit"]);
            AssertFailedCleanly(readOnly, 2);
            Assert.Contains("read-only", readOnly.StdErr);
            Assert.Equal(before.ToDictionary(k => k.Key, v => v.Value.Stat), Snapshot(dir).ToDictionary(k => k.Key, v => v.Value.Stat));

            // Room again: the same command resumes and ends as a clean run.
            Assert.Equal(0, Sh($"mount -o remount,rw,size=1m {mount}"));
            var resumed = PostCli.Run(big);
            Assert.True(resumed.ExitCode == 0, resumed.StdErr);
            var clean = Clean([.. big.Select(a => a == dir ? tmp.Sub("clean") : a)]);
            foreach (var (name, bytes) in clean)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(System.IO.File.ReadAllBytes(Path.Combine(dir, name))), name);
            }
        }
        finally
        {
            Sh($"umount {mount}");
        }
    }

    private static int Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true })!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }

    // ---- 6, 17: numbers at the edge ----

    [Theory]
    [InlineData("--threads", "-1", "--threads")]
    [InlineData("--threads", "100000", "--threads")]
    [InlineData("--labels-per-unit", "18446744073709551615", "labels")]
    [InlineData("--scrypt-n", "16777216", "--scrypt-n")]
    [InlineData("--max-file-size", "100", "multiple of 16")]
    [InlineData("--num-units", "0", "--num-units")]
    [InlineData("--num-units", "4294967296", "--num-units")]
    [InlineData("--vrf-difficulty", "0000000000000000000000000000000000000000000000000000000000000000", "never end")]
    [InlineData("--vrf-difficulty", "0000000000000000000000000000000000000000000000000000000000000001", "never end")]
    public void Out_of_range_numbers_are_refused_with_the_flag_and_nothing_is_left_behind(string flag, string value, string expected)
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        var args = Small(dir).ToList();
        int at = args.IndexOf(flag);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([flag, value]);
        }

        var r = PostCli.Run([.. args]);
        AssertFailedCleanly(r, 2);
        Assert.Contains(expected, r.StdErr);
        Assert.DoesNotContain("System.", r.StdErr);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(),
            "a refused run left files behind");
    }

    // ---- 23: growing --num-units on existing data ----

    [Fact]
    public void Num_units_grows_on_existing_data_keeping_its_files_and_ends_as_a_clean_run_of_the_larger_size()
    {
        using var tmp = new TempDir();
        var cleanDir = tmp.Sub("clean");
        string[] Grown(string d) => [.. Small(d).Select(a => a == "4" ? "7" : a)];
        var reference = Clean(Grown(cleanDir));
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
        var before = Snapshot(dir);

        var shrink = PostCli.Run([.. Small(dir).Select(a => a == "4" ? "3" : a)]);
        AssertFailedCleanly(shrink, 2);
        Assert.Contains("shrinking", shrink.StdErr);

        var grow = PostCli.Run(Grown(dir));
        Assert.True(grow.ExitCode == 0, grow.StdErr);
        Assert.Contains("growing the data from 4 to 7 units", grow.StdErr);
        var after = Snapshot(dir);
        foreach (var (name, id) in before)
        {
            Assert.Equal(id.Stat, after[name].Stat);
        }

        Assert.Equal(reference.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in reference)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name].Bytes), name);
        }

        Assert.Equal(System.IO.File.ReadAllText(Path.Combine(cleanDir, PostMetadata.FileName)),
            System.IO.File.ReadAllText(Path.Combine(dir, PostMetadata.FileName)));
    }

    // ---- 24: wording and files ----

    [Fact]
    public void Metadata_writes_base64_as_serde_json_does()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        var args = Small(dir);
        args[4] = string.Concat(Enumerable.Repeat("fb", 32)); // base64 "+/v7…"
        Assert.Equal(0, PostCli.Run(args).ExitCode);
        var json = System.IO.File.ReadAllText(Path.Combine(dir, PostMetadata.FileName));
        Assert.Contains("\"NodeId\": \"+/v7", json);
        Assert.DoesNotContain("\\u002B", json);
    }

    [Fact]
    public void Writing_a_missing_nonce_is_not_called_nothing_to_do()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("d");
        Assert.Equal(0, PostCli.Run(Small(dir)).ExitCode);
        var metadata = PostMetadata.Load(dir);
        Assert.NotNull(metadata.Nonce);
        (metadata with { Nonce = null }).Save(dir);

        var r = PostCli.Run(Small(dir));
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("nothing to do", r.StdOut);
        Assert.Contains($"recorded VRF nonce {metadata.Nonce}", r.StdOut);
        Assert.Equal(metadata.Nonce, PostMetadata.Load(dir).Nonce);

        var again = PostCli.Run(Small(dir));
        Assert.Contains("already complete", again.StdOut);
    }

    [Fact]
    public void Init_help_shows_the_defaults()
    {
        var help = PostCli.Run("init", "--help").StdOut;
        Assert.Contains("[default: 4294967296 (mainnet)", help);
        Assert.Contains("[default: 8192]", help);
        Assert.Contains("--allow-overcommit", help);
    }
}

/// <summary>A fact that needs root (mounting a file system); skipped with the reason otherwise.</summary>
public sealed class FactRequiresRootAttribute : FactAttribute
{
    public FactRequiresRootAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "needs root on Linux (mounts a small tmpfs)";
        }
    }
}
