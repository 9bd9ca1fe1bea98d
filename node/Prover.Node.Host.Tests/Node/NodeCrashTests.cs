using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Prover.Node.Host.Node;
using Prover.Node.Storage;
using Xunit;

namespace Prover.Node.Host.Tests.Node;

/// <summary>
/// <c>post node run</c> as a real process, killed with SIGKILL while registered at the PoET, while proving and right
/// after publishing, then restarted: no identity ever has two ATXs in one epoch, no ATX seen before a kill is lost,
/// chains stay intact and the database opens consistent.
/// </summary>
public sealed class NodeCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("node-crash-").FullName;
    private readonly ConcurrentQueue<string> _output = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sigkill_at_any_step_never_double_publishes_nor_loses_an_atx()
    {
        var seen = new HashSet<string>();
        string[] targets = ["waiting_for_poet_round", "proving", "published", "waiting_for_poet_round", "published"];
        foreach (var target in targets)
        {
            using var node = Start();
            var before = seen.Count;
            var reached = await PollAsync(TimeSpan.FromSeconds(30), async http =>
            {
                var status = JsonNode.Parse(await http.GetStringAsync("status"))!;
                foreach (var a in JsonNode.Parse(await http.GetStringAsync("atxs"))!.AsArray())
                {
                    seen.Add((string)a!["id"]!);
                }

                // "published" is momentary (the builder goes straight on to the next challenge): a new ATX shows it.
                return target == "published"
                    ? seen.Count > before
                    : status["identities"]!.AsArray().Any(i => (string?)i!["state"] == target);
            });
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            File.Delete(Path.Combine(_dir, NodeQueries.ApiAddressFile));
            Assert.True(reached, $"never saw state {target}:\n{string.Join('\n', _output.TakeLast(40))}");
        }

        // A last run until each identity has three ATXs, then a final kill.
        using (var node = Start())
        {
            var done = await PollAsync(TimeSpan.FromSeconds(45), async http =>
            {
                var atxs = JsonNode.Parse(await http.GetStringAsync("atxs"))!.AsArray();
                return atxs.GroupBy(a => (string)a!["smesher_id"]!).Count(g => g.Count() >= 3) == 2;
            });
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            Assert.True(done, string.Join('\n', _output.TakeLast(40)));
        }

        NodeQueries.WithStore(_dir, (store, _) =>
        {
            Assert.True(store.CheckConsistency().IsConsistent, string.Join("; ", store.CheckConsistency().Problems));
            foreach (var id in seen)
            {
                Assert.True(store.ContainsAtx(Prover.Core.Primitives.AtxId.Parse(id)), $"ATX {id} seen before a kill is gone");
            }

            var smeshers = Directory.EnumerateDirectories(Path.Combine(_dir, "post"))
                .Select(d => Prover.Core.Primitives.NodeId.Parse(Path.GetFileName(d))).ToList();
            Assert.Equal(2, smeshers.Count);
            foreach (var smesher in smeshers)
            {
                var atxs = store.AtxsBySmesher(smesher);
                Assert.True(atxs.Count >= 3);
                Assert.Equal(atxs.Count, atxs.Select(a => a.PublishEpoch).Distinct().Count());
                for (var i = 0; i < atxs.Count; i++)
                {
                    Assert.Equal((ulong)i, atxs[i].Sequence);
                    Assert.Equal(i == 0 ? null : atxs[i - 1].Id, atxs[i].PreviousAtxId);
                    Assert.Single(store.AtxIdsBySmesherInEpoch(smesher, atxs[i].PublishEpoch));
                }
            }

            return 0;
        });
    }

    private Process Start()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "post.dll"), "node", "run", "--datadir", _dir, "--identities", "2",
                     "--layer-duration", "1s", "--layers-per-epoch", "5", "--poet-phase-shift", "2s", "--poet-cycle-gap", "2s",
                     "--grace-period", "500ms", "--scrypt-n", "64",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue("! " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls the node's API (once it wrote its address) until <paramref name="check"/> holds or time runs out.</summary>
    private async Task<bool> PollAsync(TimeSpan limit, Func<HttpClient, Task<bool>> check)
    {
        var until = DateTime.UtcNow + limit;
        var file = Path.Combine(_dir, NodeQueries.ApiAddressFile);
        HttpClient? http = null;
        try
        {
            while (DateTime.UtcNow < until)
            {
                if (http is null && File.Exists(file) && await File.ReadAllTextAsync(file) is { Length: > 0 } url)
                {
                    http = new HttpClient { BaseAddress = new Uri(url.Trim()), Timeout = TimeSpan.FromSeconds(5) };
                }

                try
                {
                    if (http is not null && await check(http))
                    {
                        return true;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100);
            }

            return false;
        }
        finally
        {
            http?.Dispose();
        }
    }
}
