using System.Text;
using Prover.Verifier.Scrypt;
using Xunit;

namespace Prover.Verifier.Tests;

public class ScryptReferenceTests
{
    private static string KeccakHex(ReadOnlySpan<byte> input)
    {
        var digest = new byte[64];
        Keccak512.Hash(input, digest);
        return digest.ToHex();
    }

    [Fact]
    public void Keccak512_original_padding_vectors()
    {
        Assert.Equal(
            "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e",
            KeccakHex([]));
        Assert.Equal(
            "18587dc2ea106b9a1563e32b3312421ca164c7f1f07bc922a9c83d77cea3a1e5d0c69910739025372dc14ac9642629379540c17e2a65b19d77aa511a9d00bb96",
            KeccakHex("abc"u8));
    }

    [Fact]
    public void Keccak512_scrypt_jane_self_test()
    {
        // final = H( H(msg[0..0]) || H(msg[0..1]) || ... || H(msg[0..257]) ) with msg[i] = i (scrypt-jane-hash.h).
        var msg = new byte[257];
        for (int i = 0; i < msg.Length; i++)
        {
            msg[i] = (byte)i;
        }

        var all = new byte[258 * 64];
        for (int i = 0; i <= 257; i++)
        {
            Keccak512.Hash(msg.AsSpan(0, i), all.AsSpan(i * 64, 64));
        }

        Assert.Equal(
            "17c78ca0d9081dba8ac83e0790da918825bdd3f8784a8d5ee4969c01f3ebdc12ea3557ba94b8e9b927450a485c3d69f0db2238b5522229ea7ab2e607aa374de6",
            KeccakHex(all));
    }

    [Fact]
    public void Hmac_uses_a_long_key_hashed()
    {
        // A key longer than the rate is hashed first: HMAC(longKey) == HMAC(H(longKey)).
        var longKey = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var hashedKey = new byte[64];
        Keccak512.Hash(longKey, hashedKey);
        var a = new byte[64];
        var b = new byte[64];
        HmacKeccak512.Compute(longKey, "message"u8, a);
        HmacKeccak512.Compute(hashedKey, "message"u8, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ChaCha8_core_vector()
    {
        var words = new uint[16];
        for (uint i = 0; i < 16; i++)
        {
            words[i] = i * 0x01010101u;
        }

        ChaCha8.Core(words);
        var bytes = new byte[64];
        for (int i = 0; i < 16; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), words[i]);
        }

        Assert.Equal(
            "6333ff49f27090a22b387ecef4c4414cec2c38795f4a151bce9779b5273e73dedb8d48fcb3cd17e05e4a3f5f34ec4ff9d6bf5dd93e9680f9ca580587bf44903d",
            bytes.ToHex());
    }

    [Fact]
    public void Pbkdf2_step_one_of_label_zero()
    {
        var x = new byte[128];
        Pbkdf2Keccak512.Derive(new byte[72], [], x);
        Assert.Equal(
            "bc331280666710245171f3efa6d02b7a6661d65e2e95e909eba0b063145c5e12d2c956cfd46b8df02e9cb15160869e7470872a190d1490264ac0c270346d0288" +
            "d6c9ce07391b93dbfc89b88aa33230ab6aeb95b82ad8643762681af0d1a783193399646c6bbbc3220c568ecad98765b360c4278904382e66d4b0094837c92bbb",
            x.ToHex());
    }

    [Theory]
    [InlineData(2UL,
        "17f086a185196ed2f2047e4c012840d0c45333e9111e2db62f97a89afc63bf3926a3dbb2ae1b005396b1aae029aed5ac32e14cefca06d495dc612d000d41a881" +
        "297acb0e95a62eeddb06239ee9806e6fb83f2d440414e628bae5a19ee47866a6270602991b4edb3988fd1cf953b2ebe91fe448a73bd2735b60806872d301a910")]
    [InlineData(8192UL,
        "7d70159da1e3b591a7a5c93696a35d0c288bf78c89cf6d62a5b92d052ba6ae3c156b8688dc01fe5f1d94bda3a5c509c3294ed210bbb2ac9bb01b75a827d683ec" +
        "faca8af74ac99b72eaf99f45a11b631b05771e0e3f5c343da204119874398527938b03ad27c750781557ec767773fc5e629dd8a2b613d7bca26e1f1bfbff220f")]
    public void RoMix_intermediate_of_label_zero(ulong n, string expectedHex)
    {
        var x = new byte[128];
        Pbkdf2Keccak512.Derive(new byte[72], [], x);
        var words = new uint[32];
        for (int i = 0; i < 32; i++)
        {
            words[i] = BitConverter.ToUInt32(x, i * 4);
        }

        ScryptJane.RoMix(words, n, 1);
        var bytes = new byte[128];
        for (int i = 0; i < 32; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), words[i]);
        }

        Assert.Equal(expectedHex, bytes.ToHex());
    }

    [Fact]
    public void Scrypt_jane_upstream_self_test_vectors()
    {
        var a = new byte[64];
        ScryptJane.Compute([], [], 16, 1, 1, a);
        Assert.Equal(
            "77cb70bfaed44c5bbcd3ec8a82438db37f1ffb7036324da6b7133777300c3cfb2c208f2af4474d698eae2dadba35e92fe6997af8cf7078bb0c7264958b36773d",
            a.ToHex());

        var b = new byte[64];
        ScryptJane.Compute(Encoding.ASCII.GetBytes("password"), Encoding.ASCII.GetBytes("NaCl"), 1024, 8, 16, b);
        Assert.Equal(
            "c643171687095f12ed21e2b4ad55a1a149509070ab81837acddf235219c0a2d88e98ebf037abadfd1c0497184285f74b182c55d3a9e689fb580ab237b9f8fbc5",
            b.ToHex());
    }

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        var o = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptJane.Compute([], [], 3, o));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptJane.Compute([], [], 1, o));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScryptJane.Compute([], [], 4, 3, 1, o));
    }
}
