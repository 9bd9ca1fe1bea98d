using Prover.Core.Proving;
using Xunit;

namespace Prover.Core.Tests;

public class CompressionTests
{
    private static readonly ulong[] UpstreamIndices = [0, 0b1111_1111_1111_0101, 0, 0b1111_1111_0000_1111];

    [Fact]
    public void Upstream_three_bits() =>
        Assert.Equal(new byte[] { 0b00_101_000, 0b0000_1110 }, IndexCompression.Compress(UpstreamIndices, 3));

    [Fact]
    public void Upstream_sixteen_bits() =>
        Assert.Equal(new byte[] { 0, 0, 0xF5, 0xFF, 0, 0, 0x0F, 0xFF }, IndexCompression.Compress(UpstreamIndices, 16));

    [Theory]
    [InlineData(0UL, 0)]
    [InlineData(1UL, 1)]
    [InlineData(1UL << 19, 20)]
    [InlineData((1UL << 63) - 1, 63)]
    [InlineData(ulong.MaxValue, 64)]
    [InlineData(1UL << 34, 35)]
    [InlineData(1UL << 32, 33)]
    [InlineData(126976UL, 17)]
    [InlineData(400UL, 9)]
    public void Required_bits_is_the_bit_length_of_num_labels(ulong numLabels, int bits) =>
        Assert.Equal(bits, IndexCompression.RequiredBits(numLabels));

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(3, 10, 4)]
    [InlineData(8, 10, 10)]
    [InlineData(33, 37, 153)]
    [InlineData(35, 37, 162)]
    [InlineData(37, 37, 172)]
    [InlineData(17, 32, 68)]
    public void Expected_bytes(int bits, int count, int bytes) => Assert.Equal(bytes, IndexCompression.ExpectedBytes(bits, count));

    [Fact]
    public void SpecVector_35Bits()
    {
        var c = TestData.Load("vectors_basic.json").GetProperty("compression");
        int bits = c.GetProperty("bits").GetInt32();
        ulong[] indices = c.GetProperty("indices").EnumerateArray().Select(e => e.GetUInt64()).ToArray();
        byte[] packed = IndexCompression.Compress(indices, bits);
        Assert.Equal(c.GetProperty("compressed").GetString(), Convert.ToHexStringLower(packed));
        Assert.Equal(indices, IndexCompression.Decompress(packed, bits, indices.Length));
    }

    [Fact]
    public void Proof_create_nine_labels_uses_four_bits_per_index()
    {
        // post-rs src/prove.rs: Proof::new(7, [0..=8], num_labels 9, pow 77).
        ulong[] indices = Enumerable.Range(0, 9).Select(i => (ulong)i).ToArray();
        var proof = Proof.Create(7, indices, 9, 77);
        Assert.Equal(5, proof.Indices.Length);
        Assert.Equal(new byte[] { 0x10, 0x32, 0x54, 0x76, 0x08 }, proof.Indices);
        Assert.Equal(indices, proof.DecompressIndices(9, 9));
        Assert.Equal(7u, proof.Nonce);
        Assert.Equal(77UL, proof.Pow);
    }

    [Fact]
    public void Round_trip_random_indices_all_widths()
    {
        var random = new Random(11);
        for (int bits = 1; bits <= 64; bits++)
        {
            int count = random.Next(1, 50);
            ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            ulong[] indices = Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40)).ToArray();
            byte[] packed = IndexCompression.Compress(indices, bits);
            Assert.Equal(IndexCompression.ExpectedBytes(bits, count), packed.Length);
            Assert.Equal(indices.Select(i => i & mask).ToArray(), IndexCompression.Decompress(packed, bits, count));
            // Unused high bits of the last byte are zero.
            int used = (bits * count) % 8;
            if (used != 0)
            {
                Assert.Equal(0, packed[^1] >> used);
            }
        }
    }
}
