using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Core.Init;

/// <summary>
/// What one shard of a split initialization made (<c>.post-shard-I-of-N.json</c>, beside the data): the identity and
/// parameters, its file range, whether all its files are complete, and the best VRF nonce among its labels. Each shard
/// writes only its own record, so shards running at once never share a file; <see cref="ShardMerge"/> reads them all
/// and writes the one <c>postdata_metadata.json</c>.
/// </summary>
public sealed partial record ShardRecord
{
    /// <summary>The layout version of the record.</summary>
    public int Format { get; init; } = 1;

    /// <summary>The shard, from 0.</summary>
    public required int ShardIndex { get; init; }

    /// <summary>How many shards the job was split into.</summary>
    public required int ShardCount { get; init; }

    /// <summary>First file of the shard (inclusive).</summary>
    public required int FromFile { get; init; }

    /// <summary>Last file of the shard (inclusive).</summary>
    public required int ToFile { get; init; }

    /// <summary>The smesher's identity (hex).</summary>
    public required string NodeId { get; init; }

    /// <summary>The commitment ATX id (hex).</summary>
    public required string CommitmentAtxId { get; init; }

    /// <summary>Labels per space unit.</summary>
    public required ulong LabelsPerUnit { get; init; }

    /// <summary>Space units of the whole data set.</summary>
    public required uint NumUnits { get; init; }

    /// <summary>The largest postdata file, in bytes.</summary>
    public required ulong MaxFileSize { get; init; }

    /// <summary>scrypt N the labels are made with.</summary>
    public required ulong ScryptN { get; init; }

    /// <summary>The VRF nonce difficulty (hex, 32 bytes).</summary>
    public required string VrfDifficulty { get; init; }

    /// <summary>Every file of the range holds all its labels, and <see cref="BestIndex"/> is final.</summary>
    public bool Complete { get; init; }

    /// <summary>The label of the range with the smallest 32-byte output below the difficulty; null when none is.</summary>
    public ulong? BestIndex { get; init; }

    /// <summary>That label's 32-byte output (hex).</summary>
    public string? BestOutput { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The shard as <see cref="ShardSpec"/>.</summary>
    [JsonIgnore]
    public ShardSpec Shard => new(ShardIndex, ShardCount);

    /// <summary>The identity and layout part of the record: records of one data set agree on all of it.</summary>
    [JsonIgnore]
    public (string NodeId, string CommitmentAtxId, ulong LabelsPerUnit, uint NumUnits, ulong MaxFileSize, ulong ScryptN, string VrfDifficulty) Parameters =>
        (NodeId, CommitmentAtxId, LabelsPerUnit, NumUnits, MaxFileSize, ScryptN, VrfDifficulty);

    /// <summary>Labels and files of the whole data set the record belongs to.</summary>
    [JsonIgnore]
    public PostDataLayout Layout => new(LabelsPerUnit * NumUnits, MaxFileSize / PostDataLayout.LabelSize);

    /// <summary>The file name of shard <paramref name="shard"/>'s record.</summary>
    public static string FileNameOf(ShardSpec shard) =>
        string.Create(CultureInfo.InvariantCulture, $".post-shard-{shard.Index}-of-{shard.Count}.json");

    /// <summary>Where shard <paramref name="shard"/>'s record lives in <paramref name="dataDir"/>.</summary>
    public static string PathFor(string dataDir, ShardSpec shard) => Path.Combine(dataDir, FileNameOf(shard));

    /// <summary>Whether <paramref name="fileName"/> is the name of a shard record.</summary>
    public static bool IsRecordName(string fileName) => RecordPattern().IsMatch(fileName);

    /// <summary>The record for <paramref name="options"/> (a sharded run's, with its files already resolved).</summary>
    internal static ShardRecord For(InitOptions options, int fromFile, int toFile, byte[] difficulty, VrfBest best,
        bool complete) => new()
        {
            ShardIndex = options.Shard!.Value.Index,
            ShardCount = options.Shard!.Value.Count,
            FromFile = fromFile,
            ToFile = toFile,
            NodeId = options.NodeId.ToString(),
            CommitmentAtxId = options.CommitmentAtxId.ToString(),
            LabelsPerUnit = options.LabelsPerUnit,
            NumUnits = options.NumUnits,
            MaxFileSize = options.MaxFileSize,
            ScryptN = options.ScryptN,
            VrfDifficulty = Hex.Format(difficulty),
            Complete = complete,
            BestIndex = best.Index,
            BestOutput = best.Output is { } o ? Hex.Format(o) : null,
        };

    /// <summary>Reads a record; an <see cref="InvalidInputException"/> naming the file when it is unreadable.</summary>
    public static ShardRecord Load(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<ShardRecord>(File.ReadAllText(path), Json)
                         ?? throw new InvalidInputException(InputField.File, $"{path} is empty");
            record.Validate(path);
            return record;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputField.File, $"{path} (a shard record) is unreadable: {e.Message}", e);
        }
    }

    /// <summary>Every record in <paramref name="dataDir"/>: (path, record) or (path, why it cannot be read).</summary>
    public static IReadOnlyList<(string Path, ShardRecord? Record, string? Error)> ListIn(string dataDir)
    {
        var result = new List<(string, ShardRecord?, string?)>();
        foreach (var path in Directory.EnumerateFiles(dataDir, ".post-shard-*").Order(StringComparer.Ordinal))
        {
            if (!IsRecordName(Path.GetFileName(path)))
            {
                continue;
            }

            try
            {
                result.Add((path, Load(path), null));
            }
            catch (Exception e) when (e is InvalidInputException or IOException or UnauthorizedAccessException)
            {
                result.Add((path, null, e.Message));
            }
        }

        return result;
    }

    /// <summary>Writes the record atomically (temporary file, fsync, rename).</summary>
    public void Save(string dataDir) => AtomicFile.WriteAllText(PathFor(dataDir, Shard), JsonSerializer.Serialize(this, Json));

    /// <summary>What differs between this record's parameters and <paramref name="other"/>'s, in words; empty when none.</summary>
    public List<string> Differences(ShardRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var d = new List<string>();
        if (!string.Equals(NodeId, other.NodeId, StringComparison.OrdinalIgnoreCase))
        {
            d.Add($"node id {NodeId}, not {other.NodeId}");
        }

        if (!string.Equals(CommitmentAtxId, other.CommitmentAtxId, StringComparison.OrdinalIgnoreCase))
        {
            d.Add($"commitment ATX {CommitmentAtxId}, not {other.CommitmentAtxId}");
        }

        if (ScryptN != other.ScryptN)
        {
            d.Add(string.Create(CultureInfo.InvariantCulture, $"scrypt N = {ScryptN}, not {other.ScryptN}"));
        }

        if (LabelsPerUnit != other.LabelsPerUnit || NumUnits != other.NumUnits)
        {
            d.Add(string.Create(CultureInfo.InvariantCulture,
                $"{NumUnits} units of {LabelsPerUnit} labels, not {other.NumUnits} of {other.LabelsPerUnit}"));
        }

        if (MaxFileSize != other.MaxFileSize)
        {
            d.Add(string.Create(CultureInfo.InvariantCulture, $"files of {MaxFileSize} bytes, not {other.MaxFileSize}"));
        }

        if (!string.Equals(VrfDifficulty, other.VrfDifficulty, StringComparison.OrdinalIgnoreCase))
        {
            d.Add($"VRF difficulty {VrfDifficulty}, not {other.VrfDifficulty}");
        }

        return d;
    }

    private void Validate(string path)
    {
        string? problem = null;
        if (Format != 1)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"format {Format} is not known");
        }
        else if (!Hash32.TryParse(NodeId, null, out _) || !Hash32.TryParse(CommitmentAtxId, null, out _))
        {
            problem = "the node id and commitment ATX id must be 32-byte hex";
        }
        else if (LabelsPerUnit == 0 || NumUnits == 0 || MaxFileSize < PostDataLayout.LabelSize
                 || MaxFileSize % PostDataLayout.LabelSize != 0 || LabelsPerUnit > ulong.MaxValue / NumUnits)
        {
            problem = "the layout (labels per unit, units, file size) is impossible";
        }
        else if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount || ShardCount > Layout.NumFiles
                 || ShardPlan.FileRange(Layout.NumFiles, ShardCount, ShardIndex) != (FromFile, ToFile))
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"shard {ShardIndex} of {ShardCount} with files {FromFile}..{ToFile} does not fit the data's {Layout.NumFiles} files");
        }
        else if (VrfDifficulty is not { Length: 64 } || (BestIndex is null) != (BestOutput is null)
                 || BestOutput is not (null or { Length: 64 }))
        {
            problem = "the VRF difficulty or best nonce is malformed";
        }

        if (problem is not null)
        {
            throw new InvalidInputException(InputField.File, $"{path} (a shard record) is not valid: {problem}");
        }
    }

    [GeneratedRegex(@"^\.post-shard-\d+-of-\d+\.json$")]
    private static partial Regex RecordPattern();
}
