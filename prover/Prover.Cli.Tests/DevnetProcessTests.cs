using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Prover.Cli.Commands;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// <c>post devnet</c> as real processes: 3 nodes (1, 2 and 3 space units, scrypt N 16), 2 or 3 s layers, 5 per epoch.
/// Every node's verified layers agree on block id and state hash (read with <c>post node layers --json</c>) for at
/// least three epochs after genesis, and each identity's rewards follow its share of the ATX weight; a node SIGKILLed
/// and restarted by the devnet an epoch later syncs and agrees again, without losing a layer it had; SIGTERM stops
/// every node, and the database then holds what the API showed.
/// </summary>
public sealed class DevnetProcessTests : IDisposable
{
    private static readonly TimeSpan Layer = TimeSpan.FromSeconds(2);
    private const int LayersPerEpoch = 5;
    private readonly TempDir _tmp = new();
    private readonly StringBuilder _output = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Starts <c>post devnet</c> with 3 nodes and <paramref name="layerSeconds"/>-second layers.</summary>
    private Process StartDevnet(int layerSeconds = 2)
    {
        var devnet = Process.Start(PostCli.StartInfo(
            "devnet", "--nodes", "3", "--datadir", _tmp.Path, "--layer-duration", $"{layerSeconds}s", "--layers-per-epoch", "5", "--scrypt-n", "16",
            "--restart-delay", "10s"))!;
        devnet.OutputDataReceived += (_, e) => Record(e.Data);
        devnet.ErrorDataReceived += (_, e) => Record(e.Data);
        devnet.BeginOutputReadLine();
        devnet.BeginErrorReadLine();
        return devnet;
    }

    /// <summary>
    /// Starts the devnet (<paramref name="layerSeconds"/>-second layers) and runs <paramref name="scenario"/> on it; a
    /// failure carries the tail of the devnet's output, and the devnet's whole process tree is killed at the end if it
    /// has not exited.
    /// </summary>
    private async Task WithDevnetAsync(Func<Process, Task> scenario, int layerSeconds = 2)
    {
        using var devnet = StartDevnet(layerSeconds);
        try
        {
            await scenario(devnet);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + "\n" + Tail(), e);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\n" + Tail());
        }
        finally
        {
            if (!devnet.HasExited)
            {
                devnet.Kill(entireProcessTree: true);
                devnet.WaitForExit();
            }
        }
    }

    [Fact]
    public Task Every_node_stores_every_nodes_valid_atxs_and_a_killed_node_restarted_an_epoch_later_syncs_the_ones_it_missed() => WithDevnetAsync(async devnet =>
    {
        var dir = _tmp.Path;
        var config = await WaitForAsync(() => Task.FromResult(DevnetConfig.Load(dir)), TimeSpan.FromSeconds(30), "devnet.json");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };

        // Every node holds a valid ATX of each of the three identities (gossiped, validated in full).
        await WaitForAsync(async () => (await AtxsAsync(http, config)).All(a => a is { } list && list.Select(x => x.Smesher).Distinct().Count() == 3) ? (object)true : null,
            TimeSpan.FromMinutes(4), "every node stores an ATX of every identity");
        var before = (await AtxsAsync(http, config))[2]!;

        // SIGKILL node 2; the devnet restarts it an epoch later; it then holds every ATX node 0 held at the kill.
        var victim = (int)(await StatusAsync(http, config.Nodes[2]))!["pid"]!;
        var atKill = (await AtxsAsync(http, config))[0]!;
        Process.GetProcessById(victim).Kill();
        await WaitForAsync(async () => await StatusAsync(http, config.Nodes[2]) is { } s && (int)s["pid"]! != victim ? (object)true : null,
            TimeSpan.FromSeconds(90), "the devnet restarts node 2");
        await WaitForAsync(async () => (await AtxsAsync(http, config))[2] is { } now && atKill.All(now.Contains) ? (object)true : null,
            TimeSpan.FromMinutes(2), "node 2 syncs the ATXs it missed");
        var after = (await AtxsAsync(http, config))[2]!;
        Assert.All(before, a => Assert.Contains(a, after));
        Assert.All(after, a => Assert.True(a.Valid, $"ATX {a.Id} is not valid on node 2"));
        Assert.Contains("node-2 died", _output.ToString(), StringComparison.Ordinal);

        // SIGTERM stops every node; each database then holds what its API showed.
        var shown = await AtxsAsync(http, config);
        await StopAsync(devnet, http, config);
        for (var i = 0; i < config.Nodes.Count; i++)
        {
            var (code, stdout, stderr) = PostCli.Run("node", "atxs", "--datadir", DevnetConfig.NodeDir(dir, i), "--json");
            Assert.True(code == 0, stderr);
            var offline = ParseAtxs(stdout);
            Assert.All(shown[i]!, a => Assert.Contains(a, offline));
        }
    });

    [Fact]
    public Task Three_nodes_agree_on_every_verified_layer_and_a_killed_node_syncs_and_agrees_again() => WithDevnetAsync(async devnet =>
    {
        // 3 s layers: the reward check needs every node's proposals in every layer of an epoch, and on a machine the
        // suite loads, 2 s layers leave the hare too little time to gather them.
        var dir = _tmp.Path;
        var config = await WaitForAsync(() => Task.FromResult(DevnetConfig.Load(dir)), TimeSpan.FromSeconds(30), "devnet.json");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };

        // Three epochs after genesis verified on every node; then every verified layer agrees.
        var target = 3 * LayersPerEpoch;
        await WaitForAsync(async () => (await VerifiedAsync(http, config)).All(v => v >= target) ? (object)true : null,
            TimeSpan.FromMinutes(4), $"every node verifies layer {target}");
        var before = AssertAgree(dir, config);
        await AssertRewardsFollowWeightAsync(http, config);

        // SIGKILL node 2; the devnet restarts it 10 s (most of an epoch) later; it syncs and agrees again.
        var victim = (int)(await StatusAsync(http, config.Nodes[2]))!["pid"]!;
        Process.GetProcessById(victim).Kill();
        var verifiedAtKill = (await VerifiedAsync(http, config)).Take(2).Min();
        await WaitForAsync(async () => await StatusAsync(http, config.Nodes[2]) is { } s && (int)s["pid"]! != victim ? (object)true : null,
            TimeSpan.FromSeconds(60), "the devnet restarts node 2");
        await WaitForAsync(async () => (await VerifiedAsync(http, config))[2] >= verifiedAtKill + LayersPerEpoch ? (object)true : null,
            TimeSpan.FromMinutes(3), "node 2 catches up past the layers it missed");
        var after = AssertAgree(dir, config);
        foreach (var (layer, record) in before[2])
        {
            Assert.True(after[2].TryGetValue(layer, out var again), $"node 2 lost layer {layer}");
            Assert.Equal(record, again);
        }

        Assert.Contains("node-2 died", _output.ToString(), StringComparison.Ordinal);

        // SIGTERM stops every node cleanly; the databases then hold what the API showed.
        await StopAsync(devnet, http, config);
        for (var i = 0; i < config.Nodes.Count; i++)
        {
            var offline = Layers(DevnetConfig.NodeDir(dir, i));
            foreach (var (layer, record) in after[i])
            {
                Assert.Equal(record, offline[layer]);
            }
        }
    }, layerSeconds: 3);

    /// <summary>
    /// Rewards follow ATX weight. Over every epoch up to the lowest verified layer in which all three identities had a
    /// valid ATX and every layer has a block, each identity's share of the rewards node 0 paid is compared with its
    /// share of the epoch's weight. The bound: in an epoch identity i has c_i = ⌊w_i·50·5/W⌋ proposal slots (41, 83 and
    /// 125 for 1, 2 and 3 units), spread over the 5 layers by its VRF, and a layer's reward is split by slot weight
    /// w_i/c_i. A simulation of that allocation (uniform slot layers, 20 000 epochs) puts 99 % of single epochs within
    /// 5.5 % of the weight share and 99.99 % within 12 %. Only whole epochs count: over one layer the share of the
    /// lightest identity varies by about 30 % (its ~8 slots of ~50). On a loaded machine a layer's hare sometimes leaves
    /// one proposal out, which moves a share by up to about a fifth (seen: 1.187 in one of four full runs), so we allow
    /// 25 %: it still fails when an identity's proposals are left out of more than one layer of the epoch.
    /// </summary>
    private async Task AssertRewardsFollowWeightAsync(HttpClient http, DevnetConfig config)
    {
        // A loaded machine starts the nodes late and the first epochs may miss an identity or a layer: wait for a full one.
        var shares = await WaitForAsync(async () => await RewardSharesAsync(http, config, (await VerifiedAsync(http, config)).Min()),
            TimeSpan.FromMinutes(3), "a verified epoch with a block in every layer and an ATX of all three identities");
        for (var i = 0; i < config.Nodes.Count; i++)
        {
            var ratio = shares.Paid[i] / shares.Fair[i];
            Record($"rewards: identity {i} ({config.Nodes[i].NumUnits} units) paid {shares.Paid[i]}, weight share {shares.Fair[i]:F0}, ratio {ratio:F3} over epochs {string.Join(',', shares.Epochs)}");
            Assert.InRange(ratio, 0.75m, 1.25m);
        }
    }

    private sealed record RewardShares(List<uint> Epochs, decimal[] Paid, decimal[] Fair);

    /// <summary>Node 0's rewards per identity over the epochs up to <paramref name="verified"/> in which all three
    /// identities had a valid ATX and every layer has a block, with each one's weight share of the same total; null
    /// when there is no such epoch yet.</summary>
    private static async Task<RewardShares?> RewardSharesAsync(HttpClient http, DevnetConfig config, long verified)
    {
        var ids = new List<(string NodeId, string Coinbase)>();
        foreach (var node in config.Nodes)
        {
            if ((await StatusAsync(http, node))?["identities"]?[0] is not { } identity) return null;
            ids.Add(((string)identity["node_id"]!, (string)identity["coinbase"]!));
        }

        var api = new Uri($"http://127.0.0.1:{config.Nodes[0].ApiPort}/");
        var atxs = JsonNode.Parse(await http.GetStringAsync(new Uri(api, "atxs")))!.AsArray();
        var shares = new RewardShares([], new decimal[ids.Count], new decimal[ids.Count]);
        for (uint epoch = 2; (epoch * LayersPerEpoch) + LayersPerEpoch - 1 <= verified; epoch++)
        {
            // Layers of epoch e weigh the ATXs published in epoch e − 1.
            var weights = ids.Select(id => atxs.Where(a => (uint)a!["publish_epoch"]! == epoch - 1 && (string)a["smesher_id"]! == id.NodeId
                && (bool?)a["valid"] == true).Sum(a => (decimal)(ulong)a!["weight"]!)).ToArray();
            if (weights.Any(w => w == 0)) continue;

            uint from = epoch * LayersPerEpoch, to = from + LayersPerEpoch - 1;
            var layers = JsonNode.Parse(await http.GetStringAsync(new Uri(api, $"layers?from={from}&to={to}")))!.AsArray();
            if (layers.Count < LayersPerEpoch || layers.Any(l => (string)l!["block_id"]! == new string('0', 40))) continue;

            var amounts = new decimal[ids.Count];
            for (var i = 0; i < ids.Count; i++)
            {
                var list = JsonNode.Parse(await http.GetStringAsync(new Uri(api, $"rewards/{ids[i].Coinbase}?from={from}&to={to}")))!.AsArray();
                amounts[i] = list.Sum(r => (decimal)(ulong)r!["amount"]!);
            }

            decimal total = amounts.Sum();
            shares.Epochs.Add(epoch);
            for (var i = 0; i < ids.Count; i++)
            {
                shares.Fair[i] += weights[i] / weights.Sum() * total;
                shares.Paid[i] += amounts[i];
            }
        }

        return shares.Epochs.Count > 0 ? shares : null;
    }

    /// <summary>SIGTERM to the devnet: it exits 0 within a minute and no node process is left.</summary>
    private static async Task StopAsync(Process devnet, HttpClient http, DevnetConfig config)
    {
        var pids = new List<int>();
        foreach (var node in config.Nodes)
        {
            if (await StatusAsync(http, node) is { } s)
            {
                pids.Add((int)s["pid"]!);
            }
        }

        Terminate(devnet);
        Assert.True(devnet.WaitForExit(TimeSpan.FromSeconds(60)), "the devnet stops within a minute");
        Assert.Equal(0, devnet.ExitCode);
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"node process {pid} still runs"));
    }

    private sealed record Atx(string Id, string Smesher, bool Valid);

    private static List<Atx> ParseAtxs(string json) =>
        [.. JsonNode.Parse(json)!.AsArray().Select(a => new Atx((string)a!["id"]!, (string)a["smesher_id"]!, (bool?)a["valid"] == true))];

    /// <summary>Each node's stored ATXs through its API (null for a node that does not answer).</summary>
    private static async Task<List<Atx>?[]> AtxsAsync(HttpClient http, DevnetConfig config)
    {
        var result = new List<Atx>?[config.Nodes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            try
            {
                result[i] = ParseAtxs(await http.GetStringAsync(new Uri($"http://127.0.0.1:{config.Nodes[i].ApiPort}/atxs")));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                result[i] = null;
            }
        }

        return result;
    }

    /// <summary>Reads every node's layers with <c>post node layers --json</c>; every layer up to the lowest verified
    /// one must carry the same block id and state hash on every node. Returns each node's layers.</summary>
    private static List<Dictionary<uint, (string Block, string State)>> AssertAgree(string dir, DevnetConfig config)
    {
        var all = config.Nodes.Select(n => Layers(DevnetConfig.NodeDir(dir, n.Index))).ToList();
        var common = all.Skip(1).Aggregate(all[0].Keys.ToHashSet(), (keys, l) => { keys.IntersectWith(l.Keys); return keys; }).ToList();
        Assert.True(common.Count >= LayersPerEpoch, $"only {common.Count} layers in common");
        foreach (var layer in common)
        {
            Assert.Single(all.Select(l => l[layer]).Distinct());
        }

        return all;
    }

    /// <summary>The valid layers of one node: layer → (block id, state hash).</summary>
    private static Dictionary<uint, (string Block, string State)> Layers(string nodeDir)
    {
        var (code, stdout, stderr) = PostCli.Run("node", "layers", "--datadir", nodeDir, "--json");
        Assert.True(code == 0, $"post node layers: exit {code}: {stderr}");
        return JsonNode.Parse(stdout)!.AsArray()
            .Where(l => (bool)l!["valid"]!)
            .ToDictionary(l => (uint)l!["layer"]!, l => ((string)l!["block_id"]!, (string)l["state_hash"]!));
    }

    private static async Task<JsonNode?> StatusAsync(HttpClient http, DevnetNode node)
    {
        try
        {
            return JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{node.ApiPort}/status")));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<long[]> VerifiedAsync(HttpClient http, DevnetConfig config)
    {
        var result = new long[config.Nodes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = await StatusAsync(http, config.Nodes[i]) is { } s && s["verified_layer"] is { } v ? (long)v : -1;
        }

        return result;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan limit, string what)
        where T : class
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(Layer / 2);
        }

        throw new Xunit.Sdk.XunitException($"timed out after {limit.TotalSeconds:0} s waiting until {what}");
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Tail()
    {
        string text;
        lock (_output)
        {
            text = _output.ToString();
        }

        var lines = text.Split('\n');
        var logs = string.Join('\n', Enumerable.Range(0, 3).Select(i => Path.Combine(DevnetConfig.NodeDir(_tmp.Path, i), "node.log"))
            .Where(File.Exists).Select(f => $"--- {f}\n" + string.Join('\n', File.ReadAllLines(f).Where(l => !l.StartsWith("epoch ", StringComparison.Ordinal)).TakeLast(25))));
        return string.Join('\n', lines.TakeLast(30)) + "\n" + logs;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Terminate(Process process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
