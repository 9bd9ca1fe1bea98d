using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// The resume point of one initialization range, kept beside the data in <c>.post-init-F-T.json</c>. It is only ever
/// advanced after the labels before it were flushed to disk (fsync), so after a crash everything past it is discarded
/// and recomputed, and no wrong label survives.
/// </summary>
internal sealed record InitState
{
    public int Format { get; init; } = 1;
    public required string Commitment { get; init; }
    public required ulong ScryptN { get; init; }
    public required ulong LabelsPerFile { get; init; }
    public required ulong TotalLabels { get; init; }
    public required int FromFile { get; init; }
    public required int ToFile { get; init; }
    public required string VrfDifficulty { get; init; }

    /// <summary>All labels of the range below this global index are on disk and durable.</summary>
    public required ulong Next { get; init; }

    public ulong? BestIndex { get; init; }
    public string? BestOutput { get; init; }

    /// <summary>Set while the VRF nonce search runs past the end of the data (no labels written there).</summary>
    public ulong? SearchedBeyond { get; init; }

    public bool Complete { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathFor(string dataDir, int fromFile, int toFile) =>
        Path.Combine(dataDir, string.Create(CultureInfo.InvariantCulture, $".post-init-{fromFile}-{toFile}.json"));

    public static InitState? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<InitState>(File.ReadAllText(path), Json)
                   ?? throw new InvalidInputException(InputField.File, $"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputField.File,
                $"{path} (the initialization resume point) is unreadable: {e.Message}. Remove it to re-check the data from the file sizes.",
                e);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
