using Prover.Node.Genesis;
using Prover.Node.Tests.Signing;
using Xunit;

namespace Prover.Node.Tests.Genesis;

public class GenesisTests
{
    [Fact]
    public void Golden_atx_and_genesis_id_match_every_genesis_vector()
    {
        var vectors = IdentityVectors.Load("genesis.json", "genesis");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var time = DateTimeOffset.Parse(v.Str("genesis_time"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(v.GetProperty("genesis_unix").GetInt64(), time.ToUnixTimeSeconds());
            var genesis = new GenesisConfig(time, v.Str("extra_data"));
            Assert.Equal(v.Str("golden_atx"), genesis.GoldenAtx.ToString());
            Assert.Equal(v.Str("genesis_id"), genesis.GenesisId.ToString());
        }
    }

    [Fact]
    public void Preset_genesis_configs_are_the_vectors_networks()
    {
        var byNetwork = IdentityVectors.Load("genesis.json", "genesis").ToDictionary(v => v.Str("network").Split(' ')[0]);
        Assert.Equal(byNetwork["mainnet"].Str("genesis_id"), NetworkPreset.Mainnet.ResolveGenesis().GenesisId.ToString());
        Assert.Equal(byNetwork["testnet"].Str("genesis_id"), NetworkPreset.Testnet.ResolveGenesis().GenesisId.ToString());
    }

    [Fact]
    public void Noise_prologue_is_genesis_id_and_effective_genesis_layer()
    {
        var vectors = IdentityVectors.Load("genesis.json", "noise_prologue");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var time = DateTimeOffset.Parse(v.Str("genesis_time"), System.Globalization.CultureInfo.InvariantCulture);
            var genesis = new GenesisConfig(time, v.Str("extra_data"));
            Assert.Equal(v.Str("prologue"), genesis.NoisePrologue((uint)v.GetProperty("layers_per_epoch").GetInt32()));
        }
    }

    [Fact]
    public void Genesis_id_is_the_first_twenty_bytes_of_the_golden_atx_and_changes_with_either_input()
    {
        var t = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var a = new GenesisConfig(t, "standalone");
        Assert.Equal(a.GoldenAtx.Span[..20].ToArray(), a.GenesisId.ToArray());
        Assert.NotEqual(a.GenesisId, new GenesisConfig(t.AddSeconds(1), "standalone").GenesisId);
        Assert.NotEqual(a.GenesisId, new GenesisConfig(t, "standalone2").GenesisId);
        // Sub-second parts do not enter the hash (unix seconds); the time is kept to whole seconds.
        var b = new GenesisConfig(t.AddMilliseconds(700), "standalone");
        Assert.Equal(a.GenesisId, b.GenesisId);
        Assert.Equal(t, b.GenesisTime);
    }

    [Fact]
    public void Extra_data_must_be_one_to_255_bytes()
    {
        var t = DateTimeOffset.UnixEpoch;
        Assert.Throws<ArgumentException>(() => new GenesisConfig(t, ""));
        Assert.Throws<ArgumentException>(() => new GenesisConfig(t, new string('x', 256)));
        _ = new GenesisConfig(t, new string('x', 255));
    }

    [Fact]
    public void Hash20_parses_formats_and_orders_by_bytes()
    {
        var h = Hash20.Parse("0x9eebff023abb17ccb775c602daade8ed708f0a50");
        Assert.Equal("9eebff023abb17ccb775c602daade8ed708f0a50", h.ToString());
        Assert.False(Hash20.TryParse("9eebff", null, out _));
        Assert.False(Hash20.TryParse("zzebff023abb17ccb775c602daade8ed708f0a50", null, out _));
        Assert.True(Hash20.Zero.IsZero);
        Assert.False(h.IsZero);
        Assert.True(Hash20.Zero < h);
        Assert.Equal(h, new Hash20(h.ToArray()));
        Assert.Throws<ArgumentException>(() => new Hash20(new byte[19]));
    }
}
