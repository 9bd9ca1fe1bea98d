using System.Text.Json;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Core.Tests;

public class ProofJsonTests
{
    private static (Proof, ProofMetadata) Sample() =>
        (new Proof(6, Convert.FromHexString("d0122c2e6471706ff11c"), 23),
         new ProofMetadata(new NodeId(TestData.Repeat(0x4d)), new AtxId(TestData.Repeat(0)), new Challenge(System.Text.Encoding.ASCII.GetBytes("hello world, challenge me!!!!!!!")), 31));

    [Fact]
    public void Serialize_certifier_form()
    {
        var (proof, metadata) = Sample();
        string json = ProofJson.Serialize(proof, metadata);
        Assert.Equal(
            "{\"proof\":{\"nonce\":6,\"indices\":\"0BIsLmRxcG/xHA==\",\"pow\":23},\"metadata\":{\"node_id\":\"TU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU0=\","
            + "\"commitment_atx_id\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"challenge\":\"aGVsbG8gd29ybGQsIGNoYWxsZW5nZSBtZSEhISEhISE=\",\"num_units\":31}}",
            json);
    }

    [Fact]
    public void Round_trip_both_layouts()
    {
        var (proof, metadata) = Sample();
        foreach (bool indented in new[] { false, true })
        {
            var (p, m) = ProofJson.Deserialize(ProofJson.Serialize(proof, metadata, indented));
            Assert.Equal(proof, p);
            Assert.Equal(metadata, m);
        }
    }

    [Fact]
    public void Reads_large_values_and_ignores_unknown_fields()
    {
        string json = "{\"extra\":1,\"proof\":{\"nonce\":4294967295,\"indices\":\"AA==\",\"pow\":18446744073709551615,\"k3pow\":5},"
            + "\"metadata\":{\"node_id\":\"" + Convert.ToBase64String(new byte[32]) + "\",\"commitment_atx_id\":\"" + Convert.ToBase64String(new byte[32])
            + "\",\"challenge\":\"" + Convert.ToBase64String(new byte[32]) + "\",\"num_units\":4,\"labels_per_unit\":7}}";
        var (p, m) = ProofJson.Deserialize(json);
        Assert.Equal(uint.MaxValue, p.Nonce);
        Assert.Equal(ulong.MaxValue, p.Pow);
        Assert.Equal(new byte[] { 0 }, p.Indices);
        Assert.Equal(4u, m.NumUnits);
    }

    [Theory]
    [InlineData("{}", "proof")]
    [InlineData("{\"proof\":{\"nonce\":1,\"indices\":\"AA==\",\"pow\":1}}", "metadata")]
    [InlineData("{\"proof\":{\"indices\":\"AA==\",\"pow\":1},\"metadata\":{}}", "proof.nonce")]
    [InlineData("{\"proof\":{\"nonce\":1,\"indices\":\"AA==\",\"pow\":1},\"metadata\":{\"node_id\":\"AA==\",\"commitment_atx_id\":\"AA==\",\"challenge\":\"AA==\",\"num_units\":1}}", "node_id")]
    [InlineData("{\"proof\":{\"nonce\":-1,\"indices\":\"AA==\",\"pow\":1},\"metadata\":{}}", "Invalid proof JSON")]
    [InlineData("{\"proof\":{\"nonce\":1,\"indices\":\"not base64!\",\"pow\":1},\"metadata\":{}}", "Invalid proof JSON")]
    [InlineData("not json", "Invalid proof JSON")]
    public void Malformed_input_names_the_problem(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ProofJson.Deserialize(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Serialized_json_is_valid_json_with_standard_base64()
    {
        var (proof, metadata) = Sample();
        using var doc = JsonDocument.Parse(ProofJson.Serialize(proof, metadata, indented: true));
        Assert.Equal(proof.Indices, Convert.FromBase64String(doc.RootElement.GetProperty("proof").GetProperty("indices").GetString()!));
    }
}
