using System.Diagnostics;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// Issue 15 item 19: the README's "Try it" block runs as written. The block is read from README.md, <c>post</c> is
/// the binary built next to the tests, and every line runs in order in an empty directory and must exit 0.
/// </summary>
public sealed class HardeningVerifyReadmeTests
{
    [Fact]
    public async Task Try_it_block_runs_as_written()
    {
        var lines = TryItBlock(File.ReadAllLines(FindReadme()));
        Assert.Contains(lines, l => l.StartsWith("post init ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("post verify ", StringComparison.Ordinal));

        using var dir = new TempDir();
        foreach (var line in lines)
        {
            var psi = new ProcessStartInfo("bash")
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("set -o pipefail; post() { dotnet \"$POST_DLL\" \"$@\"; }; " + line);
            psi.Environment["POST_DLL"] = PostCli.Dll;
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                p.Kill(true);
                Assert.Fail($"README line did not finish: {line}");
            }

            string output = await stdout + "\n" + await stderr;
            Assert.True(p.ExitCode == 0, $"README line exited {p.ExitCode}: {line}\n{output}");
        }
    }

    /// <summary>The commands of the first fenced block under "## Try it" (comments and blank lines left out).</summary>
    internal static List<string> TryItBlock(string[] readme)
    {
        int heading = Array.FindIndex(readme, l => l.Trim() == "## Try it");
        Assert.True(heading >= 0, "README.md has no \"## Try it\" section");
        int open = Array.FindIndex(readme, heading, l => l.StartsWith("```", StringComparison.Ordinal));
        int close = Array.FindIndex(readme, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(open > heading && close > open, "the \"Try it\" section has no fenced block");
        return readme[(open + 1)..close]
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }

    /// <summary>README.md of the repository the tests were built from: the first one up from the test binaries.</summary>
    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }
}
