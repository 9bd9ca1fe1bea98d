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

public class HareEligibilityTests
{
    public static IEnumerable<object[]> HareVectors => EligibilityVectors.Of("hare_eligibility");

    [Theory]
    [MemberData(nameof(HareVectors))]
    public void Hare_count_matches_go_spacemesh_for_every_vector(int index)
    {
        var v = EligibilityVectors.At(index);
        var sig = v.Bytes("vrf_sig");
        var miner = v.GetProperty("miner_weight").GetUInt64();
        var total = v.GetProperty("total_weight").GetUInt64();
        var committee = v.GetProperty("committee").GetInt32();
        var count = v.GetProperty("count").GetUInt16();

        Assert.Equal(count, HareEligibility.CalcEligibility(sig, miner, total, committee));
        Assert.True(HareEligibility.ValidateCount(sig, miner, total, committee, count));
        Assert.False(HareEligibility.ValidateCount(sig, miner, total, committee, (ushort)(count + 1)));

        if (v.IsNull("node_id"))
        {
            return; // an upstream literal: only the π → count rule is given
        }

        var (n, p) = HareEligibility.Parameters(miner, total, committee);
        Assert.Equal(v.GetProperty("n").GetInt64(), n);
        Assert.Equal(v.Str("p_fixed"), p.ToString());
        Assert.Equal(v.Str("vrf_frac_fixed"), HareEligibility.VrfFraction(sig).ToString());

        var round = HareEligibility.AbsoluteRound(
            v.GetProperty("iteration").GetUInt32(), Enum.Parse<HareRound>(v.Str("round")!, ignoreCase: true));
        Assert.Equal(v.GetProperty("absolute_round").GetUInt32(), round);
        var beacon = Beacon.Parse(v.Str("beacon")!);
        var layer = new LayerId(v.GetProperty("layer").GetUInt32());
        Assert.Equal(v.Str("vrf_message"), NodeVectors.Hex(VrfMessages.Hare(beacon, round, layer)));

        var (ed, vrf) = EligibilityVectors.SignerFor(v.Str("node_id")!);
        using (ed)
        using (vrf)
        {
            Assert.Equal(v.Str("vrf_sig"), NodeVectors.Hex(HareEligibility.Prove(vrf, beacon, round, layer)));
        }

        var nodeId = NodeId.Parse(v.Str("node_id")!);
        Assert.Equal(count, HareEligibility.Verify(nodeId, sig, beacon, round, layer, miner, total, committee));
        foreach (var claim in v.GetProperty("validate").EnumerateObject())
        {
            var claimed = ushort.Parse(claim.Name);
            Assert.Equal(claim.Value.GetBoolean(), HareEligibility.ValidateCount(sig, miner, total, committee, claimed));
            Assert.Equal(
                claim.Value.GetBoolean(),
                HareEligibility.VerifyCount(nodeId, sig, beacon, round, layer, miner, total, committee, claimed));
        }
    }

    [Fact]
    public void A_proof_that_is_not_the_identitys_vrf_of_the_message_counts_zero()
    {
        var v = EligibilityVectors.At(EligibilityVectors.Of("hare_eligibility")
            .Select(o => (int)o[0]).First(i => !EligibilityVectors.At(i).IsNull("node_id") && EligibilityVectors.At(i).GetProperty("count").GetInt32() > 0));
        var sig = v.Bytes("vrf_sig");
        var beacon = Beacon.Parse(v.Str("beacon")!);
        var layer = new LayerId(v.GetProperty("layer").GetUInt32());
        var round = v.GetProperty("absolute_round").GetUInt32();
        var (miner, total, committee) = (v.GetProperty("miner_weight").GetUInt64(), v.GetProperty("total_weight").GetUInt64(), v.GetProperty("committee").GetInt32());
        var nodeId = NodeId.Parse(v.Str("node_id")!);
        Assert.True(HareEligibility.Verify(nodeId, sig, beacon, round, layer, miner, total, committee) > 0);

        using var other = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        Assert.Equal(0, HareEligibility.Verify(other.NodeId, sig, beacon, round, layer, miner, total, committee));
        Assert.Equal(0, HareEligibility.Verify(nodeId, sig, beacon, round + 1, layer, miner, total, committee));
        Assert.Equal(0, HareEligibility.Verify(nodeId, sig, beacon, round, new LayerId(layer.Value + 1), miner, total, committee));
        Assert.Equal(0, HareEligibility.Verify(nodeId, sig, Beacon.Parse("00000001"), round, layer, miner, total, committee));
        Assert.Equal(0, HareEligibility.Verify(nodeId, sig.AsSpan(0, 64), beacon, round, layer, miner, total, committee));
        Assert.False(HareEligibility.VerifyCount(other.NodeId, sig, beacon, round, layer, miner, total, committee, 1));
    }

    [Fact]
    public void A_committee_larger_than_the_total_weight_scales_n_and_p_by_the_committee()
    {
        var (n, p) = HareEligibility.Parameters(3, 10, 50);
        Assert.Equal(150, n);
        Assert.Equal(Fixed.DivUInt64(50, 500), p);

        var (n2, p2) = HareEligibility.Parameters(3, 50, 50);
        Assert.Equal(3, n2);
        Assert.Equal(Fixed.One, p2);
    }

    [Fact]
    public void Miner_weight_above_two_to_the_thirty_is_refused_and_counts_zero_after_a_valid_vrf()
    {
        Assert.True(HareEligibility.TryParameters(1UL << 30, 1UL << 40, 50, out _, out _));
        Assert.False(HareEligibility.TryParameters((1UL << 30) + 1, 1UL << 40, 50, out _, out _));
        Assert.False(HareEligibility.TryParameters(1UL << 25, 40, 50, out _, out _)); // scaled by 50 first
        Assert.Throws<ArgumentOutOfRangeException>(() => HareEligibility.Parameters((1UL << 30) + 1, 1UL << 40, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => HareEligibility.Parameters(1, 0, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => HareEligibility.Parameters(1, 10, 0));

        using var ed = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        using var vrf = new VrfSigner(ed);
        var beacon = Beacon.Parse("01020304");
        var proof = HareEligibility.Prove(vrf, beacon, 0, new LayerId(100));
        Assert.Equal(0, HareEligibility.Verify(ed.NodeId, proof, beacon, 0, new LayerId(100), (1UL << 30) + 1, 1UL << 40, 50));
        Assert.False(HareEligibility.VerifyCount(ed.NodeId, proof, beacon, 0, new LayerId(100), (1UL << 30) + 1, 1UL << 40, 50, 0));
    }

    [Fact]
    public void The_calculated_count_is_the_only_count_validate_accepts()
    {
        var rng = new Random(13);
        var sig = new byte[80];
        var seen = new HashSet<ushort>();
        for (var i = 0; i < 40; i++)
        {
            rng.NextBytes(sig);
            var count = HareEligibility.CalcEligibility(sig, 30, 100, 50);
            seen.Add(count);
            Assert.True(HareEligibility.ValidateCount(sig, 30, 100, 50, count));
            Assert.False(HareEligibility.ValidateCount(sig, 30, 100, 50, (ushort)(count + 1)));
            if (count > 0)
            {
                Assert.False(HareEligibility.ValidateCount(sig, 30, 100, 50, (ushort)(count - 1)));
            }
        }

        Assert.True(seen.Count > 3, "30 of 100 weight with committee 50 should draw a spread of counts around 15");
        Assert.InRange(seen.Average(c => (double)c), 8, 22);
    }

    [Fact]
    public void A_fraction_at_or_above_every_cdf_value_below_n_gets_all_n()
    {
        // frac = 2^56 - 1 over 2^56: no BinCDF(n, p, x) for x < n exceeds it when p is large.
        var sig = new byte[80];
        sig.AsSpan(0, 7).Fill(0xff);
        Assert.Equal(2, HareEligibility.CalcEligibility(sig, 2, 2, 2));
        Assert.True(HareEligibility.ValidateCount(sig, 2, 2, 2, 2));
    }

    [Fact]
    public void Absolute_round_is_iteration_times_seven_plus_round_so_two_rounds_share_seven()
    {
        Assert.Equal(7u, HareEligibility.AbsoluteRound(1, HareRound.Preround));
        Assert.Equal(7u, HareEligibility.AbsoluteRound(0, HareRound.Notify));
        Assert.Equal(10u, HareEligibility.AbsoluteRound(1, HareRound.Propose));
        Assert.Equal(0x7fffffffu, HareEligibility.CertifyRound);
    }
}
