using System.Text.Json;

namespace Prover.Node.Tests.Signing;

/// <summary>Reads the node vector files linked into the test output (vectors/node/*.json).</summary>
internal static class IdentityVectors
{
    public static IReadOnlyList<JsonElement> Load(string file, string? kind = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "node", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("vectors").EnumerateArray()
            .Where(v => kind is null || v.GetProperty("kind").GetString() == kind)
            .Select(v => v.Clone())
            .ToList();
    }

    public static JsonElement Root(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "node", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static byte[] Hex(this JsonElement v, string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);

    public static string Str(this JsonElement v, string name) => v.GetProperty(name).GetString()!;
}
