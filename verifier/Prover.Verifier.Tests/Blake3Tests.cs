using Prover.Core.Primitives;
using Xunit;

namespace Prover.Verifier.Tests;

/// <summary>The verifier's scalar BLAKE3 oracle on the official vectors (Core's package wrapper: Blake3PackageTests).</summary>
public class Blake3Tests
{
    public static TheoryData<int, string> OfficialCases()
    {
        var data = new TheoryData<int, string>();
        foreach (var c in Vectors.Load("blake3_test_vectors.json").GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("input_len").GetInt32(), c.GetProperty("hash").GetString()!);
        }

        return data;
    }

    private static byte[] Input(int length)
    {
        var input = new byte[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_extended_output(int length, string expectedHex)
    {
        var output = new byte[expectedHex.Length / 2];
        Blake3Reference.Hash(Input(length), output);
        Assert.Equal(expectedHex, output.ToHex());

        var digest = new byte[32];
        Blake3Reference.Hash(Input(length), digest);
        Assert.Equal(expectedHex[..64], digest.ToHex());
    }

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_fed_in_uneven_pieces(int length, string expectedHex)
    {
        var input = Input(length);
        var hasher = Blake3Reference.CreateHasher();
        int[] pieces = [1, 63, 64, 65, 1023, 1024, 7];
        int offset = 0, k = 0;
        while (offset < input.Length)
        {
            int take = Math.Min(pieces[k++ % pieces.Length], input.Length - offset);
            hasher.Update(input.AsSpan(offset, take));
            offset += take;
        }

        var output = new byte[expectedHex.Length / 2];
        hasher.Finalize(output);
        Assert.Equal(expectedHex, output.ToHex());
    }

    [Fact]
    public void Commitments_match_spec_vectors()
    {
        foreach (var c in Vectors.Basic.GetProperty("commitments").EnumerateObject())
        {
            var node = c.Value.GetProperty("node_id").Hex();
            var atx = c.Value.GetProperty("commitment_atx_id").Hex();
            Assert.Equal(c.Value.GetProperty("commitment").GetString(), Labels.Commitment(new NodeId(node), new AtxId(atx)).ToArray().ToHex());
            Assert.Equal(c.Value.GetProperty("commitment").GetString(), Blake3Reference.HashParts(node, atx).ToHex());
        }
    }
}
