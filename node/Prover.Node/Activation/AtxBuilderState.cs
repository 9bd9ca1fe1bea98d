using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prover.Node.Activation;

/// <summary>How far the builder got for one publish epoch (NODE.md §2.2, persisted at every step).</summary>
public enum BuilderStep
{
    /// <summary>Nothing for this epoch yet (only the initial PoST may be kept).</summary>
    Idle = 0,

    /// <summary>The NIPoST challenge is built (<see cref="AtxBuilderState.Challenge"/>).</summary>
    ChallengeBuilt = 1,

    /// <summary>The challenge is registered at the PoET (<see cref="AtxBuilderState.RoundId"/>).</summary>
    Registered = 2,

    /// <summary>The PoET proof is fetched: its reference, our leaf and path, its leaf count.</summary>
    ProofFetched = 3,

    /// <summary>The PoST proof over the PoET proof reference is done.</summary>
    PostProved = 4,

    /// <summary>The ATX is built and signed (<see cref="AtxBuilderState.AtxBlob"/>), not yet stored as published.</summary>
    AtxBuilt = 5,
}

/// <summary>
/// The builder's persisted state for one identity (JSON, format <see cref="Version"/>; byte strings as lowercase hex).
/// Only the fields of the steps reached are set.
/// </summary>
public sealed record AtxBuilderState
{
    /// <summary>The format version stored with the state.</summary>
    public const uint Version = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The step reached.</summary>
    public BuilderStep Step { get; init; }

    /// <summary>The publish epoch being built for.</summary>
    public uint PublishEpoch { get; init; }

    /// <summary>The initial PoST (SCALE PostV1) proved over the zero challenge, kept until the initial ATX is published.</summary>
    public string? InitialPost { get; init; }

    /// <summary>The SCALE NIPoST challenge V1.</summary>
    public string? Challenge { get; init; }

    /// <summary>The tick height of the positioning ATX (the new ATX's base tick height).</summary>
    public ulong BaseTickHeight { get; init; }

    /// <summary>The PoET round the challenge is registered in.</summary>
    public string? RoundId { get; init; }

    /// <summary>The PoET proof reference (the PoST challenge).</summary>
    public string? PoetRef { get; init; }

    /// <summary>Our leaf index in the membership tree.</summary>
    public ulong LeafIndex { get; init; }

    /// <summary>The membership path (sibling hashes, hex).</summary>
    public IReadOnlyList<string>? Membership { get; init; }

    /// <summary>The PoET proof's leaf count.</summary>
    public ulong LeafCount { get; init; }

    /// <summary>The PoST proof (SCALE PostV1).</summary>
    public string? Post { get; init; }

    /// <summary>The PoST's labels per unit.</summary>
    public ulong LabelsPerUnit { get; init; }

    /// <summary>The PoST's space units.</summary>
    public uint NumUnits { get; init; }

    /// <summary>The signed ATX V1 wire bytes.</summary>
    public string? AtxBlob { get; init; }

    /// <summary>The JSON bytes to store.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads state written by <see cref="Encode"/>.</summary>
    /// <exception cref="InvalidDataException">Another format version, or not this JSON.</exception>
    public static AtxBuilderState Decode(uint version, ReadOnlySpan<byte> bytes)
    {
        if (version != Version)
        {
            throw new InvalidDataException($"builder state format {version} is not {Version}");
        }

        try
        {
            return JsonSerializer.Deserialize<AtxBuilderState>(bytes, Json)
                ?? throw new InvalidDataException("builder state is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("builder state is not valid JSON: " + e.Message, e);
        }
    }
}
