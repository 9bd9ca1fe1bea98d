using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Types;
using Prover.Verifier;
using Xunit;
using static Prover.Node.Tests.Consensus.Mesh.MeshFixtures;

namespace Prover.Node.Tests.Consensus.Mesh;

public class BlockTests
{
    [Fact]
    public void Block_encodes_as_go_spacemesh_inner_block_field_by_field()
    {
        var block = new Block(new LayerId(5), 7, [new AnyReward(AtxOf(0xAB), new RatNum(10, 3))], [new Hash32(Enumerable.Repeat((byte)0xCD, 32).ToArray())]);

        byte[] expected =
        [
            5 << 2, // LayerIndex compact32
            7 << 2, // TickHeight compact64
            1 << 2, // one reward
            .. Enumerable.Repeat((byte)0xAB, 32), 10 << 2, 3 << 2, // AtxID, RatNum{10, 3}
            1 << 2, // one tx id
            .. Enumerable.Repeat((byte)0xCD, 32),
        ];
        Assert.Equal(expected, block.ToBytes());
    }

    [Fact]
    public void Block_id_is_the_first_20_bytes_of_blake3_of_the_encoding()
    {
        var block = new Block(new LayerId(4032), 123456789, [new AnyReward(AtxOf(1), new RatNum(75, 1)), new AnyReward(AtxOf(2), new RatNum(1, 2))]);
        var hash = new byte[32];
        Blake3Reference.Hash(block.ToBytes(), hash);
        Assert.Equal(hash[..20], block.Id.Span.ToArray());
    }

    [Fact]
    public void Block_round_trips_through_its_bytes()
    {
        var block = new Block(new LayerId(77), 1UL << 40, [new AnyReward(AtxOf(3), new RatNum(ulong.MaxValue, 7))], [new Hash32(new byte[32])]);
        var back = Block.FromBytes(block.ToBytes());
        Assert.Equal(block.Layer, back.Layer);
        Assert.Equal(block.TickHeight, back.TickHeight);
        Assert.Equal(block.Rewards, back.Rewards);
        Assert.Equal(block.TxIds, back.TxIds);
        Assert.Equal(block.Id, back.Id);
    }

    [Fact]
    public void More_than_500_rewards_are_refused_on_encode_and_decode()
    {
        var rewards = Enumerable.Range(0, 501).Select(i => new AnyReward(AtxOf((byte)i), new RatNum(1, 1))).ToList();
        Assert.Throws<ScaleEncodeException>(() => { _ = new Block(new LayerId(1), 0, rewards).ToBytes(); });

        byte[] bytes = [1 << 2, 0, .. CompactLength(501)];
        var e = Assert.Throws<ScaleDecodeException>(() => Block.FromBytes(bytes));
        Assert.Equal(ScaleError.TooManyElements, e.Reason);
    }

    [Fact]
    public void Trailing_bytes_after_a_block_are_refused()
    {
        byte[] bytes = [.. new Block(new LayerId(1), 0, []).ToBytes(), 0];
        Assert.Throws<ScaleDecodeException>(() => Block.FromBytes(bytes));
    }

    private static byte[] CompactLength(int n) => [(byte)((n << 2) | 1), (byte)(n >> 6)];
}
