using Prover.Core.Primitives;
using Prover.Node.Codec;
using Xunit;

namespace Prover.Node.Tests.Codec;

public class ScaleReaderWriterTests
{
    [Fact]
    public void Random_compact64_values_round_trip_in_the_size_compact_size_predicts()
    {
        var rng = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var value = (ulong)rng.NextInt64() >> rng.Next(64);
            var bytes = ScaleVectorTests.EncodeCompact(64, value);
            Assert.Equal(ScaleCodec.CompactSize(value), bytes.Length);
            Assert.Equal(value, ScaleVectorTests.DecodeCompactAll(64, bytes));
            if (value <= uint.MaxValue)
            {
                Assert.Equal(bytes, ScaleVectorTests.EncodeCompact(32, value));
                Assert.Equal(value, ScaleVectorTests.DecodeCompactAll(32, bytes));
            }
        }
    }

    [Fact]
    public void Compact32_refuses_big_int_mode_with_other_than_four_bytes()
    {
        // 0x03 = 4 bytes, 0x07 = 5 bytes; compact64 accepts the latter.
        var five = Convert.FromHexString("070000000001");
        var e = Assert.Throws<ScaleDecodeException>(() => ScaleVectorTests.DecodeCompactAll(32, five));
        Assert.Equal("invalid compact32 needs 5 bytes", e.Detail);
        Assert.Equal(ScaleError.InvalidLength, e.Reason);
        Assert.Equal(4294967296UL, ScaleVectorTests.DecodeCompactAll(64, five));
    }

    [Theory]
    [InlineData("", "read compact header: EOF")]
    [InlineData("01", "EOF")]
    [InlineData("0200", "unexpected EOF")]
    [InlineData("0b0000", "unexpected EOF")]
    public void Truncated_compacts_fail_like_go_io_read_full(string hex, string detail)
    {
        var e = Assert.Throws<ScaleDecodeException>(() => ScaleVectorTests.DecodeCompactAll(64, Convert.FromHexString(hex)));
        Assert.Equal(detail, e.Detail);
        Assert.Equal(ScaleError.EndOfInput, e.Reason);
    }

    [Fact]
    public void Every_option_tag_other_than_one_means_absent()
    {
        for (var tag = 0; tag < 256; tag++)
        {
            var bytes = tag == 1 ? new byte[] { 1, 0 } : [(byte)tag];
            var reader = new ScaleReader(bytes);
            var value = reader.ReadOption<ScaleVectorTests.NestedModule>();
            reader.EnsureEnd();
            Assert.Equal(tag == 1, value is not null);
        }
    }

    [Fact]
    public void Byte_slices_over_their_max_are_refused_on_decode_and_on_encode()
    {
        var bytes = new byte[] { 33 << 2 }.Concat(new byte[33]).ToArray();
        var e = Assert.Throws<ScaleDecodeException>(() =>
        {
            var reader = new ScaleReader(bytes);
            reader.ReadBytes(32);
        });
        Assert.Equal("too many elements to decode in collection with scale limit set: (33 > 32)", e.Detail);
        Assert.Equal(0, e.Offset);

        var ok = new ScaleReader(bytes);
        Assert.Equal(33, ok.ReadBytes(33).Length);
        Assert.True(ok.IsAtEnd);

        Assert.Throws<ScaleEncodeException>(() =>
        {
            var writer = new ScaleWriter(64);
            try
            {
                writer.WriteBytes(new byte[33], 32);
            }
            finally
            {
                writer.Dispose();
            }
        });
    }

    [Fact]
    public void A_huge_announced_length_fails_at_end_of_input_without_allocating_for_it()
    {
        // 2^20 elements announced (the default cap), 3 bytes of payload.
        var writer = new ScaleWriter(16);
        writer.WriteCompact32(ScaleCodec.MaxElements);
        writer.WriteFixed([4, 8, 12]);
        var bytes = writer.ToArray();
        writer.Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ScaleDecodeException>(() =>
        {
            var reader = new ScaleReader(bytes);
            reader.ReadVector<ScaleVectorTests.Compact32Box>(ScaleCodec.MaxElements);
        });
        Assert.Throws<ScaleDecodeException>(() =>
        {
            var reader = new ScaleReader(bytes);
            reader.ReadHash32Vector(ScaleCodec.MaxElements);
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ScaleError.EndOfInput, e.Reason);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Trailing_bytes_are_reported_with_go_spacemeshs_message()
    {
        var e = Assert.Throws<ScaleDecodeException>(() => ScaleCodec.Decode<ScaleVectorTests.Compact32Box>([4, 0]));
        Assert.Equal("decode from buffer: not all bytes were consumed", e.Message);
        Assert.Equal(ScaleError.TrailingBytes, e.Reason);
    }

    [Fact]
    public void The_writer_grows_from_a_small_stack_buffer_into_pooled_arrays()
    {
        var writer = new ScaleWriter(stackalloc byte[4]);
        var hashes = Enumerable.Range(0, 40).Select(i => new Hash32(Enumerable.Repeat((byte)i, 32).ToArray())).ToArray();
        writer.WriteHash32Vector(hashes, 64);
        var bytes = writer.ToArray();
        writer.Dispose();
        Assert.Equal(1 + (40 * 32), bytes.Length);
        var reader = new ScaleReader(bytes);
        Assert.Equal(hashes, reader.ReadHash32Vector(64));
        reader.EnsureEnd();
    }
}
