using System.Text;
using System.Text.Json;
using Prover.Core.Primitives;

namespace Prover.Core.Data;

/// <summary>
/// <c>postdata_metadata.json</c> (spec §3.5). Written in post-rs's form (PascalCase, base64 ids, 2-space indent,
/// <c>"Nonce"</c>/<c>"LastPosition"</c> as null when unset); read in both post-rs's and go-spacemesh's (postcli) forms
/// (tab indent, <c>"NonceValue"</c> hex, unset fields omitted). Unknown fields are ignored.
/// </summary>
public sealed record PostMetadata
{
    public const string FileName = "postdata_metadata.json";
    public const int LabelSize = 16;

    /// <summary>The smesher's identity.</summary>
    public required NodeId NodeId { get; init; }

    /// <summary>The ATX the data is committed to.</summary>
    public required AtxId CommitmentAtxId { get; init; }

    public required ulong LabelsPerUnit { get; init; }
    public required uint NumUnits { get; init; }
    public required ulong MaxFileSize { get; init; }

    /// <summary>The VRF nonce: index of a label whose 32-byte scrypt output is below the VRF difficulty.</summary>
    public ulong? Nonce { get; init; }

    /// <summary>postcli's position past the last label when the nonce search went beyond the data.</summary>
    public ulong? LastPosition { get; init; }

    /// <summary>postcli's hex of the 16-byte label at <see cref="Nonce"/> (read only; post-rs's form has no such field).</summary>
    public string? NonceValue { get; init; }

    public ulong TotalLabels => checked(LabelsPerUnit * NumUnits);

    public PostDataLayout Layout => new(TotalLabels, MaxFileSize / LabelSize);

    /// <summary>Reads the metadata of <paramref name="dataDir"/>; <see cref="InvalidInputException"/> on any problem.</summary>
    public static PostMetadata Load(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidInputException(InputField.DataDir, $"{path} not found: is '{dataDir}' a PoST data directory?");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new InvalidInputException(InputField.File, $"cannot read {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    public static bool Exists(string dataDir) => File.Exists(Path.Combine(dataDir, FileName));

    public static PostMetadata Parse(string json, string source = FileName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(InputField.File, $"{source} is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException(InputField.File, $"{source}: expected a JSON object");
            }

            var metadata = new PostMetadata
            {
                NodeId = new NodeId(Id(root, "NodeId", source)),
                CommitmentAtxId = new AtxId(Id(root, "CommitmentAtxId", source)),
                LabelsPerUnit = RequiredUInt64(root, "LabelsPerUnit", source),
                NumUnits = checked((uint)RequiredUInt64(root, "NumUnits", source)),
                MaxFileSize = RequiredUInt64(root, "MaxFileSize", source),
                Nonce = OptionalUInt64(root, "Nonce", source),
                LastPosition = OptionalUInt64(root, "LastPosition", source),
                NonceValue = root.TryGetProperty("NonceValue", out var nv) && nv.ValueKind == JsonValueKind.String
                    ? nv.GetString()
                    : null,
            };
            metadata.Validate(source);
            return metadata;
        }
    }

    /// <summary>Checks the values for consistency; throws <see cref="InvalidInputException"/> naming the field.</summary>
    public void Validate(string source = FileName)
    {
        if (LabelsPerUnit == 0)
        {
            throw new InvalidInputException(InputField.File, $"{source}: LabelsPerUnit must be positive");
        }

        if (NumUnits == 0)
        {
            throw new InvalidInputException(InputField.File, $"{source}: NumUnits must be positive");
        }

        if (MaxFileSize < LabelSize)
        {
            throw new InvalidInputException(InputField.File, $"{source}: MaxFileSize {MaxFileSize} is smaller than one label ({LabelSize} bytes)");
        }

        if (LabelsPerUnit > ulong.MaxValue / NumUnits)
        {
            throw new InvalidInputException(InputField.File, $"{source}: LabelsPerUnit × NumUnits overflows 64 bits");
        }
    }

    /// <summary>The post-rs form: serde_json pretty printing (2 spaces), base64 ids, nulls written out.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            // serde_json (and Go's encoder) write base64's '+' and '/' as they are, not as \u002B.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            w.WriteStartObject();
            w.WriteString("NodeId", NodeId.Value.ToBase64());
            w.WriteString("CommitmentAtxId", CommitmentAtxId.Value.ToBase64());
            w.WriteNumber("LabelsPerUnit", LabelsPerUnit);
            w.WriteNumber("NumUnits", NumUnits);
            w.WriteNumber("MaxFileSize", MaxFileSize);
            WriteNullable(w, "Nonce", Nonce);
            WriteNullable(w, "LastPosition", LastPosition);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the metadata atomically (temporary file, fsync, rename), so a crash never leaves half a file.</summary>
    public void Save(string dataDir)
    {
        AtomicFile.WriteAllText(Path.Combine(dataDir, FileName), ToJson());
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static Hash32 Id(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.String)
        {
            throw new InvalidInputException(InputField.File, $"{source}: field '{name}' is missing or not a base64 string");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(e.GetString()!);
        }
        catch (FormatException)
        {
            throw new InvalidInputException(InputField.File, $"{source}: field '{name}' is not valid base64");
        }

        if (bytes.Length != 32)
        {
            throw new InvalidInputException(InputField.File, $"{source}: field '{name}' must decode to 32 bytes, got {bytes.Length}");
        }

        return new Hash32(bytes);
    }

    private static ulong RequiredUInt64(JsonElement root, string name, string source) =>
        OptionalUInt64(root, name, source) ?? throw new InvalidInputException(InputField.File, $"{source}: field '{name}' is missing");

    private static ulong? OptionalUInt64(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number || !e.TryGetUInt64(out var value))
        {
            throw new InvalidInputException(InputField.File, $"{source}: field '{name}' must be a non-negative integer");
        }

        return value;
    }
}
