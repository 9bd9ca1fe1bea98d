using System.Globalization;
using System.Text;
using System.Text.Json;
using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>
/// The PoET REST API's JSON as grpc-gateway writes it with its default protojson marshaller (poet's
/// <c>rpc.api.v1</c> messages): lowerCamelCase field names (<c>servicePubkey</c>, <c>provenLeaves</c> …), bytes as
/// standard base64, 64-bit integers as strings, durations as <c>"1.500s"</c>, timestamps as RFC 3339 in UTC. Responses
/// carry every field, defaults included (the gateway's <c>EmitUnpopulated</c>); requests leave defaults out, as
/// go-spacemesh's <c>protojson.Marshal</c> does. Reading accepts what protojson accepts: camelCase or the proto's snake_case names, base64
/// standard or URL-safe with or without padding, 64-bit integers as strings or numbers; unknown fields are ignored.
/// </summary>
public static class PoetJson
{
    /// <summary><c>InfoResponse</c>.</summary>
    public static byte[] WriteInfo(PoetInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Write(w =>
        {
            w.WriteBase64String("servicePubkey", info.ServicePubkey);
            w.WriteString("phaseShift", FormatDuration(info.PhaseShift));
            w.WriteString("cycleGap", FormatDuration(info.CycleGap));
            w.WriteNull("certifier");
        });
    }

    /// <summary>Reads an <c>InfoResponse</c>.</summary>
    public static PoetInfo ReadInfo(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        return new PoetInfo(
            Bytes(root, "servicePubkey", "service_pubkey"),
            Duration(root, "phaseShift", "phase_shift"),
            Duration(root, "cycleGap", "cycle_gap"));
    }

    /// <summary><c>PowParamsResponse</c>.</summary>
    public static byte[] WritePowParams(PoetPowParams pow)
    {
        ArgumentNullException.ThrowIfNull(pow);
        return Write(w =>
        {
            w.WriteStartObject("powParams");
            w.WriteNumber("difficulty", pow.Difficulty);
            w.WriteBase64String("challenge", pow.Challenge);
            w.WriteEndObject();
        });
    }

    /// <summary>Reads a <c>PowParamsResponse</c>.</summary>
    public static PoetPowParams ReadPowParams(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        return Field(document.RootElement, "powParams", "pow_params") is { } pow
            ? ReadPow(pow)
            : new PoetPowParams(0, []);
    }

    /// <summary><c>SubmitRequest</c> (as go-spacemesh's client sends it).</summary>
    public static byte[] WriteSubmitRequest(PoetSubmitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Write(w =>
        {
            if (request.Nonce != 0)
            {
                w.WriteString("nonce", request.Nonce.ToString(CultureInfo.InvariantCulture));
            }

            if (request.PowParams is { } pow)
            {
                w.WriteStartObject("powParams");
                WritePowFields(w, pow);
                w.WriteEndObject();
            }

            WriteBytes(w, "prefix", request.Prefix);
            WriteBytes(w, "challenge", request.Challenge);
            WriteBytes(w, "pubkey", request.Pubkey);
            WriteBytes(w, "signature", request.Signature);
            if (request.Deadline is { } deadline)
            {
                w.WriteString("deadline", FormatTimestamp(deadline));
            }
        });
    }

    /// <summary>Reads a <c>SubmitRequest</c>.</summary>
    /// <exception cref="FormatException">Malformed JSON or field.</exception>
    public static PoetSubmitRequest ReadSubmitRequest(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        var deadline = Field(root, "deadline", "deadline") is { ValueKind: JsonValueKind.String } d
            ? ParseTimestamp(d.GetString()!)
            : (DateTimeOffset?)null;
        return new PoetSubmitRequest(
            UInt64(root, "nonce", "nonce"),
            Field(root, "powParams", "pow_params") is { ValueKind: JsonValueKind.Object } pow ? ReadPow(pow) : null,
            Bytes(root, "prefix", "prefix"),
            Bytes(root, "challenge", "challenge"),
            Bytes(root, "pubkey", "pubkey"),
            Bytes(root, "signature", "signature"),
            deadline);
    }

    /// <summary><c>SubmitResponse</c>.</summary>
    public static byte[] WriteSubmitResponse(PoetSubmitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Write(w =>
        {
            w.WriteString("roundId", result.RoundId);
            w.WriteString("roundEnd", FormatDuration(result.RoundEnd));
        });
    }

    /// <summary>Reads a <c>SubmitResponse</c>.</summary>
    public static PoetSubmitResult ReadSubmitResponse(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        return new PoetSubmitResult(
            Field(root, "roundId", "round_id")?.GetString() ?? "",
            Duration(root, "roundEnd", "round_end"));
    }

    /// <summary><c>ProofResponse</c>: <c>{proof: {proof: {root, provenLeaves, proofNodes}, members, leaves}, pubkey}</c>.</summary>
    public static byte[] WriteProofResponse(PoetRoundProof served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return Write(w =>
        {
            w.WriteStartObject("proof");
            w.WriteStartObject("proof");
            w.WriteBase64String("root", served.Proof.Root.Span);
            WriteHashes(w, "provenLeaves", served.Proof.ProvenLeaves);
            WriteHashes(w, "proofNodes", served.Proof.ProofNodes);
            w.WriteEndObject();
            WriteHashes(w, "members", served.Members);
            w.WriteString("leaves", served.Proof.LeafCount.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteBase64String("pubkey", served.Pubkey);
        });
    }

    /// <summary>Reads a <c>ProofResponse</c>.</summary>
    /// <exception cref="FormatException">Malformed, or a root, leaf, node or member that is not 32 bytes.</exception>
    public static PoetRoundProof ReadProofResponse(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        var outer = Field(root, "proof", "proof") ?? throw new FormatException("proof response without a proof");
        var merkle = Field(outer, "proof", "proof") ?? throw new FormatException("proof without a merkle proof");
        var proof = new PoetProof(
            Hash(Bytes(merkle, "root", "root"), "root"),
            Hashes(merkle, "provenLeaves", "proven_leaves"),
            Hashes(merkle, "proofNodes", "proof_nodes"),
            UInt64(outer, "leaves", "leaves"));
        return new PoetRoundProof(proof, Hashes(outer, "members", "members"), Bytes(root, "pubkey", "pubkey"));
    }

    /// <summary>grpc-gateway's error body: <c>{code, message, details: []}</c>.</summary>
    public static byte[] WriteError(PoetStatus status, string message) => Write(w =>
    {
        w.WriteNumber("code", (int)status);
        w.WriteString("message", message);
        w.WriteStartArray("details");
        w.WriteEndArray();
    });

    /// <summary>The message of a grpc-gateway error body, or the text itself when it is not one.</summary>
    public static string ReadErrorMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = Parse(body);
            return Field(document.RootElement, "message", "message")?.GetString() ?? Encoding.UTF8.GetString(body);
        }
        catch (FormatException)
        {
            return Encoding.UTF8.GetString(body);
        }
    }

    /// <summary>A protojson <c>Duration</c>: seconds with 0, 3, 6 or 9 fractional digits and an <c>s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var negative = duration < TimeSpan.Zero;
        var ticks = negative ? -duration.Ticks : duration.Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        var text = seconds.ToString(CultureInfo.InvariantCulture) + Fraction(nanos) + "s";
        return negative ? "-" + text : text;
    }

    /// <summary>Parses a protojson <c>Duration</c> (<c>"30s"</c>, <c>"-1.5s"</c>).</summary>
    /// <exception cref="FormatException">Not a duration.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('s')
            || !decimal.TryParse(text[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new FormatException($"'{text}' is not a protobuf duration");
        }

        return TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>A protojson <c>Timestamp</c>: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits.</summary>
    public static string FormatTimestamp(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var nanos = utc.Ticks % TimeSpan.TicksPerSecond * 100;
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(nanos) + "Z";
    }

    /// <summary>Parses an RFC 3339 timestamp.</summary>
    /// <exception cref="FormatException">Not a timestamp.</exception>
    public static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new FormatException($"'{text}' is not an RFC 3339 timestamp");

    private static string Fraction(long nanos) => nanos switch
    {
        0 => "",
        _ when nanos % 1_000_000 == 0 => "." + (nanos / 1_000_000).ToString("D3", CultureInfo.InvariantCulture),
        _ when nanos % 1_000 == 0 => "." + (nanos / 1_000).ToString("D6", CultureInfo.InvariantCulture),
        _ => "." + nanos.ToString("D9", CultureInfo.InvariantCulture),
    };

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WritePowFields(Utf8JsonWriter w, PoetPowParams pow)
    {
        if (pow.Difficulty != 0)
        {
            w.WriteNumber("difficulty", pow.Difficulty);
        }

        WriteBytes(w, "challenge", pow.Challenge);
    }

    private static void WriteBytes(Utf8JsonWriter w, string name, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            w.WriteBase64String(name, bytes);
        }
    }

    private static void WriteHashes(Utf8JsonWriter w, string name, IReadOnlyList<Hash32> hashes)
    {
        w.WriteStartArray(name);
        foreach (var hash in hashes)
        {
            w.WriteBase64StringValue(hash.Span);
        }

        w.WriteEndArray();
    }

    private static PoetPowParams ReadPow(JsonElement pow) =>
        new((uint)UInt64(pow, "difficulty", "difficulty"), Bytes(pow, "challenge", "challenge"));

    private static JsonDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new FormatException("expected a JSON object");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new FormatException($"malformed JSON: {e.Message}", e);
        }
    }

    private static JsonElement? Field(JsonElement element, string camel, string snake)
    {
        if (element.TryGetProperty(camel, out var value) || element.TryGetProperty(snake, out value))
        {
            return value.ValueKind == JsonValueKind.Null ? null : value;
        }

        return null;
    }

    private static byte[] Bytes(JsonElement element, string camel, string snake) =>
        Field(element, camel, snake) is { } value ? DecodeBase64(value, camel) : [];

    private static byte[] DecodeBase64(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: expected base64 text");
        }

        var text = value.GetString()!.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}: not base64", e);
        }
    }

    private static ulong UInt64(JsonElement element, string camel, string snake)
    {
        if (Field(element, camel, snake) is not { } value)
        {
            return 0;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"{camel}: '{text}' is not an unsigned integer");
    }

    private static TimeSpan Duration(JsonElement element, string camel, string snake) =>
        Field(element, camel, snake) is { ValueKind: JsonValueKind.String } value ? ParseDuration(value.GetString()!) : TimeSpan.Zero;

    private static Hash32 Hash(byte[] bytes, string name) =>
        bytes.Length == Hash32.Length ? new Hash32(bytes) : throw new FormatException($"{name}: expected 32 bytes, got {bytes.Length}");

    private static Hash32[] Hashes(JsonElement element, string camel, string snake)
    {
        if (Field(element, camel, snake) is not { ValueKind: JsonValueKind.Array } array)
        {
            return [];
        }

        return [.. array.EnumerateArray().Select(item => Hash(DecodeBase64(item, camel), camel))];
    }
}
