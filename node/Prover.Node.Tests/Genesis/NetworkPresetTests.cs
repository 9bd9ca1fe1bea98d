using Prover.Node.Genesis;
using Xunit;

namespace Prover.Node.Tests.Genesis;

public class NetworkPresetTests
{
    [Fact]
    public void Presets_carry_the_spec_numbers()
    {
        var m = NetworkPreset.Mainnet;
        Assert.Equal((TimeSpan.FromMinutes(5), 4032u, 9_331_200UL), (m.LayerDuration, m.LayersPerEpoch, m.TickSize));
        Assert.Equal((26u, 37u, 1u), (m.Proof.K1, m.Proof.K2, m.Proof.K3));
        Assert.Equal((4u, uint.MaxValue, 1UL << 32, 8192UL), (m.Init.MinNumUnits, m.Init.MaxNumUnits, m.Init.LabelsPerUnit, m.Init.ScryptN));
        Assert.Equal("000dfb23b0979b4b", Convert.ToHexStringLower(m.Proof.PowDifficulty)[..16]);
        Assert.Equal(new PoetTiming(TimeSpan.FromHours(240), TimeSpan.FromHours(12), TimeSpan.FromHours(1)), m.Poet);

        var s = NetworkPreset.Standalone;
        Assert.Null(s.Genesis);
        Assert.Equal((TimeSpan.FromSeconds(6), 10u, 100UL), (s.LayerDuration, s.LayersPerEpoch, s.TickSize));
        Assert.Equal((12u, 4u, 1u), (s.Proof.K1, s.Proof.K2, s.Proof.K3));
        Assert.Equal((1u, 2u, 64UL), (s.Init.MinNumUnits, s.Init.MaxNumUnits, s.Init.LabelsPerUnit));
        Assert.Equal(new PoetTiming(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(12)), s.Poet);
        Assert.All(s.Proof.PowDifficulty, b => Assert.Equal(0xff, b));

        var t = NetworkPreset.Testnet;
        Assert.Equal((TimeSpan.FromMinutes(5), 288u, 666_514UL), (t.LayerDuration, t.LayersPerEpoch, t.TickSize));
        Assert.Equal((2u, 1024UL), (t.Init.MinNumUnits, t.Init.LabelsPerUnit));
    }

    [Fact]
    public void Presets_are_found_by_name_and_unknown_names_list_the_known()
    {
        Assert.Same(NetworkPreset.Standalone, NetworkPreset.Get("Standalone"));
        var e = Assert.Throws<ArgumentException>(() => NetworkPreset.Get("devnet"));
        Assert.Contains("mainnet, testnet, standalone", e.Message);
    }

    [Fact]
    public void Overrides_replace_clock_numbers_and_scale_unset_poet_timings_with_the_epoch()
    {
        var short_ = NetworkPreset.Standalone.WithOverrides(layerDuration: TimeSpan.FromSeconds(2), layersPerEpoch: 5);
        Assert.Equal(TimeSpan.FromSeconds(10), short_.EpochDuration);
        Assert.Equal(new PoetTiming(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)), short_.Poet);
        Assert.Equal(NetworkPreset.Standalone.Proof, short_.Proof);

        var explicit_ = NetworkPreset.Standalone.WithOverrides(
            layerDuration: TimeSpan.FromSeconds(2), layersPerEpoch: 5, phaseShift: TimeSpan.FromSeconds(3), cycleGap: TimeSpan.FromSeconds(4));
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)), (explicit_.Poet.PhaseShift, explicit_.Poet.CycleGap));

        // The overridden network runs: its schedule fits its epochs.
        var genesis = short_.ResolveGenesis(DateTimeOffset.UnixEpoch.AddYears(60));
        _ = short_.CreatePoetSchedule(short_.CreateClock(genesis));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkPreset.Standalone.WithOverrides(layersPerEpoch: 0));
    }

    [Fact]
    public void Standalone_genesis_is_made_at_the_given_time_with_its_extra_data()
    {
        var when = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var g = NetworkPreset.Standalone.ResolveGenesis(when);
        Assert.Equal(new GenesisConfig(when, "standalone").GenesisId, g.GenesisId);
        Assert.Throws<ArgumentException>(() => NetworkPreset.Standalone.ResolveGenesis());
        Assert.Same(GenesisConfig.Mainnet, NetworkPreset.Mainnet.ResolveGenesis());
    }
}
