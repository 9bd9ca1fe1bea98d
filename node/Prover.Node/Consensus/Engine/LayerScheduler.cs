using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// Drives a <see cref="ConsensusEngine"/> from the <see cref="LayerClock"/>: at each layer start
/// <see cref="ConsensusEngine.OnEpochStartAsync"/> (first layer of an epoch, and for the epoch it starts in),
/// then <see cref="ConsensusEngine.OnLayerStartAsync"/>; the layer's hare round r runs at
/// <c>layerStart + HareDelay + r · RoundDuration</c>. Hare rounds of consecutive layers may overlap, but the round that
/// decides (<see cref="ConsensusEngine.HareOutputRound"/>) must end within the layer: the next layer's ballots vote on
/// this layer with its hare output, and a ballot that abstains there is not counted by the other nodes' tortoises. A
/// round duration too long for that is shortened (and logged). A step that throws is logged and the schedule goes on.
/// </summary>
public sealed partial class LayerScheduler
{
    private readonly ConsensusEngine _engine;
    private readonly LayerClock _clock;
    private readonly ILogger _log;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="engine">The engine to drive.</param>
    /// <param name="clock">The network clock.</param>
    /// <param name="hareDelay">From layer start to hare round 0 (proposals gathered until then form the input).</param>
    /// <param name="roundDuration">Between hare rounds (shortened so that the deciding round ends within 90% of the
    /// layer).</param>
    /// <param name="logger">Logs; none when null.</param>
    public LayerScheduler(ConsensusEngine engine, LayerClock clock, TimeSpan hareDelay, TimeSpan roundDuration, ILogger<LayerScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(hareDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(roundDuration, TimeSpan.Zero);
        var room = (clock.LayerDuration * 0.9) - hareDelay;
        if (room <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(hareDelay), hareDelay,
                $"the hare delay must be under 90% of a layer ({clock.LayerDuration}) so that hare can decide within the layer");
        }

        _engine = engine;
        _clock = clock;
        _log = logger ?? (ILogger)NullLogger.Instance;
        HareDelay = hareDelay;
        int ticks = ConsensusEngine.HareOutputRound + 1;
        RoundDuration = roundDuration * ticks <= room ? roundDuration : room / ticks;
        if (RoundDuration != roundDuration) Log.RoundShortened(_log, roundDuration, RoundDuration, clock.LayerDuration);
    }

    /// <summary>From layer start to hare round 0.</summary>
    public TimeSpan HareDelay { get; }

    /// <summary>Between hare rounds.</summary>
    public TimeSpan RoundDuration { get; }

    /// <summary>Runs until cancelled, starting with the layer running now.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var hares = new List<Task>();
        var layer = _clock.CurrentLayer;
        bool first = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _clock.WaitUntilAsync(_clock.LayerStart(layer), cancellationToken).ConfigureAwait(false);
                var epoch = _clock.EpochOf(layer);
                if (first || _clock.FirstLayer(epoch) == layer)
                {
                    await StepAsync(() => _engine.OnEpochStartAsync(epoch, cancellationToken), "epoch start", layer).ConfigureAwait(false);
                }

                await StepAsync(() => _engine.OnLayerStartAsync(layer, cancellationToken), "layer start", layer).ConfigureAwait(false);
                if (_clock.FirstLayer(epoch).Value + _clock.LayersPerEpoch - 1 == layer.Value)
                {
                    // The last layer of the epoch: the next epoch's slot proofs, in the background.
                    var next = new EpochId(epoch.Value + 1);
                    hares.Add(StepAsync(() => _engine.PrepareEpochAsync(next, cancellationToken), "epoch preparation", layer));
                }

                hares.RemoveAll(t => t.IsCompleted);
                hares.Add(RunHareAsync(layer, cancellationToken));
                first = false;
                layer = new LayerId(layer.Value + 1);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await Task.WhenAll(hares).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunHareAsync(LayerId layer, CancellationToken ct)
    {
        var start = _clock.LayerStart(layer) + HareDelay;
        for (int round = 0; round < _engine.HareRounds; round++)
        {
            await _clock.WaitUntilAsync(start + (RoundDuration * round), ct).ConfigureAwait(false);
            int r = round;
            await StepAsync(() => _engine.OnHareRoundAsync(layer, r, ct), "hare round", layer).ConfigureAwait(false);
        }
    }

    private async Task StepAsync(Func<Task> step, string what, LayerId layer)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StepFailed(_log, what, layer.Value, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "hare round duration {Asked} does not let hare decide within a layer of {Layer}: using {Used}")]
        public static partial void RoundShortened(ILogger logger, TimeSpan asked, TimeSpan used, TimeSpan layer);

        [LoggerMessage(Level = LogLevel.Error, Message = "consensus {What} of layer {Layer} failed")]
        public static partial void StepFailed(ILogger logger, string what, uint layer, Exception exception);
    }
}
