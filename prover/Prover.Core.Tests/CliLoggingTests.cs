using Microsoft.Extensions.Logging;
using Prover.Cli;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>The CLI's logger provider prints log messages exactly as the commands printed them before: plain lines.</summary>
public partial class CliLoggingTests
{
    [LoggerMessage(900, LogLevel.Information, "resuming at label {Label} of {Total}")]
    private static partial void Resuming(ILogger logger, ulong label, ulong total);

    [LoggerMessage(901, LogLevel.Debug, "detail {Value}")]
    private static partial void Detail(ILogger logger, int value);

    [LoggerMessage(902, LogLevel.Warning, "{Path}: recomputing it")]
    private static partial void Recomputing(ILogger logger, string path);

    [Fact]
    public void The_provider_writes_only_the_formatted_message_one_line_each_and_drops_levels_below_the_minimum()
    {
        using var writer = new StringWriter();
        using (var factory = CliLogging.CreateFactory(LogLevel.Information, writer))
        {
            ILogger logger = factory.CreateLogger<CliLoggingTests>();
            Resuming(logger, 12, 1000);
            Detail(logger, 7);
            Recomputing(logger, "/data/postdata_3.bin");
        }

        Assert.Equal($"resuming at label 12 of 1000{Environment.NewLine}/data/postdata_3.bin: recomputing it{Environment.NewLine}",
            writer.ToString());
    }

    [Fact]
    public void The_provider_writes_to_the_current_standard_error_when_no_writer_is_given()
    {
        using var factory = CliLogging.CreateFactory(LogLevel.Debug);
        ILogger logger = factory.CreateLogger("any");
        TextWriter original = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            Detail(logger, 7);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Equal($"detail 7{Environment.NewLine}", captured.ToString());
    }

    [Fact]
    public void Init_prints_the_initializers_log_lines_on_stderr_without_level_or_category_prefixes()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("data");
        string[] Args(string units) =>
        [
            "init", "--datadir", dir, "--node-id", string.Concat(Enumerable.Repeat("4d", 32)),
            "--commitment-atx-id", new string('0', 64), "--num-units", units, "--labels-per-unit", "200",
            "--max-file-size", "1600", "--scrypt-n", "16", "--vrf-difficulty", "max", "--json",
        ];
        var (code, _, err) = PostCli.Run(Args("1"));
        Assert.True(code == 0, err);

        var (grownCode, stdout, stderr) = PostCli.Run(Args("2"));
        Assert.True(grownCode == 0, stderr);
        Assert.Contains("growing the data from 1 to 2 units: the labels on disk are kept and the VRF nonce is searched again for the larger size",
            stderr.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.DoesNotContain("growing", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("info:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(Prover.Core.Init.Initializer).FullName!, stderr, StringComparison.Ordinal);
    }
}
