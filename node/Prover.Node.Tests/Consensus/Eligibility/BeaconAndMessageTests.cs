using System.Numerics;
using Prover.Node.Consensus.Eligibility;
using Prover.Node.Genesis;
using Prover.Node.Tests.Codec;
using Prover.Node.Types;
using Xunit;
using Beacon = Prover.Node.Consensus.Wire.Beacon;
using HareRound = Prover.Node.Consensus.Wire.HareRound;

namespace Prover.Node.Tests.Consensus.Eligibility;

public class BeaconAndMessageTests
{
    public static IEnumerable<object[]> ThresholdVectors => EligibilityVectors.Of("beacon_threshold");

    public static IEnumerable<object[]> FractionVectors => EligibilityVectors.Of("beacon_threshold_fraction");

    public static IEnumerable<object[]> MessageVectors => EligibilityVectors.Of("vrf_message");

    [Theory]
    [MemberData(nameof(ThresholdVectors))]
    public void Beacon_proposal_threshold_is_go_spacemeshs_big_integer(int index)
    {
        var v = EligibilityVectors.At(index);
        var (qn, qd) = EligibilityVectors.Rational(v.Str("q")!);
        var threshold = BeaconThreshold.Threshold(v.GetProperty("kappa").GetInt32(), qn, qd, v.GetProperty("num_atxs").GetInt32());
        Assert.Equal(BigInteger.Parse(v.Str("threshold")!), threshold);

        // A proof passes exactly when its big-endian value is below the threshold.
        var justBelow = (threshold - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[80];
        justBelow.CopyTo(padded.AsSpan(80 - justBelow.Length));
        Assert.True(BeaconThreshold.Passes(padded, threshold));
        var at = threshold.ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(padded);
        at.CopyTo(padded.AsSpan(80 - at.Length));
        Assert.False(BeaconThreshold.Passes(padded, threshold));
    }

    [Theory]
    [MemberData(nameof(FractionVectors))]
    public void Beacon_threshold_fraction_prints_as_go_big_float_string(int index)
    {
        var v = EligibilityVectors.At(index);
        var (qn, qd) = EligibilityVectors.Rational(v.Str("q")!);
        var fraction = BeaconThreshold.Fraction(v.GetProperty("kappa").GetInt32(), qn, qd, v.GetProperty("num_atxs").GetInt32());
        Assert.Equal(v.Str("string_g10"), fraction.ToString());
        Assert.True(fraction.Mantissa.GetBitLength() <= 64);
    }

    [Fact]
    public void Big_float_string_uses_ten_digits_rounded_half_to_even_and_exponent_form_outside_its_range()
    {
        Assert.Equal("0", BinaryFloat64.Zero.ToString());
        Assert.Equal("0.5", new BinaryFloat64(1, -1).ToString());
        Assert.Equal("1", new BinaryFloat64(1, 0).ToString());
        Assert.Equal("1234567.5", new BinaryFloat64(2469135, -1).ToString());
        Assert.Equal("9.536743164e-07", new BinaryFloat64(1, -20).ToString());
        Assert.Equal("3.051757812e-05", new BinaryFloat64(1, -15).ToString()); // ...8125: tie, 2 is even
        Assert.Equal("9.155273438e-05", new BinaryFloat64(3, -15).ToString()); // ...4375: tie, 7 is odd
        Assert.Equal("1.099511628e+12", new BinaryFloat64(1, 40).ToString());
        Assert.Equal("0.0001220703125", new BinaryFloat64(1, -13).ToString()); // exponent -4 stays plain
    }

    [Theory]
    [MemberData(nameof(MessageVectors))]
    public void Vrf_message_encodings_match_go_spacemesh(int index)
    {
        var v = EligibilityVectors.At(index);
        var bytes = v.Str("type") switch
        {
            "beacon_proposal" => VrfMessages.BeaconProposal(new EpochId(v.GetProperty("epoch").GetUInt32()), v.GetProperty("nonce").GetUInt64()),
            "weakcoin" => VrfMessages.WeakCoin(
                new EpochId(v.GetProperty("epoch").GetUInt32()),
                v.GetProperty("nonce").GetUInt64(),
                v.GetProperty("round").GetUInt32(),
                v.GetProperty("unit").GetUInt32()),
            "hare" => VrfMessages.Hare(
                Beacon.Parse(v.Str("beacon")!), v.GetProperty("round").GetUInt32(), new LayerId(v.GetProperty("layer").GetUInt32())),
            var other => throw new InvalidOperationException($"unknown vrf_message type {other}"),
        };
        Assert.Equal(v.Str("hex"), NodeVectors.Hex(bytes));
    }

    [Fact]
    public void Epoch_beacon_is_the_genesis_prefix_up_to_epoch_two_then_a_blake3_of_genesis_and_epoch()
    {
        var genesis = GenesisConfig.Mainnet.GenesisId;
        var prefix = new Beacon(genesis.Span[..4]);
        for (var e = 0u; e <= 2; e++)
        {
            Assert.Equal(prefix, EpochBeacon.For(genesis, new EpochId(e)));
        }

        var input = genesis.ToArray().Concat("beacon"u8.ToArray()).Concat(BitConverter.GetBytes(3u)).ToArray();
        Assert.True(BitConverter.IsLittleEndian);
        var expected = new Beacon(Prover.Verifier.Blake3Reference.HashParts(input).AsSpan(0, 4));
        Assert.Equal(expected, EpochBeacon.For(genesis, new EpochId(3)));

        var beacons = Enumerable.Range(3, 50).Select(e => EpochBeacon.For(genesis, new EpochId((uint)e))).ToHashSet();
        Assert.Equal(50, beacons.Count);
        var other = GenesisConfig.Testnet.GenesisId;
        Assert.NotEqual(EpochBeacon.For(genesis, new EpochId(7)), EpochBeacon.For(other, new EpochId(7)));
        Assert.Equal(EpochBeacon.For(genesis, new EpochId(7)), EpochBeacon.For(genesis, new EpochId(7)));
    }

    [Fact]
    public void Beacon_round_trips_through_hex_and_bytes()
    {
        var b = Beacon.Parse("9eebff02");
        Assert.Equal("9eebff02", b.ToString());
        Assert.Equal(new byte[] { 0x9e, 0xeb, 0xff, 0x02 }, b.ToArray());
        Assert.True(Beacon.Empty.IsEmpty);
        Assert.False(b.IsEmpty);
        Assert.Throws<FormatException>(() => Beacon.Parse("9eebff"));
        Assert.Throws<ArgumentException>(() => new Beacon(new byte[3]));
    }
}
