using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Prover.Bench;

/// <summary>Bytes one invocation of the benchmark method processes; the GiB/s column divides it by the mean time.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BytesPerOperationAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>Adds the GiB/s column to a benchmark class: <c>[Config(typeof(ThroughputConfig))]</c>.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(new GiBPerSecondColumn());
}

/// <summary>
/// Throughput = <see cref="BytesPerOperationAttribute"/> bytes / mean time per operation, in GiB/s (2^30 bytes). Empty
/// for methods without the attribute.
/// </summary>
public sealed class GiBPerSecondColumn : IColumn
{
    public string Id => nameof(GiBPerSecondColumn);

    public string ColumnName => "GiB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes processed per operation / mean time per operation, in GiB/s (2^30 bytes per second)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        long? bytes = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<BytesPerOperationAttribute>()?.Bytes;
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return bytes is { } b && meanNanoseconds is > 0 and { } ns
            ? (b / (ns * 1e-9) / (1L << 30)).ToString("F3", CultureInfo.InvariantCulture)
            : "-";
    }

    public override string ToString() => ColumnName;
}
