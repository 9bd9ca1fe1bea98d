using Prover.Core.Primitives;
using Prover.Node.Consensus.Eligibility;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Tests.Codec;
using Prover.Node.Types;
using Prover.Node.Vrf;
using Xunit;
using Beacon = Prover.Node.Consensus.Wire.Beacon;
using HareRound = Prover.Node.Consensus.Wire.HareRound;

namespace Prover.Node.Tests.Consensus.Eligibility;

public class BallotEligibilityTests
{
    public static IEnumerable<object[]> SlotVectors => EligibilityVectors.Of("eligible_slots");

    public static IEnumerable<object[]> LayerVectors => EligibilityVectors.Of("eligible_layer");

    private static readonly BallotEligibilityConfig Small = new(LayerAvgSize: 5, LayersPerEpoch: 10, MinimalActiveSetWeight: 0);

    [Theory]
    [MemberData(nameof(SlotVectors))]
    public void Slot_count_wraps_in_u64_before_the_division_as_go_spacemesh_does(int index)
    {
        var v = EligibilityVectors.At(index);
        Assert.Equal(
            v.GetProperty("slots").GetUInt32(),
            BallotEligibility.NumEligibleSlots(
                v.GetProperty("weight").GetUInt64(),
                v.GetProperty("min_weight").GetUInt64(),
                v.GetProperty("total_weight").GetUInt64(),
                v.GetProperty("committee_size").GetUInt32(),
                v.GetProperty("layers_per_epoch").GetUInt32()));
    }

    [Theory]
    [MemberData(nameof(LayerVectors))]
    public void Slot_proof_and_layer_match_go_spacemesh_and_validate(int index)
    {
        var v = EligibilityVectors.At(index);
        var epoch = new EpochId(v.GetProperty("epoch").GetUInt32());
        var lpe = v.GetProperty("layers_per_epoch").GetUInt32();
        var counter = v.GetProperty("counter").GetUInt32();
        var beacon = Beacon.Parse(v.Str("beacon")!);
        var nonce = v.GetProperty("vrf_nonce").GetUInt64();
        var sig = v.Bytes("vrf_sig");
        var layer = new LayerId(v.GetProperty("layer").GetUInt32());

        Assert.Equal(v.Str("vrf_message"), NodeVectors.Hex(VrfMessages.Voting(beacon, epoch, nonce, counter)));
        Assert.Equal(layer, BallotEligibility.EligibleLayer(epoch, lpe, sig));
        var (ed, vrf) = EligibilityVectors.SignerFor(v.Str("node_id")!);
        using (ed)
        using (vrf)
        {
            Assert.Equal(v.Str("vrf_sig"), NodeVectors.Hex(vrf.Sign(VrfMessages.Voting(beacon, epoch, nonce, counter))));
        }

        var nodeId = NodeId.Parse(v.Str("node_id")!);
        var verdict = BallotEligibility.ValidateForLayer(
            nodeId, [new BallotEligibilityProof(counter, sig)], beacon, epoch, nonce, counter + 1, lpe, layer);
        Assert.True(verdict.Valid, verdict.Error);
        Assert.Equal([layer], verdict.Layers);
        Assert.False(BallotEligibility.Validate(nodeId, [new BallotEligibilityProof(counter, sig)], beacon, epoch, nonce, counter, lpe).Valid);
    }

    [Fact]
    public void Slots_are_at_least_one_and_zero_total_weight_is_refused()
    {
        Assert.Equal(1u, BallotEligibility.NumEligibleSlots(1, 1_000_000, 10, 50, 4032));
        Assert.Equal(201u, BallotEligibility.NumEligibleSlots(1000, 1_000_000, 1_000_000, 50, 4032));
        Assert.Equal(2016u, BallotEligibility.NumEligibleSlots(10_000, 1_000_000, 10, 50, 4032)); // min weight floors W
        Assert.Throws<ArgumentOutOfRangeException>(() => BallotEligibility.NumEligibleSlots(1, 0, 0, 50, 4032));
        Assert.Equal(201u, BallotEligibility.NumEligibleSlots(1000, 1_000_000, BallotEligibilityConfig.Mainnet));
    }

    [Fact]
    public void The_oracles_slots_validate_in_their_layers_and_lie_in_the_epoch()
    {
        using var ed = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        using var vrf = new VrfSigner(ed);
        var epoch = new EpochId(4);
        var beacon = Beacon.Parse("0a0b0c0d");
        const ulong nonce = 77;
        var slots = BallotEligibility.Slots(vrf, epoch, beacon, nonce, weight: 3, totalWeight: 10, Small);
        Assert.Equal(15, slots.Count); // 3·5·10/10
        Assert.Equal(Enumerable.Range(0, 15).Select(j => (uint)j), slots.Select(s => s.J));
        Assert.All(slots, s => Assert.InRange(s.Layer.Value, 40u, 49u));

        foreach (var group in slots.GroupBy(s => s.Layer))
        {
            var proofs = group.Select(s => new BallotEligibilityProof(s.J, s.Sig)).ToList();
            var verdict = BallotEligibility.ValidateForLayer(ed.NodeId, proofs, beacon, epoch, nonce, 15, 10, group.Key);
            Assert.True(verdict.Valid, verdict.Error);
            Assert.All(verdict.Layers, l => Assert.Equal(group.Key, l));
            Assert.Equal(group.ToList(), BallotEligibility.SlotsIn(slots, group.Key));
        }
    }

    [Fact]
    public void Proofs_out_of_order_repeated_over_the_count_foreign_or_in_another_layer_are_refused()
    {
        using var ed = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        using var vrf = new VrfSigner(ed);
        var epoch = new EpochId(3);
        var beacon = Beacon.Parse("11223344");
        const ulong nonce = 5;
        var slots = BallotEligibility.Slots(vrf, epoch, beacon, nonce, 2, 10, Small);
        var p = slots.Select(s => new BallotEligibilityProof(s.J, s.Sig)).ToList();
        var count = (uint)slots.Count;

        bool Valid(IReadOnlyList<BallotEligibilityProof> proofs, uint c = 0) =>
            BallotEligibility.Validate(ed.NodeId, proofs, beacon, epoch, nonce, c == 0 ? count : c, 10).Valid;

        Assert.True(Valid([p[1], p[3]]));
        Assert.False(Valid([]));
        Assert.False(Valid([p[3], p[1]]));
        Assert.False(Valid([p[2], p[2]]));
        Assert.False(Valid([p[5]], c: 5));
        Assert.False(Valid([new BallotEligibilityProof(1, p[2].Sig)]));
        Assert.False(Valid([new BallotEligibilityProof(1, p[1].Sig[..64])]));
        Assert.False(BallotEligibility.Validate(ed.NodeId, [p[1]], beacon, epoch, nonce + 1, count, 10).Valid);
        Assert.False(BallotEligibility.Validate(ed.NodeId, [p[1]], Beacon.Parse("11223345"), epoch, nonce, count, 10).Valid);
        using var other = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        Assert.False(BallotEligibility.Validate(other.NodeId, [p[1]], beacon, epoch, nonce, count, 10).Valid);

        var otherLayer = slots.First(s => s.Layer != slots[0].Layer);
        var mixed = BallotEligibility.ValidateForLayer(
            ed.NodeId, [p[0], p[(int)otherLayer.J]], beacon, epoch, nonce, count, 10, slots[0].Layer);
        Assert.False(mixed.Valid);
        Assert.Contains("layer", mixed.Error, StringComparison.Ordinal);
    }
}
