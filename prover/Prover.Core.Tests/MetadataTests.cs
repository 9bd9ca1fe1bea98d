using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

public class MetadataTests
{
    private static PostMetadata Sample(ulong? nonce = null) => new()
    {
        NodeId = new NodeId(TestData.Repeat(0x4d)),
        CommitmentAtxId = new AtxId(TestData.Repeat(0x00)),
        LabelsPerUnit = 4096,
        NumUnits = 31,
        MaxFileSize = 16000,
        Nonce = nonce,
    };

    [Fact]
    public void Writes_post_rs_form_exactly()
    {
        Assert.Equal(
            "{\n  \"NodeId\": \"TU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU0=\",\n  \"CommitmentAtxId\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\n" +
            "  \"LabelsPerUnit\": 4096,\n  \"NumUnits\": 31,\n  \"MaxFileSize\": 16000,\n  \"Nonce\": 37956,\n  \"LastPosition\": null\n}",
            Sample(37956).ToJson());
    }

    [Fact]
    public void Round_trips()
    {
        var m = Sample(5);
        var back = PostMetadata.Parse(m.ToJson());
        Assert.Equal(m.NodeId, back.NodeId);
        Assert.Equal(m.CommitmentAtxId, back.CommitmentAtxId);
        Assert.Equal((m.LabelsPerUnit, m.NumUnits, m.MaxFileSize, m.Nonce, m.LastPosition),
            (back.LabelsPerUnit, back.NumUnits, back.MaxFileSize, back.Nonce, back.LastPosition));
    }

    [Fact]
    public void Reads_postcli_form_with_tabs_nonce_value_and_omitted_fields()
    {
        const string go = "{\n\t\"NodeId\": \"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\n\t\"CommitmentAtxId\": \"ZuxocVjIYWfv7A/K1Lmm8+mNsHzAZaWVpbl5+KINx+I=\",\n" +
                          "\t\"LabelsPerUnit\": 4294967296,\n\t\"NumUnits\": 4,\n\t\"MaxFileSize\": 4294967296,\n\t\"Nonce\": 12345,\n\t\"NonceValue\": \"0000001f81fadfc488b990c940aba836\",\n\t\"Extra\": true\n}";
        var m = PostMetadata.Parse(go);
        Assert.Equal("8411931ece38b5abfb611f3bb1155a7eecd9c0e6c26672b567f7b1629c70a924", m.NodeId.ToString());
        Assert.Equal(12345UL, m.Nonce);
        Assert.Null(m.LastPosition);
        Assert.Equal("0000001f81fadfc488b990c940aba836", m.NonceValue);
        Assert.Equal(4UL << 32, m.TotalLabels);
        Assert.Equal(64, m.Layout.NumFiles); // 4 units of 64 GiB in 4 GiB files

        var unset = PostMetadata.Parse("{\"NodeId\":\"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\"CommitmentAtxId\":\"ZuxocVjIYWfv7A/K1Lmm8+mNsHzAZaWVpbl5+KINx+I=\",\"LabelsPerUnit\":1,\"NumUnits\":1,\"MaxFileSize\":1024}");
        Assert.Null(unset.Nonce);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"CommitmentAtxId\":\"AA==\"}", "'NodeId'")]
    [InlineData("{\"NodeId\":\"AA==\",\"CommitmentAtxId\":\"AA==\",\"LabelsPerUnit\":1,\"NumUnits\":1,\"MaxFileSize\":16}", "32 bytes")]
    [InlineData("{\"NodeId\":\"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\"CommitmentAtxId\":\"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\"LabelsPerUnit\":-1,\"NumUnits\":1,\"MaxFileSize\":16}", "LabelsPerUnit")]
    [InlineData("{\"NodeId\":\"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\"CommitmentAtxId\":\"hBGTHs44tav7YR87sRVafuzZwObCZnK1Z/exYpxwqSQ=\",\"LabelsPerUnit\":1,\"NumUnits\":0,\"MaxFileSize\":16}", "NumUnits")]
    public void Bad_metadata_gets_a_clear_error(string json, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => PostMetadata.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Layout_matches_post_rs()
    {
        var layout = new PostDataLayout(126976, 1000);
        Assert.Equal(127, layout.NumFiles);
        Assert.Equal(976UL, layout.LabelsInFile(126));
        Assert.Equal(1000UL, layout.LabelsInFile(0));
        Assert.Equal(126000UL, layout.FirstLabel(126));
        Assert.Equal(3, layout.FileOf(3999));
    }

    [Fact]
    public void Files_are_listed_in_numeric_order()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "postdata_10.bin", "postdata_2.bin", "postdata_1.bin", "postdata_x.bin", "postdata_3.bin.tmp" })
        {
            File.WriteAllBytes(dir.Sub(name), []);
        }

        Assert.Equal([1, 2, 10], PostDataLayout.ListFiles(dir.Path).Select(f => f.Index));
    }

    [Theory]
    [InlineData("1SU")]
    [InlineData("4SU")]
    [InlineData("16SU")]
    public void Vrf_difficulty_matches_go_PowDifficulty(string units)
    {
        var v = TestData.Load("vectors_basic.json").GetProperty("difficulty").GetProperty(units);
        Assert.Equal(v.GetProperty("vrf_difficulty_go").GetString(),
            Convert.ToHexStringLower(VrfDifficulty.ForLabels(v.GetProperty("num_labels").GetUInt64())));
    }
}
