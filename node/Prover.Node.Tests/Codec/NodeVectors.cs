using System.Text.Json;

namespace Prover.Node.Tests.Codec;

/// <summary>Loads the node's known-answer vectors (vectors/node/*.json, copied next to the test assembly).</summary>
internal static class NodeVectors
{
    public static JsonElement[] Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "node", file);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone())];
    }

    public static IEnumerable<object[]> Indexed(string file, params string[] kinds) =>
        Load(file)
            .Select((v, i) => (v, i))
            .Where(t => kinds.Length == 0 || kinds.Contains(t.v.GetProperty("kind").GetString()))
            .Select(t => new object[] { t.i });

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string? Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static bool IsNull(this JsonElement e, string name) =>
        !e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null;
}
