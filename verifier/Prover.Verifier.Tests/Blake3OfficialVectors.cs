using System.Text.Json;
using Xunit;

namespace Prover.TestSupport;

/// <summary>
/// The official BLAKE3 test vectors (<c>blake3_test_vectors.json</c>, linked into each test project's <c>TestData/</c>),
/// shared by the tests of the verifier's oracle and of Core's package wrapper: each case hashes the first
/// <c>input_len</c> bytes of 0, 1, …, 250 repeating, and gives the extended output whose first 32 bytes are the hash.
/// </summary>
internal static class Blake3OfficialVectors
{
    /// <summary>Every case: the input length and the expected extended output in hex.</summary>
    public static TheoryData<int, string> Cases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "blake3_test_vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var data = new TheoryData<int, string>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("input_len").GetInt32(), c.GetProperty("hash").GetString()!);
        }

        return data;
    }

    /// <summary>The vectors' input of <paramref name="length"/> bytes: 0, 1, …, 250 repeating.</summary>
    public static byte[] Input(int length)
    {
        var input = new byte[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    /// <summary>
    /// Cuts <paramref name="length"/> bytes into pieces of 1, 63, 64, 65, 1023, 1024 and 7 bytes, repeating (the last one
    /// shorter), so that an incremental hasher is fed across and on every block and chunk boundary.
    /// </summary>
    public static IEnumerable<(int Offset, int Length)> UnevenPieces(int length)
    {
        int[] pieces = [1, 63, 64, 65, 1023, 1024, 7];
        int offset = 0, k = 0;
        while (offset < length)
        {
            int take = Math.Min(pieces[k++ % pieces.Length], length - offset);
            yield return (offset, take);
            offset += take;
        }
    }
}
