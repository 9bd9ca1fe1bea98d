using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// The progress of one shard (<c>.post-progress-I-of-N.json</c>, beside the data), replaced atomically while the shard
/// runs, at most <see cref="WriteInterval"/> apart: its files, labels done of its range, speed, when it was last
/// updated, by which process on which host, and its state. <c>post init status</c> sums them across a fleet that
/// writes into one shared directory.
/// </summary>
public sealed partial record ShardProgress
{
    /// <summary>The shortest time between two writes of the file while labels are computed.</summary>
    public static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(0.5);

    /// <summary>The shard is computing labels.</summary>
    public const string Running = "running";

    /// <summary>The shard finished: all its files are complete.</summary>
    public const string Done = "done";

    /// <summary>The shard was stopped (a signal, a cancellation); running it again resumes it.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The shard stopped on an error (<see cref="Error"/>).</summary>
    public const string Failed = "failed";

    /// <summary>The shard, from 0.</summary>
    [JsonPropertyName("shard")]
    public required int Shard { get; init; }

    /// <summary>How many shards the job is split into.</summary>
    [JsonPropertyName("shards")]
    public required int Shards { get; init; }

    /// <summary>First file of the shard.</summary>
    [JsonPropertyName("from_file")]
    public required int FromFile { get; init; }

    /// <summary>Last file of the shard.</summary>
    [JsonPropertyName("to_file")]
    public required int ToFile { get; init; }

    /// <summary>Labels of the whole data set (all shards).</summary>
    [JsonPropertyName("data_labels")]
    public required ulong DataLabels { get; init; }

    /// <summary>Labels per postdata file, so that a reader can size the shards that have not started.</summary>
    [JsonPropertyName("labels_per_file")]
    public required ulong LabelsPerFile { get; init; }

    /// <summary>Labels of the shard's range on disk.</summary>
    [JsonPropertyName("labels_done")]
    public required ulong LabelsDone { get; init; }

    /// <summary>Labels of the shard's range.</summary>
    [JsonPropertyName("labels_total")]
    public required ulong LabelsTotal { get; init; }

    /// <summary>Labels computed per second by the current (or last) run of the shard.</summary>
    [JsonPropertyName("labels_per_second")]
    public required double LabelsPerSecond { get; init; }

    /// <summary>When the current run started (UTC).</summary>
    [JsonPropertyName("started")]
    public required DateTimeOffset Started { get; init; }

    /// <summary>When the file was written (UTC).</summary>
    [JsonPropertyName("updated")]
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The process running the shard.</summary>
    [JsonPropertyName("pid")]
    public required int Pid { get; init; }

    /// <summary>The machine it runs on.</summary>
    [JsonPropertyName("host")]
    public required string Host { get; init; }

    /// <summary><see cref="Running"/>, <see cref="Done"/>, <see cref="Interrupted"/> or <see cref="Failed"/>.</summary>
    [JsonPropertyName("state")]
    public required string State { get; init; }

    /// <summary>Why the shard failed, when it did.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The file name of shard <paramref name="shard"/>'s progress.</summary>
    public static string FileNameOf(ShardSpec shard) =>
        string.Create(CultureInfo.InvariantCulture, $".post-progress-{shard.Index}-of-{shard.Count}.json");

    /// <summary>Whether <paramref name="fileName"/> is the name of a progress file.</summary>
    public static bool IsProgressName(string fileName) => ProgressPattern().IsMatch(fileName);

    /// <summary>Every progress file of <paramref name="dataDir"/>: (path, progress) or (path, why it cannot be read).</summary>
    public static IReadOnlyList<(string Path, ShardProgress? Progress, string? Error)> ListIn(string dataDir)
    {
        var result = new List<(string, ShardProgress?, string?)>();
        foreach (var path in Directory.EnumerateFiles(dataDir, ".post-progress-*").Order(StringComparer.Ordinal))
        {
            if (!IsProgressName(Path.GetFileName(path)))
            {
                continue;
            }

            try
            {
                var progress = JsonSerializer.Deserialize<ShardProgress>(File.ReadAllText(path), Json);
                result.Add(progress is null ? (path, null, "empty") : (path, progress, null));
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                result.Add((path, null, e.Message));
            }
        }

        return result;
    }

    /// <summary>Writes the progress atomically into <paramref name="dataDir"/>.</summary>
    public void Save(string dataDir) =>
        AtomicFile.WriteAllText(Path.Combine(dataDir, FileNameOf(new ShardSpec(Shard, Shards))), JsonSerializer.Serialize(this, Json));

    [GeneratedRegex(@"^\.post-progress-\d+-of-\d+\.json$")]
    private static partial Regex ProgressPattern();
}

/// <summary>
/// Keeps a running shard's <see cref="ShardProgress"/> file current: written when the run starts, on progress at most
/// every <see cref="ShardProgress.WriteInterval"/>, and when it ends (done, interrupted or failed). A failure to write
/// it never stops the labels: progress is advisory.
/// </summary>
internal sealed class ShardProgressWriter
{
    private readonly string _dataDir;
    private readonly ShardProgress _template;
    private readonly Stopwatch _sinceWrite = new();
    private ShardProgress _last;

    public ShardProgressWriter(string dataDir, ShardSpec shard, PostDataLayout layout, int fromFile, int toFile,
        ulong labelsTotal, ulong labelsDone)
    {
        _dataDir = dataDir;
        var now = DateTimeOffset.UtcNow;
        _template = new ShardProgress
        {
            Shard = shard.Index,
            Shards = shard.Count,
            FromFile = fromFile,
            ToFile = toFile,
            DataLabels = layout.TotalLabels,
            LabelsPerFile = layout.LabelsPerFile,
            LabelsDone = labelsDone,
            LabelsTotal = labelsTotal,
            LabelsPerSecond = 0,
            Started = now,
            Updated = now,
            Pid = Environment.ProcessId,
            Host = Environment.MachineName,
            State = ShardProgress.Running,
        };
        _last = _template;
        Write(_template);
    }

    /// <summary>Records <paramref name="p"/> when the last write is old enough.</summary>
    public void Report(InitProgress p)
    {
        _last = _template with
        {
            LabelsDone = p.LabelsDone,
            LabelsPerSecond = p.Elapsed.TotalSeconds > 0 ? Math.Round(p.LabelsThisRun / p.Elapsed.TotalSeconds, 1) : 0,
        };
        if (_sinceWrite.Elapsed >= ShardProgress.WriteInterval)
        {
            Write(_last);
        }
    }

    /// <summary>The final state of the run.</summary>
    public void Finish(string state, ulong? labelsDone = null, string? error = null) =>
        Write(_last with { State = state, LabelsDone = labelsDone ?? _last.LabelsDone, Error = error });

    private void Write(ShardProgress p)
    {
        try
        {
            (p with { Updated = DateTimeOffset.UtcNow }).Save(_dataDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only directory shows in the labels themselves; progress is only advisory.
        }

        _sinceWrite.Restart();
    }
}
