using System.Diagnostics;
using Prover.Core.Data;
using Xunit;
using Xunit.Abstractions;

namespace Prover.Cli.Tests;

/// <summary>
/// <c>post init</c> over a finished dataset under random damage (truncate, delete, replace by a directory, flip bytes,
/// make read-only or immutable, several at once): afterwards the data is byte-identical to a clean run, or the command
/// failed with a message and exit 1/2 and changed nothing — and in every case no intact file was deleted or rewritten
/// (same inode, size, modification time and bytes).
/// </summary>
public class InitDamagePropertyTests(ITestOutputHelper output)
{
    private static readonly string NodeId = string.Concat(Enumerable.Repeat("4d", 32));

    /// <summary>5 files of 1.5 MiB (two checksum blocks each) and one of 0.5 MiB: 8 MiB at N = 16.</summary>
    private static string[] Args(string dir) =>
    [
        "init", "--datadir", dir, "--node-id", NodeId, "--commitment-atx-id", new string('0', 64), "--num-units", "8",
        "--labels-per-unit", "65536", "--scrypt-n", "16", "--max-file-size", "1572864",
    ];

    private sealed record Entry(string Kind, long Inode, long Size, string Modified, byte[] Bytes);

    private static Dictionary<string, Entry> Snapshot(string dir)
    {
        var names = Directory.EnumerateFileSystemEntries(dir, "postdata_*.bin").Order(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, Entry>();
        if (names.Count == 0)
        {
            return result;
        }

        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%n|%F|%i|%s|%.9Y", .. names]) { RedirectStandardOutput = true })!;
        foreach (var line in p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('|');
            bool regular = f[1].StartsWith("regular", StringComparison.Ordinal);
            result[Path.GetFileName(f[0])] = new Entry(regular ? "file" : f[1], long.Parse(f[2]), long.Parse(f[3]), f[4],
                regular ? File.ReadAllBytes(f[0]) : []);
        }

        p.WaitForExit();
        return result;
    }

    [Fact]
    public void Init_after_random_damage_repairs_exactly_or_refuses_and_never_touches_intact_files()
    {
        using var tmp = new TempDir();
        var clean = tmp.Sub("clean");
        var first = PostCli.Run(Args(clean));
        Assert.True(first.ExitCode == 0, first.StdErr);
        var reference = Snapshot(clean);
        int files = reference.Count;
        var random = new Random(20261202);
        int repaired = 0, refused = 0;

        for (int round = 0; round < 12; round++)
        {
            var dir = tmp.Sub($"round{round}");
            CopyDataset(clean, dir);
            var intact = new HashSet<string>(reference.Keys);
            var damages = new List<string>();
            int count = 1 + random.Next(3);
            var immutable = new List<string>();
            for (int d = 0; d < count; d++)
            {
                int file = random.Next(files);
                string name = PostDataLayout.FileName(file);
                string path = Path.Combine(dir, name);
                if (Directory.Exists(path))
                {
                    continue;
                }

                string kind = new[] { "truncate", "delete", "directory", "flip", "read-only", "immutable" }[random.Next(6)];
                switch (kind)
                {
                    case "truncate" when File.Exists(path):
                        using (var fs = new FileStream(path, FileMode.Open))
                        {
                            fs.SetLength(random.NextInt64(fs.Length));
                        }

                        break;
                    case "delete" when File.Exists(path):
                        File.Delete(path);
                        break;
                    case "directory":
                        File.Delete(path);
                        Directory.CreateDirectory(path);
                        break;
                    case "flip" when File.Exists(path) && new FileInfo(path).Length > 0:
                        using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
                        {
                            fs.Position = random.NextInt64(fs.Length);
                            int b = fs.ReadByte();
                            fs.Position--;
                            fs.WriteByte((byte)(b ^ (1 << random.Next(8))));
                        }

                        break;
                    case "read-only" when File.Exists(path) && !OperatingSystem.IsWindows():
                        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
                        kind = "read-only (no data change)";
                        break;
                    case "immutable" when File.Exists(path):
                        if (HardeningInitTests.Chattr("+i", path))
                        {
                            immutable.Add(path);
                        }

                        kind = "immutable (no data change)";
                        break;
                    default:
                        continue;
                }

                damages.Add($"{kind} {name}");
                if (!kind.Contains("no data change", StringComparison.Ordinal))
                {
                    intact.Remove(name);
                }
            }

            var before = Snapshot(dir);
            var r = PostCli.Run(Args(dir));
            foreach (var path in immutable)
            {
                HardeningInitTests.Chattr("-i", path);
            }

            var after = Snapshot(dir);
            output.WriteLine($"round {round}: {string.Join(", ", damages)} → exit {r.ExitCode}");

            // No intact file is deleted or rewritten, whatever the outcome.
            foreach (var name in intact)
            {
                Assert.True(after.TryGetValue(name, out var now), $"round {round} ({string.Join(", ", damages)}): intact {name} was deleted");
                var was = before[name];
                Assert.True(was.Inode == now.Inode && was.Modified == now.Modified && was.Bytes.AsSpan().SequenceEqual(now.Bytes),
                    $"round {round} ({string.Join(", ", damages)}): intact {name} was rewritten");
            }

            if (r.ExitCode == 0)
            {
                repaired++;
                Assert.Equal(reference.Keys.Order(), after.Keys.Order());
                foreach (var (name, entry) in reference)
                {
                    Assert.True(after[name].Kind == "file" && entry.Bytes.AsSpan().SequenceEqual(after[name].Bytes),
                        $"round {round} ({string.Join(", ", damages)}): {name} differs from a clean run after exit 0");
                }

                Assert.Equal(File.ReadAllText(Path.Combine(clean, PostMetadata.FileName)),
                    File.ReadAllText(Path.Combine(dir, PostMetadata.FileName)));
            }
            else
            {
                refused++;
                Assert.True(r.ExitCode is 1 or 2, $"round {round}: exit {r.ExitCode}: {r.StdErr}");
                Assert.Contains("error: ", r.StdErr);
                Assert.DoesNotContain("   at ", r.StdErr);
                // A refusal changes nothing.
                Assert.Equal(before.Keys.Order(), after.Keys.Order());
                foreach (var (name, was) in before)
                {
                    Assert.True(was.Kind == after[name].Kind && was.Inode == after[name].Inode && was.Bytes.AsSpan().SequenceEqual(after[name].Bytes),
                        $"round {round} ({string.Join(", ", damages)}): {name} changed although init failed: {r.StdErr}");
                }
            }
        }

        output.WriteLine($"{repaired} rounds repaired, {refused} refused");
        Assert.True(repaired > 0 && refused > 0, $"the random damage should produce both outcomes ({repaired} repaired, {refused} refused)");
    }

    /// <summary>A finished dataset as init leaves it (data, metadata, state and checksums; the copies get new
    /// modification times, so the first run reads every file against its checksums).</summary>
    private static void CopyDataset(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            if (Path.GetFileName(file) != DataDirLock.FileName)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }
    }
}
