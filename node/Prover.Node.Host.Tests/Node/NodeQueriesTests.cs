using System.Text.Json.Nodes;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Genesis;
using Prover.Node.Host.Node;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage.Rocks;
using Xunit;

namespace Prover.Node.Host.Tests.Node;

/// <summary>
/// The queries behind <c>post node layers|balance|rewards</c> and the node's operator API, over a real RocksDB
/// database: three applied layers (one empty) paying two coinbases.
/// </summary>
public sealed class NodeQueriesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "node-queries-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static AtxId Atx(byte tag) => new(Enumerable.Repeat(tag, 32).ToArray());

    private static Address Coinbase(byte tag) => new([0, 0, 0, 0, .. Enumerable.Repeat(tag, 20)]);

    private static HareProposal Proposal(byte tag, byte atx, ulong weight) =>
        new(new Hash20(Enumerable.Repeat(tag, 20).ToArray()), Atx(atx), weight, 100, 150, 4, 1);

    /// <summary>Layers 8 (ATXs 1 and 2, weights 1:3), 9 (empty) and 10 (ATX 1 alone), all valid.</summary>
    private static List<LayerRecord> Apply(ConsensusStore store)
    {
        var state = new MeshState(store, atx => Coinbase(atx.Span[0]), new LayerId(8));
        var blocks = new[] { BlockBuilder.Build(new LayerId(8), [Proposal(1, 1, 100), Proposal(2, 2, 300)])!, BlockBuilder.Build(new LayerId(10), [Proposal(3, 1, 100)])! };
        foreach (var b in blocks) store.AddBlock(b);
        return [state.Apply(new LayerId(8), blocks[0], valid: true), state.Apply(new LayerId(9), null, valid: true), state.Apply(new LayerId(10), blocks[1], valid: true)];
    }

    [Fact]
    public void Rewards_list_each_layer_atx_and_amount_in_layer_order_and_sum_to_the_balance()
    {
        using var kv = RocksKeyValueStore.Open(_dir, NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        Apply(store);

        var one = NodeQueries.RewardsJson(store, Coinbase(1), null, null);
        Assert.Equal([8u, 10u], one.Select(r => (uint)r!["layer"]!));
        Assert.All(one, r => Assert.Equal(Atx(1).ToString(), (string)r!["atx_id"]!));
        Assert.Equal(MeshState.LayerReward / 4, (ulong)one[0]!["amount"]!);
        Assert.Equal(MeshState.LayerReward, (ulong)one[1]!["amount"]!);

        var balance = NodeQueries.BalanceJson(store, Coinbase(1));
        Assert.Equal(one.Sum(r => (decimal)(ulong)r!["amount"]!), (decimal)(ulong)balance["balance"]!);
        Assert.Equal(2, (int)balance["rewards"]!);

        // --from/--to are inclusive; an account never paid has no rewards and a zero balance.
        Assert.Equal([10u], NodeQueries.RewardsJson(store, Coinbase(1), 9, null).Select(r => (uint)r!["layer"]!));
        Assert.Equal([8u], NodeQueries.RewardsJson(store, Coinbase(1), null, 9).Select(r => (uint)r!["layer"]!));
        Assert.Single(NodeQueries.RewardsJson(store, Coinbase(2), 8, 8));
        Assert.Empty(NodeQueries.RewardsJson(store, Coinbase(2), 9, 10));
        Assert.Empty(NodeQueries.RewardsJson(store, Coinbase(9), null, null));
        Assert.Equal(0UL, (ulong)NodeQueries.BalanceJson(store, Coinbase(9))["balance"]!);
    }

    [Fact]
    public void Layers_list_block_validity_and_state_hash_of_the_inclusive_range()
    {
        using var kv = RocksKeyValueStore.Open(_dir, NodeColumns.All);
        var store = ConsensusStore.Open(kv);
        var applied = Apply(store);

        var all = NodeQueries.LayersJson(store, null, null);
        Assert.Equal(applied.Select(l => l.Layer.Value), all.Select(l => (uint)l!["layer"]!));
        Assert.Equal(applied.Select(l => l.Block.ToString()), all.Select(l => (string)l!["block_id"]!));
        Assert.Equal(applied.Select(l => l.StateHash.ToString()), all.Select(l => (string)l!["state_hash"]!));
        Assert.All(all, l => Assert.True((bool)l!["valid"]!));
        Assert.Equal(new string('0', 40), (string)all[1]!["block_id"]!);
        Assert.Equal([9u], NodeQueries.LayersJson(store, 9, 9).Select(l => (uint)l!["layer"]!));
    }

    [Fact]
    public void Post_node_rewards_and_balance_read_a_stopped_nodes_database_and_refuse_a_bad_coinbase()
    {
        Directory.CreateDirectory(_dir);
        new NodeGenesisFile(1_700_000_000, "test", "standalone", 2000, 5, 1000, 1000, 500, 16).Save(_dir);
        using (var kv = RocksKeyValueStore.Open(Path.Combine(_dir, "node.db"), NodeColumns.All))
        {
            Apply(ConsensusStore.Open(kv));
        }

        var (code, stdout, stderr) = Run("node", "rewards", "--datadir", _dir, Coinbase(1).ToString(), "--json");
        Assert.True(code == 0, stderr);
        var list = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal([8u, 10u], list.Select(r => (uint)r!["layer"]!));

        (code, stdout, stderr) = Run("node", "rewards", "--datadir", _dir, Coinbase(2).ToString());
        Assert.True(code == 0, stderr);
        Assert.Equal($"layer 8 atx {Atx(2)} amount {MeshState.LayerReward / 4 * 3}", stdout.Trim());

        (code, stdout, stderr) = Run("node", "balance", "--datadir", _dir, Coinbase(1).ToString());
        Assert.True(code == 0, stderr);
        Assert.Equal(list.Sum(r => (decimal)(ulong)r!["amount"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), stdout.Trim());

        (code, _, stderr) = Run("node", "rewards", "--datadir", _dir, "abc");
        Assert.Equal(2, code);
        Assert.Contains("COINBASE: expected 48 hex digits", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>post</c> (the CLI built beside the tests) and returns its exit code, stdout and stderr.</summary>
    private static (int Code, string StdOut, string StdErr) Run(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "post.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
