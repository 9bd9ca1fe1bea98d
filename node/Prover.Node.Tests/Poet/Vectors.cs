using System.Text.Json;

namespace Prover.Node.Tests.Poet;

/// <summary>Loads vectors/node/*.json (linked into the test output).</summary>
internal static class Vectors
{
    public static IEnumerable<JsonElement> Of(string file, string kind)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "node", file);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. document.RootElement.GetProperty("vectors").EnumerateArray()
            .Where(v => v.GetProperty("kind").GetString() == kind)
            .Select(v => v.Clone())];
    }

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    public static byte[][] HexList(this JsonElement element, string name) =>
        [.. element.GetProperty(name).EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!))];

    public static ulong[] U64List(this JsonElement element, string name) =>
        [.. element.GetProperty(name).EnumerateArray().Select(e => e.GetUInt64())];
}
