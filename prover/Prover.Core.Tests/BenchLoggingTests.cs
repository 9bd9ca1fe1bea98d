using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Prover.Bench.Core;
using Prover.Kernels;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>What <see cref="BenchRunner"/> logs through <see cref="ILogger{TCategoryName}"/>.</summary>
public class BenchLoggingTests
{
    [Fact]
    public void Bench_runner_logs_phases_and_rates_as_events_with_invariant_numbers_whatever_the_current_culture()
    {
        using var dir = new TempDir();
        using var cpu = new CpuLabelProvider(1);
        var settings = new BenchSettings
        {
            ScryptN = 64,
            Duration = 0.2,
            Repetitions = 1,
            SkipProving = true,
            SkipK2Pow = true,
            SkipVerify = true,
            DiskDirectory = dir.Path,
        };
        var logger = new CollectingLogger<BenchRunner>();
        var machine = MachineInfo.Collect(ProviderCatalog.Discover(1), dir.Path);
        CultureInfo original = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = comma;
        try
        {
            new BenchRunner(settings, [cpu], machine, logger).Run();
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }

        var entries = logger.Entries;
        Assert.Equal(300, entries[0].EventId.Id);
        Assert.Matches(@"^\[\d+ s\] init cpu \(", entries[0].Message);
        Assert.Equal(300, entries[^1].EventId.Id);
        Assert.EndsWith("] done", entries[^1].Message, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.Equal(LogLevel.Information, e.Level));

        var median = Assert.Single(entries, e => e.EventId.Id == 311);
        Assert.Equal("cpu", median.Fields["Provider"]);
        Assert.Matches(new Regex(@"^  cpu: median \d+ labels/s \(\d+\.\d{3} MiB/s, spread \d+\.\d%\), \d+\.\d h per 64 GiB unit$"),
            median.Message);
        var repetition = Assert.Single(entries, e => e.EventId.Id == 310);
        Assert.Matches(new Regex(@"^  cpu: repetition 1/1: \d+ labels in \d+\.\d{2} s = \d+ labels/s$"), repetition.Message);
    }
}
