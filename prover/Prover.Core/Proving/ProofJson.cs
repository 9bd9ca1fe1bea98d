using System.Text.Json;
using System.Text.Json.Serialization;
using Prover.Core.Primitives;

namespace Prover.Core.Proving;

/// <summary>
/// The certifier JSON form of a proof (spec §4.8):
/// <c>{"proof":{"nonce":u32,"indices":"b64","pow":u64},"metadata":{"node_id":"b64","commitment_atx_id":"b64","challenge":"b64","num_units":u32}}</c>
/// with standard (padded) base64.
/// </summary>
public static class ProofJson
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Serializes a proof and its metadata.</summary>
    public static string Serialize(Proof proof, ProofMetadata metadata, bool indented = false)
    {
        var document = new Document
        {
            Proof = new ProofBody { Nonce = proof.Nonce, Indices = proof.Indices, Pow = proof.Pow },
            Metadata = new MetadataBody
            {
                NodeId = metadata.NodeId.ToArray(),
                CommitmentAtxId = metadata.CommitmentAtxId.ToArray(),
                Challenge = metadata.Challenge.ToArray(),
                NumUnits = metadata.NumUnits,
            },
        };
        return JsonSerializer.Serialize(document, indented ? Indented : Compact);
    }

    /// <summary>
    /// Parses the certifier form; throws <see cref="FormatException"/> naming the missing, malformed or repeated field
    /// (by its JSON path, e.g. <c>proof.nonce</c>). Unknown fields are ignored, as serde does; a key given twice is
    /// refused, since readers disagree on which of the two counts.
    /// </summary>
    public static (Proof Proof, ProofMetadata Metadata) Deserialize(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Invalid proof JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"Invalid proof JSON: expected an object {{\"proof\": …, \"metadata\": …}}, got {Kind(root)}.");
            }

            CheckDuplicates(root, "");
            var p = Member(root, "proof", "", JsonValueKind.Object) ?? throw new FormatException("Invalid proof JSON: missing \"proof\" object.");
            var m = Member(root, "metadata", "", JsonValueKind.Object) ?? throw new FormatException("Invalid proof JSON: missing \"metadata\" object.");
            var proof = new Proof(
                checked((uint)Number(p, "nonce", "proof.", uint.MaxValue)),
                Bytes(p, "indices", "proof."),
                Number(p, "pow", "proof.", ulong.MaxValue));
            var metadata = new ProofMetadata(
                new NodeId(Id(m, "node_id", "metadata.")),
                new AtxId(Id(m, "commitment_atx_id", "metadata.")),
                new Challenge(Id(m, "challenge", "metadata.")),
                checked((uint)Number(m, "num_units", "metadata.", uint.MaxValue)));
            return (proof, metadata);
        }
    }

    /// <summary>Refuses an object that names a key twice, at any depth.</summary>
    private static void CheckDuplicates(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new FormatException($"Invalid proof JSON: the key \"{path}{property.Name}\" appears more than once.");
                }

                CheckDuplicates(property.Value, $"{path}{property.Name}.");
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CheckDuplicates(item, path);
            }
        }
    }

    /// <summary>The member <paramref name="name"/> of <paramref name="parent"/>, or null when absent or null.</summary>
    private static JsonElement? Member(JsonElement parent, string name, string path, JsonValueKind kind)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == kind
            ? value
            : throw new FormatException($"Invalid proof JSON: \"{path}{name}\" must be {Describe(kind)}, got {Kind(value)}.");
    }

    private static ulong Number(JsonElement parent, string name, string path, ulong max)
    {
        var value = Member(parent, name, path, JsonValueKind.Number) ?? throw Missing(path + name);
        return value.TryGetUInt64(out ulong number) && number <= max
            ? number
            : throw new FormatException($"Invalid proof JSON: \"{path}{name}\" must be a whole number in 0..{max}, got {value.GetRawText()}.");
    }

    private static byte[] Bytes(JsonElement parent, string name, string path)
    {
        var value = Member(parent, name, path, JsonValueKind.String) ?? throw Missing(path + name);
        return value.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new FormatException($"Invalid proof JSON: \"{path}{name}\" is not standard base64.");
    }

    /// <summary>A 32-byte field (an id, the challenge).</summary>
    private static Hash32 Id(JsonElement parent, string name, string path)
    {
        byte[] bytes = Bytes(parent, name, path);
        return bytes.Length == Hash32.Length
            ? new Hash32(bytes)
            : throw new FormatException($"{name} must be 32 bytes (got {bytes.Length}).");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        _ => "a base64 string",
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    private static FormatException Missing(string field) => new($"Invalid proof JSON: missing field \"{field}\".");

    private sealed class Document
    {
        [JsonPropertyName("proof")]
        public ProofBody? Proof { get; set; }

        [JsonPropertyName("metadata")]
        public MetadataBody? Metadata { get; set; }
    }

    private sealed class ProofBody
    {
        [JsonPropertyName("nonce")]
        public uint? Nonce { get; set; }

        [JsonPropertyName("indices")]
        public byte[]? Indices { get; set; }

        [JsonPropertyName("pow")]
        public ulong? Pow { get; set; }
    }

    private sealed class MetadataBody
    {
        [JsonPropertyName("node_id")]
        public byte[]? NodeId { get; set; }

        [JsonPropertyName("commitment_atx_id")]
        public byte[]? CommitmentAtxId { get; set; }

        [JsonPropertyName("challenge")]
        public byte[]? Challenge { get; set; }

        [JsonPropertyName("num_units")]
        public uint? NumUnits { get; set; }
    }
}
