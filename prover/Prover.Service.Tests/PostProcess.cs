using System.Diagnostics;

namespace Prover.Service.Tests;

/// <summary>The real <c>post</c> binary (post.dll next to the tests) as a child process.</summary>
internal static class PostProcess
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "post.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Runs post to its end; one still running after 60 s is killed and fails the test.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            p.Kill(true);
            Assert.Fail($"post {string.Join(' ', args)} still runs after 60 s: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
