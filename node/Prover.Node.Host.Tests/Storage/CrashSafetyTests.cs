using System.Diagnostics;
using Prover.Node.Storage;
using Prover.Storage.Rocks;
using Xunit;
using static Prover.Node.Tests.Storage.NodeStoreFixtures;

namespace Prover.Node.Host.Tests.Storage;

/// <summary>
/// SIGKILL while ATXs are being written: after every kill the database opens, passes
/// <see cref="NodeStore.CheckConsistency"/>, holds exactly the ATXs 1..k that were written before the kill (no partial
/// ATX, no gap), and the writer resumes from k+1.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "node-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Killing_the_writer_at_random_points_never_leaves_a_partial_atx_or_a_gap()
    {
        var random = new Random(12);
        int stored = 0, kills = 0;
        for (int round = 0; round < 5; round++)
        {
            using (var child = StartWriter(stored + 1))
            {
                var stdout = child.StandardOutput;
                var ready = await stdout.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                if (ready != "ready") Assert.Fail($"the writer did not start: {ready} {await child.StandardError.ReadToEndAsync()}");
                await Task.Delay(random.Next(250, 900));
                if (child.HasExited) Assert.Fail($"the writer stopped by itself: {await child.StandardError.ReadToEndAsync()}");
                child.Kill(); // SIGKILL on Unix: no finalizer, no flush, no RocksDB close
                await child.WaitForExitAsync();
                kills++;
            }

            using var kv = RocksKeyValueStore.Open(_dir, NodeColumns.All);
            var node = NodeStore.Open(kv);
            var report = node.CheckConsistency();
            Assert.True(report.IsConsistent, string.Join("\n", report.Problems.Take(10)));
            Assert.True(report.AtxCount > stored, $"round {round}: no progress past {stored} ATXs");
            for (int n = 1; n <= report.AtxCount; n++)
            {
                var header = node.GetAtx(Id(n));
                Assert.True(header is not null, $"round {round}: ATX {n} of {report.AtxCount} is missing");
                Assert.Equal(Header(n, (uint)(n / 10), CrashWriter.SmesherOf(n), previous: n > 5 ? Id(n - 5) : null, initial: n <= 5), header);
                Assert.Equal(Blob(n), node.GetAtxBlob(Id(n))!.Bytes.ToArray());
            }

            Assert.False(node.ContainsAtx(Id(report.AtxCount + 1)));
            stored = report.AtxCount;
        }

        Assert.Equal(5, kills);
    }

    private Process StartWriter(int first)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Prover.Node.Host.Tests.dll"));
        psi.ArgumentList.Add(CrashWriter.Name);
        psi.ArgumentList.Add(_dir);
        psi.ArgumentList.Add(first.ToString());
        return Process.Start(psi)!;
    }
}
