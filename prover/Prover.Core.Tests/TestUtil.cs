using System.Diagnostics;
using System.Text.Json;
using Prover.Core.Data;

namespace Prover.Core.Tests;

internal static class TestData
{
    public static JsonElement Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", file)));
        return doc.RootElement.Clone();
    }

    public static byte[] Hex(this JsonElement e) => Convert.FromHexString(e.GetString()!);

    public static byte[] Repeat(byte b, int n = 32) => Enumerable.Repeat(b, n).ToArray();
}

/// <summary>The label files of a PoST data directory.</summary>
internal static class LabelFiles
{
    /// <summary>All label bytes of a directory, in file order.</summary>
    public static byte[] ReadAll(string dir) =>
        PostDataLayout.ListFiles(dir).SelectMany(f => File.ReadAllBytes(f.Path)).ToArray();
}

/// <summary>A temporary directory removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "post-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the real <c>post</c> binary (post.dll next to the tests) as a child process.</summary>
internal static class PostCli
{
    public static string Dll => System.IO.Path.Combine(AppContext.BaseDirectory, "post.dll");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            throw new TimeoutException("post did not finish: " + string.Join(' ', args));
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
