using System.Buffers.Binary;
using Prover.Kernels.Gpu;
using Prover.Verifier.Scrypt;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// The device functions of the GPU kernel are plain C#; here they run on the host, against the scalar oracle and the
/// intermediate values of spec §7.2, so that a kernel failure can be told apart from a primitive failure.
/// </summary>
public class GpuDeviceFunctionTests
{
    private static Block16 ToBlock(ReadOnlySpan<uint> w) => new()
    {
        W0 = w[0],
        W1 = w[1],
        W2 = w[2],
        W3 = w[3],
        W4 = w[4],
        W5 = w[5],
        W6 = w[6],
        W7 = w[7],
        W8 = w[8],
        W9 = w[9],
        W10 = w[10],
        W11 = w[11],
        W12 = w[12],
        W13 = w[13],
        W14 = w[14],
        W15 = w[15],
    };

    private static uint[] ToWords(in Block16 b) =>
        [b.W0, b.W1, b.W2, b.W3, b.W4, b.W5, b.W6, b.W7, b.W8, b.W9, b.W10, b.W11, b.W12, b.W13, b.W14, b.W15];

    private static byte[] ToBytes(params uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        return bytes;
    }

    private static uint[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var words = new uint[bytes.Length / 4];
        for (int i = 0; i < words.Length; i++)
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
        return words;
    }

    private static ulong[] Lanes(in KeccakState s) =>
    [
        s.A00, s.A01, s.A02, s.A03, s.A04, s.A05, s.A06, s.A07, s.A08, s.A09, s.A10, s.A11, s.A12,
        s.A13, s.A14, s.A15, s.A16, s.A17, s.A18, s.A19, s.A20, s.A21, s.A22, s.A23, s.A24,
    ];

    private static KeccakState State(ulong[] a) => new()
    {
        A00 = a[0],
        A01 = a[1],
        A02 = a[2],
        A03 = a[3],
        A04 = a[4],
        A05 = a[5],
        A06 = a[6],
        A07 = a[7],
        A08 = a[8],
        A09 = a[9],
        A10 = a[10],
        A11 = a[11],
        A12 = a[12],
        A13 = a[13],
        A14 = a[14],
        A15 = a[15],
        A16 = a[16],
        A17 = a[17],
        A18 = a[18],
        A19 = a[19],
        A20 = a[20],
        A21 = a[21],
        A22 = a[22],
        A23 = a[23],
        A24 = a[24],
    };

    [Fact]
    public void ChaCha8_matches_the_spec_vector()
    {
        var words = new uint[16];
        for (int i = 0; i < 16; i++)
            words[i] = (uint)i * 0x01010101u;
        Block16 b = ToBlock(words);
        GpuScrypt.ChaCha8(ref b);
        Assert.Equal(
            "6333ff49f27090a22b387ecef4c4414cec2c38795f4a151bce9779b5273e73dedb8d48fcb3cd17e05e4a3f5f34ec4ff9d6bf5dd93e9680f9ca580587bf44903d",
            Convert.ToHexStringLower(ToBytes(ToWords(b))));
    }

    [Fact]
    public void ChaCha8_and_BlockMix_match_the_oracle_on_random_blocks()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 50; trial++)
        {
            var x = new uint[32];
            for (int i = 0; i < 32; i++)
                x[i] = (uint)rng.NextInt64(0, 1L << 32);

            var oracle = (uint[])x.Clone();
            ScryptJane.BlockMix(oracle, new uint[32], 1);

            Block16 b0 = ToBlock(x.AsSpan(0, 16)), b1 = ToBlock(x.AsSpan(16, 16));
            GpuScrypt.BlockMix(ref b0, ref b1);
            Assert.Equal(oracle, (uint[])[.. ToWords(b0), .. ToWords(b1)]);

            var core = x.AsSpan(0, 16).ToArray();
            ChaCha8.Core(core);
            Block16 c = ToBlock(x.AsSpan(0, 16));
            GpuScrypt.ChaCha8(ref c);
            Assert.Equal(core, ToWords(c));
        }
    }

    [Fact]
    public void KeccakF_matches_the_oracle_on_random_states()
    {
        var rng = new Random(99);
        for (int trial = 0; trial < 20; trial++)
        {
            var lanes = new ulong[25];
            for (int i = 0; i < 25; i++)
                lanes[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
            KeccakState s = State(lanes);
            Keccak512.Permute(lanes);
            GpuKeccak.Permute(ref s);
            Assert.Equal(lanes, Lanes(s));
        }
    }

    [Theory]
    [InlineData("", "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e")]
    [InlineData("abc", "18587dc2ea106b9a1563e32b3312421ca164c7f1f07bc922a9c83d77cea3a1e5d0c69910739025372dc14ac9642629379540c17e2a65b19d77aa511a9d00bb96")]
    public void KeccakF_gives_the_spec_Keccak512_digests(string message, string expected)
    {
        // One-block sponge with the original Keccak padding (0x01 … 0x80), rate 72.
        var block = new byte[72];
        System.Text.Encoding.ASCII.GetBytes(message).CopyTo(block, 0);
        block[message.Length] ^= 0x01;
        block[71] ^= 0x80;
        var lanes = new ulong[25];
        for (int i = 0; i < 9; i++)
            lanes[i] = BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan(i * 8));
        KeccakState s = State(lanes);
        GpuKeccak.Permute(ref s);
        var digest = new byte[64];
        ulong[] outLanes = Lanes(s);
        for (int i = 0; i < 8; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(digest.AsSpan(i * 8), outLanes[i]);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    private static (KeccakState Inner, KeccakState Outer) Keys(byte[] commitment, ulong index)
    {
        var args = new LabelBatchArgs
        {
            C0 = BinaryPrimitives.ReadUInt64LittleEndian(commitment),
            C1 = BinaryPrimitives.ReadUInt64LittleEndian(commitment.AsSpan(8)),
            C2 = BinaryPrimitives.ReadUInt64LittleEndian(commitment.AsSpan(16)),
            C3 = BinaryPrimitives.ReadUInt64LittleEndian(commitment.AsSpan(24)),
        };
        return (GpuScrypt.KeyState(args, index, 0x3636363636363636UL),
            GpuScrypt.KeyState(args, index, 0x5C5C5C5C5C5C5C5CUL));
    }

    [Fact]
    public void Pbkdf2_first_step_matches_the_spec_intermediate()
    {
        (KeccakState inner, KeccakState outer) = Keys(new byte[32], 0);
        Block16 x0 = default, x1 = default;
        GpuScrypt.Pbkdf2Block(inner, outer, 1, ref x0);
        GpuScrypt.Pbkdf2Block(inner, outer, 2, ref x1);
        Assert.Equal(
            "bc331280666710245171f3efa6d02b7a6661d65e2e95e909eba0b063145c5e12d2c956cfd46b8df02e9cb15160869e7470872a190d1490264ac0c270346d0288"
            + "d6c9ce07391b93dbfc89b88aa33230ab6aeb95b82ad8643762681af0d1a783193399646c6bbbc3220c568ecad98765b360c4278904382e66d4b0094837c92bbb",
            Convert.ToHexStringLower(ToBytes([.. ToWords(x0), .. ToWords(x1)])));
    }

    [Fact]
    public void Pbkdf2_first_step_matches_the_oracle_for_random_passwords()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 10; trial++)
        {
            var commitment = new byte[32];
            rng.NextBytes(commitment);
            ulong index = (ulong)rng.NextInt64();
            var password = new byte[72];
            Verifier.Labels.Password(commitment, index, password);
            var expected = new byte[128];
            Pbkdf2Keccak512.Derive(password, [], expected);

            (KeccakState inner, KeccakState outer) = Keys(commitment, index);
            Block16 x0 = default, x1 = default;
            GpuScrypt.Pbkdf2Block(inner, outer, 1, ref x0);
            GpuScrypt.Pbkdf2Block(inner, outer, 2, ref x1);
            Assert.Equal(expected, ToBytes([.. ToWords(x0), .. ToWords(x1)]).AsSpan());
        }
    }

    [Theory]
    [InlineData(
        "17f086a185196ed2f2047e4c012840d0c45333e9111e2db62f97a89afc63bf3926a3dbb2ae1b005396b1aae029aed5ac32e14cefca06d495dc612d000d41a881"
        + "297acb0e95a62eeddb06239ee9806e6fb83f2d440414e628bae5a19ee47866a6270602991b4edb3988fd1cf953b2ebe91fe448a73bd2735b60806872d301a910",
        "ff29deee2578176c8c7d9495164e88213859c3db4b0fe3cdfdd27818b26943a6")]
    [InlineData(
        "7d70159da1e3b591a7a5c93696a35d0c288bf78c89cf6d62a5b92d052ba6ae3c156b8688dc01fe5f1d94bda3a5c509c3294ed210bbb2ac9bb01b75a827d683ec"
        + "faca8af74ac99b72eaf99f45a11b631b05771e0e3f5c343da204119874398527938b03ad27c750781557ec767773fc5e629dd8a2b613d7bca26e1f1bfbff220f",
        "8c7b34d495266b23799ddaddc2a1836babdd6719c20aca272b42e9d9675ad2b7")]
    public void Final_hmac_of_the_spec_ROMix_outputs_gives_the_label(string romixOutput, string expected)
    {
        uint[] words = FromBytes(Convert.FromHexString(romixOutput));
        (KeccakState inner, KeccakState outer) = Keys(new byte[32], 0);
        KeccakState result = GpuScrypt.FinalHmac(inner, outer, ToBlock(words.AsSpan(0, 16)), ToBlock(words.AsSpan(16, 16)));
        var output = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(output, result.A00);
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(8), result.A01);
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(16), result.A02);
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(24), result.A03);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }
}
