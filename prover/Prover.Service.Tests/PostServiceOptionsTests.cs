using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;

namespace Prover.Service.Tests;

public sealed class PostServiceOptionsTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Theory]
    [InlineData("127.0.0.1:9094", "http://127.0.0.1:9094/")]
    [InlineData("http://node:9094", "http://node:9094/")]
    [InlineData("https://node.example:443", "https://node.example/")]
    [InlineData("  localhost:1  ", "http://localhost:1/")]
    public void Address_scheme_defaults_to_http(string text, string expected) =>
        Assert.Equal(expected, PostServiceOptions.ParseAddress(text).ToString());

    [Theory]
    [InlineData("ftp://node:21", "unsupported scheme 'ftp'")]
    [InlineData("unix:///tmp/sock", "unsupported scheme 'unix'")]
    [InlineData("", "--address is required")]
    public void Other_schemes_are_rejected(string text, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidInputException>(() => PostServiceOptions.ParseAddress(text)).Message);

    [Theory]
    [InlineData("127.0.0.1:50051", true)]
    [InlineData("[::1]:50051", true)]
    [InlineData("0.0.0.0:0", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("localhost:80", false)]
    [InlineData("::1", false)]
    public void Operator_address_is_ip_and_port(string text, bool ok)
    {
        if (ok)
        {
            Assert.NotNull(PostServiceOptions.ParseOperatorAddress(text));
        }
        else
        {
            Assert.Throws<InvalidInputException>(() => PostServiceOptions.ParseOperatorAddress(text));
        }
    }

    [Fact]
    public void Defaults_are_post_service_defaults()
    {
        var o = new PostServiceOptions { Address = new Uri("http://x:1"), DataDirs = ["d"] };
        Assert.Equal(4u, o.MinNumUnits);
        Assert.Equal(uint.MaxValue, o.MaxNumUnits);
        Assert.Equal(26u, o.K1);
        Assert.Equal(37u, o.K2);
        Assert.Equal("000dfb23b0979b4b000000000000000000000000000000000000000000000000", Convert.ToHexStringLower(o.PowDifficulty));
        Assert.Equal(8192UL, o.ScryptN);
        Assert.Equal(1, o.Threads);
        Assert.Equal(128, o.Nonces);
        Assert.Equal(RandomXMode.Fast, o.RandomXMode);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ReconnectInterval);
        Assert.Null(o.MaxRetries);
        Assert.Equal(5, o.RemoteK2PowParallelism);
        Assert.Equal(TimeSpan.FromSeconds(5), o.RemoteK2PowBackoff);
        Assert.Equal(TimeSpan.FromSeconds(600), o.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), o.KeepAliveTimeout);
    }

    public static TheoryData<string, Func<PostServiceOptions, PostServiceOptions>> BadOptions => new()
    {
        { "--nonces 100", o => o with { Nonces = 100 } },
        { "--nonces 4112", o => o with { Nonces = 4112 } },
        { "--nonces 0", o => o with { Nonces = 0 } },
        { "-r 2 -p 1", o => o with { ScryptR = 2 } },
        { "-r 1 -p 2", o => o with { ScryptP = 2 } },
        { "-n 1000", o => o with { ScryptN = 1000 } },
        { "--min-num-units 5 is larger than --max-num-units 4", o => o with { MinNumUnits = 5, MaxNumUnits = 4 } },
        { "--threads -1", o => o with { Threads = -1 } },
        { "--max-retries -1: must be 0 or more", o => o with { MaxRetries = -1 } },
        { "--dir is required", o => o with { DataDirs = [] } },
        { "the same directory is given twice", o => o with { DataDirs = ["a", "./a"] } },
        { "https needs --ca-cert", o => o with { Address = new Uri("https://node:1") } },
        { "--remote-k2pow-parallelism", o => o with { RemoteK2PowParallelism = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_name_the_flag(string message, Func<PostServiceOptions, PostServiceOptions> change)
    {
        var good = new PostServiceOptions { Address = new Uri("http://x:1"), DataDirs = ["d"] };
        good.Validate();
        Assert.Contains(message, Assert.Throws<InvalidInputException>(() => change(good).Validate()).Message);
    }

    [Fact]
    public void Units_outside_the_range_stop_the_service_before_it_starts()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x41);
        var options = TestIdentities.Options(new Uri("http://127.0.0.1:1"), dir) with { MinNumUnits = 4 };
        var e = Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(options, TestProvers.Create));
        Assert.Contains("NumUnits 2 is outside [--min-num-units 4", e.Message);
        Assert.Contains(PostMetadata.FileName, e.Message);

        var tooMany = options with { MinNumUnits = 1, MaxNumUnits = 1 };
        Assert.Contains("--max-num-units 1", Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(tooMany, TestProvers.Create)).Message);

        var missing = options with { MinNumUnits = 1, DataDirs = [Path.Combine(_tmp.Path, "nothing-here")] };
        Assert.Contains("directory not found", Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(missing, TestProvers.Create)).Message);
    }

    [Fact]
    public void Two_directories_of_the_same_identity_are_refused()
    {
        var dir = TestIdentities.Create(_tmp.Path, 0x42);
        var copy = Path.Combine(_tmp.Path, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(Path.Combine(dir, PostMetadata.FileName), Path.Combine(copy, PostMetadata.FileName));
        var options = TestIdentities.Options(new Uri("http://127.0.0.1:1"), dir, copy);
        Assert.Contains("same node id", Assert.Throws<InvalidInputException>(() => PostServiceHost.Build(options, TestProvers.Create)).Message);
    }

    [Fact]
    public void Status_json_is_post_service_json()
    {
        Assert.Equal("\"Idle\"", ServiceState.Idle.ToJson());
        Assert.Equal("\"DoneProving\"", ServiceState.DoneProving.ToJson());
        Assert.Equal("{\"Proving\":{\"nonces\":{\"start\":0,\"end\":128},\"position\":10000}}",
            new ServiceState.Proving(0, 128, 10000).ToJson());
    }

    [Fact]
    public void Metrics_text_is_prometheus_exposition_format()
    {
        var m = new IdentityMetrics("ab");
        m.Progress(0, 1L << 30, TimeSpan.FromSeconds(2));
        m.Progress(0, 3L << 29, TimeSpan.FromSeconds(3));
        m.Progress(1, 1L << 29, TimeSpan.FromSeconds(1));
        m.ProofSent();
        var text = MetricsText.Render([(m, new ServiceState.Proving(16, 32, 5))]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(@"^(# (HELP|TYPE) post_service_[a-z_]+ .+|post_service_[a-z_]+\{node_id=""ab""\} [0-9.eE+-]+)$", l));
        Assert.Contains("post_service_state{node_id=\"ab\"} 1", lines);
        Assert.Contains("post_service_bytes_scanned_total{node_id=\"ab\"} " + ((3L << 29) + (1L << 29)), lines);
        Assert.Contains("post_service_passes_total{node_id=\"ab\"} 2", lines);
        Assert.Contains("post_service_scan_gib_per_second{node_id=\"ab\"} 0.5", lines);
        Assert.Contains("post_service_proofs_total{node_id=\"ab\"} 1", lines);
        Assert.Equal(9, lines.Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal)));
    }

    [Fact]
    public void Watch_pid_sees_live_and_dead_processes()
    {
        Assert.True(PidWatcher.IsAlive(Environment.ProcessId));
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        int pid = child.Id;
        child.Dispose();
        Assert.False(PidWatcher.IsAlive(pid));
    }
}
