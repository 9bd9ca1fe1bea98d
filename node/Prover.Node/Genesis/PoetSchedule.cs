using Prover.Node.Types;

namespace Prover.Node.Genesis;

/// <summary>
/// A PoET's timing relative to the network's epochs (poet <c>server/config.go</c>; go-spacemesh
/// <c>activation.PoetConfig</c>).
/// </summary>
/// <param name="PhaseShift">Offset of each round's start from its epoch's start.</param>
/// <param name="CycleGap">Time between a round's end and the next round's start: the window for the PoST proof.</param>
/// <param name="GracePeriod">How long before the round starts the node builds its NIPoST challenge.</param>
public sealed record PoetTiming(TimeSpan PhaseShift, TimeSpan CycleGap, TimeSpan GracePeriod);

/// <summary>
/// PoET rounds on a <see cref="LayerClock"/> (NODE.md §2.2): round <c>k</c> runs from
/// <c>genesis + PhaseShift + k·EpochDuration</c> for <c>EpochDuration − CycleGap</c>; its id is the decimal <c>k</c>.
/// An ATX published in epoch P (targeting P+1) comes from round <c>P − 1</c>: the node builds its challenge at the
/// round start minus the grace period, registers before the round starts, fetches the proof after it ends, proves
/// before <see cref="PoetProofDeadline"/> and publishes during epoch P, once its first layer has started.
/// </summary>
public sealed class PoetSchedule
{
    /// <summary>A schedule; both shifts must lie in [0, EpochDuration) and the grace period must not be negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timing does not fit the epoch.</exception>
    public PoetSchedule(LayerClock clock, PoetTiming timing)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(timing);
        if (timing.PhaseShift < TimeSpan.Zero || timing.PhaseShift >= clock.EpochDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(timing),
                $"PoET phase shift {timing.PhaseShift} must lie in [0, epoch duration {clock.EpochDuration})");
        }

        if (timing.CycleGap < TimeSpan.Zero || timing.CycleGap >= clock.EpochDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(timing),
                $"PoET cycle gap {timing.CycleGap} must lie in [0, epoch duration {clock.EpochDuration})");
        }

        if (timing.GracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timing), $"PoET grace period {timing.GracePeriod} is negative");
        }

        Clock = clock;
        Timing = timing;
    }

    /// <summary>The network clock.</summary>
    public LayerClock Clock { get; }

    /// <summary>The PoET timing.</summary>
    public PoetTiming Timing { get; }

    /// <summary>The round whose proof feeds ATXs published in <paramref name="publishEpoch"/>: P − 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Epoch 0: no ATX is published in it.</exception>
    public static ulong RoundFor(EpochId publishEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfZero(publishEpoch.Value, nameof(publishEpoch));
        return publishEpoch.Value - 1UL;
    }

    /// <summary>The epoch in which ATXs built on round <paramref name="round"/> are published: k + 1.</summary>
    public static EpochId PublishEpochOf(ulong round) => new(checked((uint)(round + 1)));

    /// <summary>The round's id as the PoET API spells it (the decimal number).</summary>
    public static string RoundId(ulong round) => round.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>When round <paramref name="round"/> starts: genesis + PhaseShift + k·EpochDuration.</summary>
    public DateTimeOffset RoundStart(ulong round) => Clock.Genesis + Timing.PhaseShift + (Clock.EpochDuration * round);

    /// <summary>When round <paramref name="round"/> ends: its start + EpochDuration − CycleGap.</summary>
    public DateTimeOffset RoundEnd(ulong round) => RoundStart(round) + Clock.EpochDuration - Timing.CycleGap;

    /// <summary>When the node builds the challenge for <paramref name="publishEpoch"/>: the round start − grace period.</summary>
    public DateTimeOffset ChallengeTime(EpochId publishEpoch) => RoundStart(RoundFor(publishEpoch)) - Timing.GracePeriod;

    /// <summary>Registration for <paramref name="publishEpoch"/> must happen before this: start(P−1) + PhaseShift.</summary>
    public DateTimeOffset RegistrationDeadline(EpochId publishEpoch) => RoundStart(RoundFor(publishEpoch));

    /// <summary>When the proof for <paramref name="publishEpoch"/> can be fetched: start(P) + PhaseShift − CycleGap.</summary>
    public DateTimeOffset ProofAvailable(EpochId publishEpoch) => RoundEnd(RoundFor(publishEpoch));

    /// <summary>go-spacemesh's <c>poetProofDeadline</c> for <paramref name="publishEpoch"/>: end(P) − CycleGap.</summary>
    public DateTimeOffset PoetProofDeadline(EpochId publishEpoch) => Clock.EpochEnd(publishEpoch) - Timing.CycleGap;

    /// <summary>
    /// The earliest epoch whose round the node can still join at <paramref name="time"/>: the P ≥ 1 of the first round
    /// that has not started yet.
    /// </summary>
    public EpochId NextPublishEpoch(DateTimeOffset time)
    {
        var sinceFirst = time - RoundStart(0);
        if (sinceFirst < TimeSpan.Zero)
        {
            return PublishEpochOf(0);
        }

        var round = (ulong)(sinceFirst.Ticks / Clock.EpochDuration.Ticks) + 1; // first round strictly after time
        return PublishEpochOf(round);
    }
}
