using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

public class Hash32Tests
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    [Fact]
    public void Hex_round_trips_with_and_without_prefix()
    {
        var h = Hash32.Parse(Hex);
        Assert.Equal(Hex, h.ToString());
        Assert.Equal(h, Hash32.Parse("0x" + Hex.ToUpperInvariant()));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), h.ToArray());
        Assert.Equal(31, h.Span[31]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData(Hex + "00")]
    [InlineData("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]
    public void Bad_hex_is_refused(string text)
    {
        Assert.False(Hash32.TryParse(text, null, out _));
        Assert.Throws<FormatException>(() => Hash32.Parse(text));
    }

    [Fact]
    public void Base64_round_trips_and_wrong_lengths_are_refused()
    {
        var h = Hash32.Parse(Hex);
        Assert.Equal(h, Hash32.FromBase64(h.ToBase64()));
        Assert.Throws<FormatException>(() => Hash32.FromBase64(Convert.ToBase64String(new byte[31])));
        Assert.Throws<FormatException>(() => Hash32.FromBase64(Convert.ToBase64String(new byte[33])));
        Assert.Throws<ArgumentException>(() => new Hash32(new byte[31]));
    }

    [Fact]
    public void Equality_and_order_follow_the_bytes()
    {
        var a = new byte[32];
        var b = new byte[32];
        b[31] = 1;
        Assert.True(Hash32.Zero.IsZero);
        Assert.Equal(new Hash32(a), Hash32.Zero);
        Assert.NotEqual(new Hash32(a), new Hash32(b));
        Assert.True(new Hash32(a) < new Hash32(b));
        b[0] = 1;
        b[31] = 0;
        Assert.True(new Hash32(b) > Hash32.Parse(Hex));
        Assert.Equal(new Hash32(b).GetHashCode(), new Hash32((byte[])b.Clone()).GetHashCode());
    }

    [Fact]
    public void Typed_ids_keep_their_bytes_and_do_not_mix()
    {
        var node = NodeId.Parse(Hex);
        var atx = new AtxId(node.Span);
        Assert.Equal(Hex, atx.ToString());
        Assert.Equal(node.Value, atx.Value);
        Assert.True(node.Span.SequenceEqual(atx.ToArray()));
        Assert.Equal(node, new NodeId(Hash32.Parse(Hex)));
        Assert.NotEqual(node, NodeId.Zero);
        Assert.Equal(Commitment.Zero.Value, Challenge.Zero.Value);
    }
}
