using Prover.Node.Consensus.Mesh;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Mesh.MeshFixtures;

namespace Prover.Node.Tests.Consensus.Mesh;

public class BlockBuilderTests
{
    private static readonly HareProposal[] Output =
    [
        Proposal(1, atx: 9, weight: 300, eligibilities: 4, proofs: 2, baseTick: 10),
        Proposal(2, atx: 3, weight: 10, eligibilities: 3, proofs: 1, baseTick: 40),
        Proposal(3, atx: 5, weight: 1000, eligibilities: 7, proofs: 3, baseTick: 25),
        Proposal(4, atx: 3, weight: 10, eligibilities: 3, proofs: 2, baseTick: 40),
    ];

    [Fact]
    public void Same_hare_output_in_any_order_builds_the_same_block_bytes_and_id()
    {
        var reference = BlockBuilder.Build(new LayerId(12), Output)!;
        var rng = new Random(5);
        for (int i = 0; i < 20; i++)
        {
            var shuffled = Output.OrderBy(_ => rng.Next()).ToList();
            if (i % 2 == 0) shuffled.Add(shuffled[0]); // a proposal seen twice counts once
            var block = BlockBuilder.Build(new LayerId(12), shuffled)!;
            Assert.Equal(reference.ToBytes(), block.ToBytes());
            Assert.Equal(reference.Id, block.Id);
        }
    }

    [Fact]
    public void Rewards_are_atx_weight_times_proofs_over_eligibilities_merged_per_atx_and_sorted()
    {
        var block = BlockBuilder.Build(new LayerId(12), Output)!;
        Assert.Equal(
            [
                new AnyReward(AtxOf(3), new RatNum(10, 1)), // 10·1/3 + 10·2/3
                new AnyReward(AtxOf(5), new RatNum(3000, 7)),
                new AnyReward(AtxOf(9), new RatNum(150, 1)), // 300·2/4 reduced
            ],
            block.Rewards);
    }

    [Fact]
    public void Tick_height_is_the_highest_base_tick_height()
    {
        Assert.Equal(40UL, BlockBuilder.Build(new LayerId(12), Output)!.TickHeight);
    }

    [Fact]
    public void Empty_hare_output_builds_no_block()
    {
        Assert.Null(BlockBuilder.Build(new LayerId(12), []));
    }

    [Fact]
    public void Layer_is_part_of_the_block_id()
    {
        Assert.NotEqual(BlockBuilder.Build(new LayerId(12), Output)!.Id, BlockBuilder.Build(new LayerId(13), Output)!.Id);
    }

    [Fact]
    public void A_proposal_without_eligibilities_or_proofs_is_refused()
    {
        Assert.Throws<ArgumentException>(() => BlockBuilder.Build(new LayerId(1), [Proposal(1, 1, 10, eligibilities: 0)]));
        Assert.Throws<ArgumentException>(() => BlockBuilder.Build(new LayerId(1), [Proposal(1, 1, 10, proofs: 0)]));
        Assert.Throws<ArgumentException>(() => BlockBuilder.Build(new LayerId(1), [Proposal(1, 1, 10), Proposal(1, 2, 10)]));
    }
}
