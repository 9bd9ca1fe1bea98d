using Prover.Core.Primitives;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Verifier.Tests;

public class AesReferenceTests
{
    [Fact]
    public void Fips197_appendix_C1_aes128()
    {
        var key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        var plain = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var output = new byte[16];
        Aes128.Encrypt(key, plain, output);
        Assert.Equal("69c4e0d86a7b0430d8cdb78070b4c55a", output.ToHex());
    }

    [Fact]
    public void Fips197_appendix_B_cipher_example()
    {
        var key = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
        var plain = Convert.FromHexString("3243f6a8885a308d313198a2e0370734");
        var output = new byte[16];
        Aes128.Encrypt(key, plain, output);
        Assert.Equal("3925841d02dc09fbdc118597196a0b32", output.ToHex());
    }

    [Fact]
    public void Fips197_appendix_A1_key_expansion()
    {
        var key = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
        var roundKeys = new byte[Aes128.ExpandedKeySize];
        Aes128.ExpandKey(key, roundKeys);
        Assert.Equal("a0fafe1788542cb123a339392a6c7605", Convert.ToHexStringLower(roundKeys, 16, 16));
        Assert.Equal("d014f9a8c9ee2589e13f0cc8b6630ca6", Convert.ToHexStringLower(roundKeys, 160, 16));
    }

    [Theory]
    [InlineData(0x00, 0x63)]
    [InlineData(0x01, 0x7c)]
    [InlineData(0x53, 0xed)]
    [InlineData(0xff, 0x16)]
    public void Sbox_matches_fips197_figure_7(byte input, byte expected) => Assert.Equal(expected, Aes128.SubByte(input));

    [Fact]
    public void Proving_keys_match_spec_vectors()
    {
        var aes = Vectors.Basic.GetProperty("aes");
        var challenge = aes.GetProperty("challenge_hex").Hex();
        var key = new byte[16];

        ProvingKeys.GroupKey(new Challenge(challenge), 0, 0, key);
        Assert.Equal(aes.GetProperty("key_ng0_pow0").GetString(), key.ToHex());
        ProvingKeys.GroupKey(new Challenge(challenge), 1, 0, key);
        Assert.Equal(aes.GetProperty("key_ng1_pow0").GetString(), key.ToHex());
        ProvingKeys.GroupKey(new Challenge(challenge), 0, 12345, key);
        Assert.Equal(aes.GetProperty("key_ng0_pow12345").GetString(), key.ToHex());
        ProvingKeys.LazyKey(new Challenge(challenge), 3, 0, key);
        Assert.Equal(aes.GetProperty("lazy_key_nonce3_ng0_pow0").GetString(), key.ToHex());
    }

    [Fact]
    public void Aes_outputs_of_example_label_match_spec_vectors()
    {
        var aes = Vectors.Basic.GetProperty("aes");
        var challenge = aes.GetProperty("challenge_hex").Hex();
        var label = aes.GetProperty("example_label").Hex();
        var key = new byte[16];
        var output = new byte[16];

        ProvingKeys.GroupKey(new Challenge(challenge), 0, 0, key);
        Aes128.Encrypt(key, label, output);
        Assert.Equal(aes.GetProperty("aes_out_ng0").GetString(), output.ToHex());

        ProvingKeys.LazyKey(new Challenge(challenge), 3, 0, key);
        Aes128.Encrypt(key, label, output);
        Assert.Equal(aes.GetProperty("lazy_aes_out_nonce3").GetString(), output.ToHex());
        ulong lsb = BitConverter.ToUInt64(output) & ProvingDifficulty.LsbMask;
        Assert.Equal(aes.GetProperty("lazy_lsb56_nonce3").GetUInt64(), lsb);
    }

    [Fact]
    public void Encrypt_ecb_rejects_partial_blocks()
    {
        var roundKeys = new byte[Aes128.ExpandedKeySize];
        Assert.Throws<ArgumentException>(() => Aes128.EncryptEcb(roundKeys, new byte[17], new byte[32]));
        Assert.Throws<ArgumentException>(() => Aes128.ExpandKey(new byte[15], roundKeys));
    }
}
