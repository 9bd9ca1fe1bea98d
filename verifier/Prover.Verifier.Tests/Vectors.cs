using System.Text.Json;

namespace Prover.Verifier.Tests;

/// <summary>Loads the known-answer vectors kept once in the repo's vectors/ and linked into TestData/.</summary>
internal static class Vectors
{
    public static JsonElement Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static JsonElement Basic => Load("vectors_basic.json");

    public static JsonElement EndToEnd => Load("vectors_e2e.json");

    public static byte[] Hex(this JsonElement e) => Convert.FromHexString(e.GetString()!);

    public static string ToHex(this byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string ToHex(this Span<byte> bytes) => Convert.ToHexStringLower(bytes);
}
