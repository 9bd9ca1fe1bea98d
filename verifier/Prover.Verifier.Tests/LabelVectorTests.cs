using Prover.Core.Primitives;
using Xunit;

namespace Prover.Verifier.Tests;

public class LabelVectorTests
{
    private static readonly Dictionary<string, (ulong N, string Commitment)> Sets = new()
    {
        ["N8192_commitment_zero"] = (8192, new string('0', 64)),
        ["N2_commitment_node77_atx0"] = (2, "788596c567c2b8f4d5fd10329c57077e432f42caee8283101e0f3964f8c7e076"),
        ["N4_commitment_zero"] = (4, new string('0', 64)),
        ["N32_commitment_zero"] = (32, new string('0', 64)),
        ["N512_commitment_zero"] = (512, new string('0', 64)),
    };

    public static TheoryData<string, ulong, string> SpecLabels()
    {
        var data = new TheoryData<string, ulong, string>();
        foreach (var set in Vectors.Basic.GetProperty("labels").EnumerateObject())
        {
            foreach (var v in set.Value.EnumerateArray())
            {
                data.Add(set.Name, v.GetProperty("index").GetUInt64(), v.GetProperty("scrypt_out32").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecLabels))]
    public void Spec_label_vectors(string set, ulong index, string expected)
    {
        var (n, commitment) = Sets[set];
        var output = new byte[32];
        Labels.Output32(Convert.FromHexString(commitment), index, n, output);
        Assert.Equal(expected, output.ToHex());
        Assert.Equal(expected[..32], Labels.Label(Convert.FromHexString(commitment), index, n).ToHex());
    }

    [Fact]
    public void Gpu_post_128_outputs_at_N512()
    {
        var doc = Vectors.Load("upstream_gpu_post_n512.json");
        var commitment = doc.GetProperty("commitment").Hex();
        var output = new byte[32];
        int count = 0;
        foreach (var v in doc.GetProperty("outputs").EnumerateArray())
        {
            Labels.Output32(commitment, v.GetProperty("index").GetUInt64(), 512, output);
            Assert.Equal(v.GetProperty("scrypt_out32").GetString(), output.ToHex());
            count++;
        }

        Assert.Equal(128, count);
    }

    [Fact]
    public void End_to_end_first_labels_and_vrf_output()
    {
        var e2e = Vectors.EndToEnd.GetProperty("end_to_end");
        var commitment = Labels.Commitment(new NodeId(e2e.GetProperty("node_id").Hex()), new AtxId(e2e.GetProperty("commitment_atx_id").Hex())).ToArray();
        Assert.Equal(e2e.GetProperty("commitment").GetString(), commitment.ToHex());
        ulong i = 0;
        foreach (var label in e2e.GetProperty("first_labels").EnumerateArray())
        {
            Assert.Equal(label.GetString(), Labels.Label(commitment, i++, 2).ToHex());
        }

        var vrf = e2e.GetProperty("vrf_nonce_rust_initializer_ffff");
        var output = new byte[32];
        Labels.Output32(commitment, vrf.GetProperty("index").GetUInt64(), 2, output);
        Assert.Equal(vrf.GetProperty("label32").GetString(), output.ToHex());
    }
}
