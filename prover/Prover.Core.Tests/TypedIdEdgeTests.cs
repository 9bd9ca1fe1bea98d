using Prover.Core.Data;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Verifier;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>Ids are parsed into their types at the edges, with messages that name the field.</summary>
public class TypedIdEdgeTests
{
    [Theory]
    [InlineData(null, "nodeId is required (hex)")]
    [InlineData("zz", "nodeId is not valid hex: 'zz'")]
    [InlineData("00", "nodeId must be 32 bytes (64 hex digits), got 1 byte")]
    public void A_bad_hex_id_names_the_field(string? text, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => Hex.Parse32(text, InputField.NodeId));
        Assert.Equal(InputField.NodeId, e.Field);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_hex_id_with_or_without_0x_parses_to_the_same_bytes()
    {
        string hex = string.Concat(Enumerable.Range(0, 32).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), Hex.Parse32(hex, InputField.NodeId).ToArray());
        Assert.Equal(Hex.Parse32(hex, InputField.NodeId), Hex.Parse32("0x" + hex.ToUpperInvariant(), InputField.NodeId));
    }

    [Fact]
    public void The_commitment_of_core_equals_the_reference_commitment()
    {
        var random = new Random(7);
        for (int i = 0; i < 8; i++)
        {
            var node = new byte[32];
            var atx = new byte[32];
            random.NextBytes(node);
            random.NextBytes(atx);
            Assert.Equal(Labels.Commitment(new NodeId(node), new AtxId(atx)), Commitment.Of(new NodeId(node), new AtxId(atx)));
        }
    }

    [Fact]
    public void A_proof_json_round_trips_its_typed_metadata_byte_for_byte()
    {
        var metadata = new ProofMetadata(new NodeId(TestData.Repeat(1)), new AtxId(TestData.Repeat(2)), new Challenge(TestData.Repeat(3)), 4);
        string json = ProofJson.Serialize(new Proof(5, [6, 7], 8), metadata);
        Assert.Contains($"\"node_id\":\"{Convert.ToBase64String(TestData.Repeat(1))}\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"challenge\":\"{Convert.ToBase64String(TestData.Repeat(3))}\"", json, StringComparison.Ordinal);
        var (_, back) = ProofJson.Deserialize(json);
        Assert.Equal(metadata, back);
        Assert.Equal(json, ProofJson.Serialize(new Proof(5, [6, 7], 8), back));
    }

    [Fact]
    public void A_proof_json_with_a_short_challenge_is_refused_naming_it()
    {
        var metadata = new ProofMetadata(NodeId.Zero, AtxId.Zero, Challenge.Zero, 4);
        string json = ProofJson.Serialize(new Proof(5, [6, 7], 8), metadata)
            .Replace($"\"challenge\":\"{Challenge.Zero.Value.ToBase64()}\"", $"\"challenge\":\"{Convert.ToBase64String(new byte[31])}\"", StringComparison.Ordinal);
        Assert.Equal("challenge must be 32 bytes (got 31).", Assert.Throws<FormatException>(() => ProofJson.Deserialize(json)).Message);
    }
}
