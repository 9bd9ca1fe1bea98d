using System.Text.Json;
using System.Text.Json.Serialization;

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
                NodeId = metadata.NodeId,
                CommitmentAtxId = metadata.CommitmentAtxId,
                Challenge = metadata.Challenge,
                NumUnits = metadata.NumUnits,
            },
        };
        return JsonSerializer.Serialize(document, indented ? Indented : Compact);
    }

    /// <summary>Parses the certifier form; throws <see cref="FormatException"/> naming the missing or malformed field.</summary>
    public static (Proof Proof, ProofMetadata Metadata) Deserialize(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Compact);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Invalid proof JSON: {e.Message}", e);
        }

        if (document?.Proof is not { } p)
        {
            throw new FormatException("Invalid proof JSON: missing \"proof\" object.");
        }

        if (document.Metadata is not { } m)
        {
            throw new FormatException("Invalid proof JSON: missing \"metadata\" object.");
        }

        var proof = new Proof(
            p.Nonce ?? throw Missing("proof.nonce"),
            p.Indices ?? throw Missing("proof.indices"),
            p.Pow ?? throw Missing("proof.pow"));
        var metadata = new ProofMetadata(
            m.NodeId ?? throw Missing("metadata.node_id"),
            m.CommitmentAtxId ?? throw Missing("metadata.commitment_atx_id"),
            m.Challenge ?? throw Missing("metadata.challenge"),
            m.NumUnits ?? throw Missing("metadata.num_units"));
        metadata.Validate();
        return (proof, metadata);
    }

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
