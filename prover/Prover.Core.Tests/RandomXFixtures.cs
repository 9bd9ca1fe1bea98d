using System.Text;
using System.Text.Json;
using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>
/// One light-mode RandomX context for the Spacemesh key, shared by every test class of the "RandomX light" collection
/// (building it costs ~1 s and 256 MiB).
/// </summary>
public sealed class RandomXLightFixture : IDisposable
{
    public RandomXLightFixture() => Context = RandomXContext.Create(RandomXMode.Light);

    public RandomXContext Context { get; }

    public void Dispose() => Context.Dispose();
}

[CollectionDefinition(Name)]
public sealed class RandomXLightGroup : ICollectionFixture<RandomXLightFixture>
{
    public const string Name = "RandomX light";
}

/// <summary>The k2pow vectors of <c>TestData/vectors_e2e.json</c> (spec §7.2).</summary>
public static class K2PowVectors
{
    private static readonly Lazy<JsonDocument> s_document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "vectors_e2e.json"))));

    public static JsonElement SingleHash => s_document.Value.RootElement.GetProperty("k2pow_single_hash");

    public static JsonElement Difficulty0fff => s_document.Value.RootElement.GetProperty("k2pow_test_difficulty_0fff");

    /// <summary>The pow search case of <see cref="Difficulty0fff"/>: its inputs and smallest valid pow.</summary>
    public static (byte[] Challenge8, byte[] Miner, byte[] Difficulty, byte Group, ulong Smallest) SearchCase =>
        (Ascii(Difficulty0fff, "challenge8_ascii"), Hex(Difficulty0fff, "miner_id"), Hex(Difficulty0fff, "difficulty"),
            (byte)Difficulty0fff.GetProperty("nonce_group").GetInt32(), Difficulty0fff.GetProperty("smallest_valid_pow").GetUInt64());

    public static byte[] Hex(JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    public static byte[] Ascii(JsonElement element, string property) => Encoding.ASCII.GetBytes(element.GetProperty(property).GetString()!);

    /// <summary>(pow, expected hash) pairs of the 0fff vector: pows 0..11 with their RandomX hashes.</summary>
    public static IEnumerable<(ulong Pow, byte[] Hash)> HashesBelow()
    {
        foreach (var pair in Difficulty0fff.GetProperty("hashes_below").EnumerateArray())
        {
            yield return (pair[0].GetUInt64(), Convert.FromHexString(pair[1].GetString()!));
        }
    }
}
