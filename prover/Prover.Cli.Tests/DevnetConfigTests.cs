using Prover.Cli.Commands;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary><c>devnet.json</c> and the <c>post node run</c> command lines <c>post devnet</c> derives from it.</summary>
public class DevnetConfigTests
{
    private static string Value(IReadOnlyList<string> args, string flag) => args[IndexOf(args, flag) + 1];

    private static int IndexOf(IReadOnlyList<string> args, string flag)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == flag)
            {
                return i;
            }
        }

        return -1;
    }

    private static List<string> Values(IReadOnlyList<string> args, string flag) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == flag).Select(p => args[p.i + 1])];

    [Fact]
    public void Every_node_shares_the_genesis_dials_every_other_and_registers_at_node_zeros_poet()
    {
        var config = DevnetConfig.Create(4, TimeSpan.FromSeconds(1), 5, 16, null, null, null);
        var lines = config.Nodes.Select(n => config.NodeArguments("/d", n, 1)).ToList();

        var ports = config.Nodes.SelectMany(n => new[] { n.ListenPort, n.ApiPort }).Append(config.Nodes[0].PoetPort).ToList();
        Assert.Equal(9, ports.Distinct().Count());
        Assert.All(config.Nodes.Skip(1), n => Assert.Equal(0, n.PoetPort));
        Assert.Single(lines.Select(a => Value(a, "--genesis-time")).Distinct());
        Assert.Single(lines.Select(a => Value(a, "--genesis-extra-data")).Distinct());
        Assert.Equal(["1", "2", "3", "4"], lines.Select(a => Value(a, "--num-units")));
        Assert.All(lines, a => Assert.Equal("4", Value(a, "--max-num-units")));
        Assert.Equal(config.Nodes[0].PoetPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(lines[0], "--poet-port"));
        Assert.Equal(-1, IndexOf(lines[0], "--poet-url"));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Path.Combine("/d", $"node-{i}"), Value(lines[i], "--datadir"));
            Assert.Equal($"127.0.0.1:{config.Nodes[i].ListenPort}", Value(lines[i], "--listen"));
            var peers = Values(lines[i], "--peer");
            Assert.Equal(config.Nodes.Where(n => n.Index != i).Select(n => $"127.0.0.1:{n.ListenPort}").Order(), peers.Order());
            if (i > 0)
            {
                Assert.Equal($"http://127.0.0.1:{config.Nodes[0].PoetPort}/", Value(lines[i], "--poet-url"));
            }
        }
    }

    [Fact]
    public void The_file_keeps_the_first_starts_choices()
    {
        using var tmp = new TempDir();
        var config = DevnetConfig.Create(2, TimeSpan.FromMilliseconds(1500), 7, 32, TimeSpan.FromSeconds(3), null, TimeSpan.FromMilliseconds(500));
        config.Save(tmp.Path);
        var loaded = DevnetConfig.Load(tmp.Path)!;
        Assert.Equal(config with { Nodes = loaded.Nodes }, loaded);
        Assert.Equal(config.Nodes, loaded.Nodes);
        Assert.Equal(config.NodeArguments(tmp.Path, config.Nodes[1], 2), loaded.NodeArguments(tmp.Path, loaded.Nodes[1], 2));
        Assert.Equal("1500ms", Value(loaded.NodeArguments(tmp.Path, loaded.Nodes[0], 1), "--layer-duration"));
        Assert.Equal("3000ms", Value(loaded.NodeArguments(tmp.Path, loaded.Nodes[0], 1), "--poet-phase-shift"));
        Assert.Equal(-1, IndexOf(loaded.NodeArguments(tmp.Path, loaded.Nodes[0], 1), "--poet-cycle-gap"));
        Assert.Null(DevnetConfig.Load(Path.Combine(tmp.Path, "absent")));
    }

    [Fact]
    public void Resuming_with_another_node_count_is_refused_before_anything_starts()
    {
        using var tmp = new TempDir();
        DevnetConfig.Create(2, TimeSpan.FromSeconds(1), 5, 16, null, null, null).Save(tmp.Path);
        var (code, _, stderr) = PostCli.Run("devnet", "--nodes", "3", "--datadir", tmp.Path);
        Assert.Equal(2, code);
        Assert.Contains("holds a network of 2 nodes", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "node-0")));
    }
}
