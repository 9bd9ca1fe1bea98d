using Prover.Core.Crypto;
using Prover.Core.Primitives;
using Prover.TestSupport;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>
/// Core's BLAKE3 (a wrapper over the Blake3 package) against the official vectors and against the verifier's scalar
/// oracle (<see cref="Blake3Reference"/>) on random inputs around every chunk and block boundary.
/// </summary>
public class Blake3PackageTests
{
    public static TheoryData<int, string> OfficialCases() => Blake3OfficialVectors.Cases();

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        var lengths = new SortedSet<int>();
        for (int n = 0; n <= 3000; n += 37)
        {
            lengths.Add(n);
        }

        foreach (int boundary in new[] { 64, 128, 1024, 2048, 3072, 4096, 5120, 8192, 16384, 31744 })
        {
            lengths.Add(boundary - 1);
            lengths.Add(boundary);
            lengths.Add(boundary + 1);
        }

        foreach (int n in new[] { 0, 1, 32, 63, 100_000 })
        {
            lengths.Add(n);
        }

        foreach (int n in lengths)
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_extended_output(int length, string expectedHex)
    {
        var output = new byte[expectedHex.Length / 2];
        Blake3.Hash(Blake3OfficialVectors.Input(length), output);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(output));

        var digest = new byte[32];
        Blake3.Hash(Blake3OfficialVectors.Input(length), digest);
        Assert.Equal(expectedHex[..64], Convert.ToHexStringLower(digest));
        Assert.Equal(expectedHex[..64], Convert.ToHexStringLower(Blake3.HashParts(Blake3OfficialVectors.Input(length))));
    }

    [Theory]
    [MemberData(nameof(OfficialCases))]
    public void Official_vectors_fed_in_uneven_pieces(int length, string expectedHex)
    {
        var input = Blake3OfficialVectors.Input(length);
        using var hasher = Blake3.CreateHasher();
        foreach (var (offset, take) in Blake3OfficialVectors.UnevenPieces(input.Length))
        {
            hasher.Update(input.AsSpan(offset, take));
        }

        var output = new byte[expectedHex.Length / 2];
        hasher.Finalize(output);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Random_inputs_match_the_verifier_oracle(int length)
    {
        var random = new Random(length * 7919 + 1);
        var input = new byte[length];
        random.NextBytes(input);

        // Default hash, a short output and an extended output spanning several root blocks.
        foreach (int outputLength in new[] { 32, 16, 200 })
        {
            var expected = new byte[outputLength];
            var actual = new byte[outputLength];
            Blake3Reference.Hash(input, expected);
            Blake3.Hash(input, actual);
            Assert.Equal(expected, actual);
        }

        // The same message as parts (the commitment's shape) and fed incrementally in random pieces.
        int cut = length == 0 ? 0 : random.Next(length + 1);
        Assert.Equal(Blake3Reference.HashParts(input[..cut], input[cut..]), Blake3.HashParts(input[..cut], input[cut..]));

        using var hasher = Blake3.CreateHasher();
        int offset = 0;
        while (offset < length)
        {
            int take = Math.Min(random.Next(1, 1500), length - offset);
            hasher.Update(input.AsSpan(offset, take));
            offset += take;
        }

        var incremental = new byte[64];
        var oracle = new byte[64];
        hasher.Finalize(incremental);
        Blake3Reference.Hash(input, oracle);
        Assert.Equal(oracle, incremental);
    }

    [Fact]
    public void Commitments_match_spec_vectors_and_the_oracle()
    {
        foreach (var c in TestData.Load("vectors_basic.json").GetProperty("commitments").EnumerateObject())
        {
            var node = c.Value.GetProperty("node_id").Hex();
            var atx = c.Value.GetProperty("commitment_atx_id").Hex();
            string expected = c.Value.GetProperty("commitment").GetString()!;
            Assert.Equal(expected, Convert.ToHexStringLower(Blake3.HashParts(node, atx)));
            Assert.Equal(expected, Convert.ToHexStringLower(Labels.Commitment(new NodeId(node), new AtxId(atx)).ToArray()));
        }
    }

    [Fact]
    public void Finalize_can_be_called_again_and_after_more_input()
    {
        var input = new byte[3000];
        new Random(42).NextBytes(input);
        using var hasher = Blake3.CreateHasher();
        hasher.Update(input.AsSpan(0, 1500));
        var first = new byte[32];
        var again = new byte[32];
        hasher.Finalize(first);
        hasher.Finalize(again);
        Assert.Equal(Blake3Reference.HashParts(input[..1500]), first);
        Assert.Equal(first, again);

        hasher.Update(input.AsSpan(1500));
        var whole = new byte[32];
        hasher.Finalize(whole);
        Assert.Equal(Blake3Reference.HashParts(input), whole);
    }
}
