using System.Text.Json.Nodes;
using Prover.Node.Atx;
using Prover.Node.Host.Node;
using Prover.Node.Storage;
using Xunit;

namespace Prover.Node.Host.Tests.Node;

/// <summary>
/// The whole node in process: RocksDB, generated identities, embedded PoET over REST, CPU init (scrypt N 64), local
/// prover; 1 s layers, 5 per epoch.
/// </summary>
public sealed class NodeRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("node-runner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private NodeRunnerOptions Options() => new()
    {
        DataDir = _dir,
        Identities = 2,
        LayerDuration = TimeSpan.FromSeconds(1),
        LayersPerEpoch = 5,
        PoetPhaseShift = TimeSpan.FromSeconds(2),
        PoetCycleGap = TimeSpan.FromSeconds(2),
        GracePeriod = TimeSpan.FromMilliseconds(500),
        ScryptN = 64,
        PoetMaxLeaves = 400,
    };

    [Fact]
    public async Task Node_publishes_chained_atxs_for_two_identities_in_three_epochs_and_keeps_its_genesis()
    {
        Prover.Node.Genesis.GenesisConfig genesis;
        await using (var node = await NodeRunner.StartAsync(Options()))
        {
            genesis = node.Genesis;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(75));
            var run = node.RunAsync(stop.Token);
            while (!stop.IsCancellationRequested && !node.Builders.All(b => node.Store.AtxsBySmesher(b.NodeId).Count >= 3))
            {
                await Task.Delay(250);
            }

            using var http = new HttpClient { BaseAddress = node.ApiAddress };
            var status = JsonNode.Parse(await http.GetStringAsync("status"))!;
            var metrics = await http.GetStringAsync("metrics");
            var atxsJson = JsonNode.Parse(await http.GetStringAsync("atxs"))!.AsArray();
            await stop.CancelAsync();
            await run;

            Assert.Equal(2, status["identities"]!.AsArray().Count);
            Assert.Contains("node_atxs_published_total", metrics, StringComparison.Ordinal);
            foreach (var b in node.Builders)
            {
                var atxs = node.Store.AtxsBySmesher(b.NodeId);
                Assert.True(atxs.Count >= 3, $"{b.NodeId}: {atxs.Count} ATXs; {b.Status}");
                for (var i = 0; i < atxs.Count; i++)
                {
                    Assert.Equal(AtxValidity.Valid, atxs[i].Validity);
                    Assert.Equal((ulong)i, atxs[i].Sequence);
                    Assert.Equal(i == 0 ? null : atxs[i - 1].Id, atxs[i].PreviousAtxId);
                    if (i > 0)
                    {
                        // A loaded machine may miss a PoET round (proof longer than the cycle gap): later, never equal.
                        Assert.True(atxs[i].PublishEpoch > atxs[i - 1].PublishEpoch, $"epochs {atxs[i - 1].PublishEpoch} then {atxs[i].PublishEpoch}");
                    }

                    Assert.Equal(atxs[i].Id, ActivationTxV1.Decode(node.Store.GetAtxBlob(atxs[i].Id)!.Bytes.Span).ComputeId());
                }
            }

            Assert.True(atxsJson.Count >= 6);
            Assert.All(atxsJson, a => Assert.Equal(genesis.GenesisId.ToString(), (string?)a!["genesis_id"]));
            Assert.True(node.Store.CheckConsistency().IsConsistent);
        }

        // A restart (with other timing flags) keeps the genesis and timing of the first start.
        await using var again = await NodeRunner.StartAsync(Options() with { LayerDuration = TimeSpan.FromSeconds(7) });
        Assert.Equal(genesis.GenesisId, again.Genesis.GenesisId);
        Assert.Equal(TimeSpan.FromSeconds(1), again.Clock.LayerDuration);
        Assert.True(again.Store.CheckConsistency().IsConsistent);
    }

    [Fact]
    public async Task Node_publishes_chained_atxs_with_proofs_from_supervised_post_serve_processes()
    {
        // A remote proof takes longer (the child verifies it before sending): a 3.5 s window between round end and the next registration.
        await using var node = await NodeRunner.StartAsync(Options() with
        {
            Prover = ProverMode.Supervised,
            GrpcPostListener = "127.0.0.1:0",
            LayersPerEpoch = 6,
            PoetPhaseShift = TimeSpan.FromSeconds(3),
            PoetCycleGap = TimeSpan.FromSeconds(3.5),
        });
        Assert.NotNull(node.PostListener);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var run = node.RunAsync(stop.Token);
        while (!stop.IsCancellationRequested && !node.Builders.All(b => node.Store.AtxsBySmesher(b.NodeId).Count >= 3))
        {
            await Task.Delay(250);
        }

        await stop.CancelAsync();
        await run;
        foreach (var b in node.Builders)
        {
            var atxs = node.Store.AtxsBySmesher(b.NodeId);
            Assert.True(atxs.Count >= 3, $"{b.NodeId}: {atxs.Count} ATXs; {b.Status}");
            for (var i = 1; i < atxs.Count; i++)
            {
                Assert.Equal(atxs[i - 1].Id, atxs[i].PreviousAtxId);
                Assert.True(atxs[i].PublishEpoch > atxs[i - 1].PublishEpoch, $"epochs {atxs[i - 1].PublishEpoch} then {atxs[i].PublishEpoch}");
                Assert.Equal(AtxValidity.Valid, atxs[i].Validity);
            }
        }
    }
}
