using Microsoft.Extensions.Time.Testing;
using Prover.Node.Genesis;
using Prover.Node.Types;
using Xunit;

namespace Prover.Node.Tests.Genesis;

public class ClockTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Layers_and_epochs_follow_genesis_duration_and_epoch_length()
    {
        var time = new FakeTimeProvider(T0 - TimeSpan.FromSeconds(5));
        var clock = new LayerClock(T0, TimeSpan.FromSeconds(6), 10, time);
        Assert.Equal(new LayerId(0), clock.CurrentLayer); // before genesis
        time.SetUtcNow(T0 + TimeSpan.FromSeconds(5.999));
        Assert.Equal(new LayerId(0), clock.CurrentLayer);
        time.SetUtcNow(T0 + TimeSpan.FromSeconds(6));
        Assert.Equal(new LayerId(1), clock.CurrentLayer);
        time.SetUtcNow(T0 + TimeSpan.FromSeconds(61));
        Assert.Equal(new LayerId(10), clock.CurrentLayer);
        Assert.Equal(new EpochId(1), clock.CurrentEpoch);

        Assert.Equal(T0 + TimeSpan.FromSeconds(6 * 37), clock.LayerStart(new LayerId(37)));
        Assert.Equal(T0 + TimeSpan.FromSeconds(6 * 38), clock.LayerEnd(new LayerId(37)));
        Assert.Equal(new EpochId(3), clock.EpochOf(new LayerId(39)));
        Assert.Equal(new EpochId(4), clock.EpochOf(new LayerId(40)));
        Assert.Equal(new LayerId(30), clock.FirstLayer(new EpochId(3)));
        Assert.Equal(new LayerId(39), clock.LastLayer(new EpochId(3)));
        Assert.Equal(T0 + TimeSpan.FromMinutes(3), clock.EpochStart(new EpochId(3)));
        Assert.Equal(clock.EpochStart(new EpochId(4)), clock.EpochEnd(new EpochId(3)));
        Assert.Equal(new LayerId(19), clock.EffectiveGenesis);
        Assert.Equal(TimeSpan.FromMinutes(1), clock.EpochDuration);
    }

    [Fact]
    public void Mainnet_effective_genesis_is_8063()
    {
        var clock = NetworkPreset.Mainnet.CreateClock(NetworkPreset.Mainnet.ResolveGenesis());
        Assert.Equal(new LayerId(8063), clock.EffectiveGenesis);
        Assert.Equal(TimeSpan.FromDays(14), clock.EpochDuration);
    }

    [Fact]
    public async Task Waiting_completes_only_when_the_fake_time_reaches_the_layer()
    {
        var time = new FakeTimeProvider(T0);
        var clock = new LayerClock(T0, TimeSpan.FromSeconds(2), 5, time);
        var wait = clock.WaitForLayerAsync(new LayerId(3));
        time.Advance(TimeSpan.FromSeconds(5.9));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new LayerId(3), clock.CurrentLayer);

        // A time already passed completes at once.
        await clock.WaitForEpochAsync(new EpochId(0)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Waiting_is_cancellable()
    {
        var time = new FakeTimeProvider(T0);
        var clock = new LayerClock(T0, TimeSpan.FromSeconds(2), 5, time);
        using var cts = new CancellationTokenSource();
        var wait = clock.WaitForEpochAsync(new EpochId(7), cts.Token);
        Assert.False(wait.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Clock_refuses_a_zero_duration_or_epoch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerClock(T0, TimeSpan.Zero, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerClock(T0, TimeSpan.FromSeconds(1), 0));
    }
}
