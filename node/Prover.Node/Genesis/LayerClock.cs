using Prover.Node.Types;

namespace Prover.Node.Genesis;

/// <summary>
/// The network clock (go-spacemesh <c>timesync/clock.go</c>, NODE.md §2.1): layer <c>l</c> starts at
/// <c>genesis + l·LayerDuration</c>, epoch <c>e</c> holds layers <c>[e·LPE, (e+1)·LPE)</c>. Before genesis the current
/// layer is 0. Time comes from a <see cref="TimeProvider"/>, so tests drive it with a fake one.
/// </summary>
public sealed class LayerClock
{
    /// <summary>A clock for a genesis time, layer duration and epoch length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive layer duration or a zero epoch length.</exception>
    public LayerClock(DateTimeOffset genesis, TimeSpan layerDuration, uint layersPerEpoch, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(layerDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfZero(layersPerEpoch);
        Genesis = genesis;
        LayerDuration = layerDuration;
        LayersPerEpoch = layersPerEpoch;
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The start of layer 0.</summary>
    public DateTimeOffset Genesis { get; }

    /// <summary>The length of one layer.</summary>
    public TimeSpan LayerDuration { get; }

    /// <summary>Layers in one epoch.</summary>
    public uint LayersPerEpoch { get; }

    /// <summary>The length of one epoch (also the PoET's epoch): LayerDuration · LayersPerEpoch.</summary>
    public TimeSpan EpochDuration => LayerDuration * LayersPerEpoch;

    /// <summary>Where the time comes from.</summary>
    public TimeProvider Time { get; }

    /// <summary>The current time.</summary>
    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The layer running now (0 before genesis).</summary>
    public LayerId CurrentLayer => LayerAt(Now);

    /// <summary>The epoch running now (0 before genesis).</summary>
    public EpochId CurrentEpoch => CurrentLayer.GetEpoch(LayersPerEpoch);

    /// <summary>
    /// The last layer of the genesis epochs (0 and 1): 2·LPE − 1. The first ATXs are published in epoch 1 and target
    /// epoch 2 (NODE.md §2.1).
    /// </summary>
    public LayerId EffectiveGenesis => new(checked((2 * LayersPerEpoch) - 1));

    /// <summary>The layer running at <paramref name="time"/> (0 before genesis).</summary>
    public LayerId LayerAt(DateTimeOffset time)
    {
        if (time < Genesis)
        {
            return new LayerId(0);
        }

        var layers = (time - Genesis).Ticks / LayerDuration.Ticks;
        return new LayerId(checked((uint)layers));
    }

    /// <summary>The epoch running at <paramref name="time"/> (0 before genesis).</summary>
    public EpochId EpochAt(DateTimeOffset time) => LayerAt(time).GetEpoch(LayersPerEpoch);

    /// <summary>When <paramref name="layer"/> starts.</summary>
    public DateTimeOffset LayerStart(LayerId layer) => Genesis + (LayerDuration * layer.Value);

    /// <summary>When <paramref name="layer"/> ends (the next layer starts).</summary>
    public DateTimeOffset LayerEnd(LayerId layer) => Genesis + (LayerDuration * (layer.Value + 1UL));

    /// <summary>The epoch <paramref name="layer"/> belongs to.</summary>
    public EpochId EpochOf(LayerId layer) => layer.GetEpoch(LayersPerEpoch);

    /// <summary>The first layer of <paramref name="epoch"/>.</summary>
    public LayerId FirstLayer(EpochId epoch) => epoch.FirstLayer(LayersPerEpoch);

    /// <summary>The last layer of <paramref name="epoch"/>.</summary>
    public LayerId LastLayer(EpochId epoch) => new(checked(epoch.FirstLayer(LayersPerEpoch).Value + LayersPerEpoch - 1));

    /// <summary>When <paramref name="epoch"/> starts (its first layer starts).</summary>
    public DateTimeOffset EpochStart(EpochId epoch) => Genesis + (EpochDuration * epoch.Value);

    /// <summary>When <paramref name="epoch"/> ends (the next epoch starts).</summary>
    public DateTimeOffset EpochEnd(EpochId epoch) => Genesis + (EpochDuration * (epoch.Value + 1UL));

    /// <summary>Completes at <paramref name="time"/> (at once when it has passed); cancellable.</summary>
    public async Task WaitUntilAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = time - Now;
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(remaining, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when <paramref name="layer"/> has started.</summary>
    public Task WaitForLayerAsync(LayerId layer, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(LayerStart(layer), cancellationToken);

    /// <summary>Completes when <paramref name="epoch"/> has started.</summary>
    public Task WaitForEpochAsync(EpochId epoch, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(EpochStart(epoch), cancellationToken);
}
