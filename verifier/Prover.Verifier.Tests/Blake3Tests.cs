using Prover.Core.Primitives;
using Prover.TestSupport;
using Xunit;

namespace Prover.Verifier.Tests;

/// <summary>The verifier's scalar BLAKE3 oracle on the official vectors (Core's package wrapper: Blake3PackageTests).</summary>
public class Blake3Tests
{
    public static TheoryData<int, string> OfficialCases() => Blake3OfficialVectors.Cases();

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_extended_output(int length, string expectedHex)
    {
        var output = new byte[expectedHex.Length / 2];
        Blake3Reference.Hash(Blake3OfficialVectors.Input(length), output);
        Assert.Equal(expectedHex, output.ToHex());

        var digest = new byte[32];
        Blake3Reference.Hash(Blake3OfficialVectors.Input(length), digest);
        Assert.Equal(expectedHex[..64], digest.ToHex());
    }

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_fed_in_uneven_pieces(int length, string expectedHex)
    {
        var input = Blake3OfficialVectors.Input(length);
        var hasher = Blake3Reference.CreateHasher();
        foreach (var (offset, take) in Blake3OfficialVectors.UnevenPieces(input.Length))
        {
            hasher.Update(input.AsSpan(offset, take));
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
