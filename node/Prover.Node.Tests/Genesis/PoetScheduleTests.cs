using Prover.Node.Genesis;
using Prover.Node.Types;
using Xunit;

namespace Prover.Node.Tests.Genesis;

public class PoetScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Standalone_rounds_start_at_the_phase_shift_and_end_a_cycle_gap_before_the_next_epoch_plus_shift()
    {
        var preset = NetworkPreset.Standalone;
        var schedule = preset.CreatePoetSchedule(preset.CreateClock(preset.ResolveGenesis(T0)));
        // round k: start = genesis + 30 s + k·60 s, end = start + 60 s − 30 s
        Assert.Equal(T0 + TimeSpan.FromSeconds(30), schedule.RoundStart(0));
        Assert.Equal(T0 + TimeSpan.FromSeconds(60), schedule.RoundEnd(0));
        Assert.Equal(T0 + TimeSpan.FromSeconds(150), schedule.RoundStart(2));
        Assert.Equal(T0 + TimeSpan.FromSeconds(180), schedule.RoundEnd(2));
        Assert.Equal("2", PoetSchedule.RoundId(2));
    }

    [Fact]
    public void Publish_epoch_p_uses_round_p_minus_one_with_the_spec_deadlines()
    {
        var clock = new LayerClock(T0, TimeSpan.FromMinutes(5), 4032);
        var timing = NetworkPreset.Mainnet.Poet;
        var schedule = new PoetSchedule(clock, timing);
        var p = new EpochId(20);
        Assert.Equal(19UL, PoetSchedule.RoundFor(p));
        Assert.Equal(p, PoetSchedule.PublishEpochOf(19));
        // registration before start(P−1) + PhaseShift; the proof after start(P) + PhaseShift − CycleGap
        Assert.Equal(clock.EpochStart(new EpochId(19)) + timing.PhaseShift, schedule.RegistrationDeadline(p));
        Assert.Equal(clock.EpochStart(p) + timing.PhaseShift - timing.CycleGap, schedule.ProofAvailable(p));
        Assert.Equal(schedule.RegistrationDeadline(p) - timing.GracePeriod, schedule.ChallengeTime(p));
        // poetProofDeadline = end(P) − CycleGap
        Assert.Equal(clock.EpochEnd(p) - timing.CycleGap, schedule.PoetProofDeadline(p));
        Assert.True(schedule.ProofAvailable(p) < schedule.PoetProofDeadline(p));
        Assert.True(schedule.ProofAvailable(p) > clock.EpochStart(p));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoetSchedule.RoundFor(new EpochId(0)));
    }

    [Fact]
    public void Next_publish_epoch_is_that_of_the_first_round_not_yet_started()
    {
        var clock = new LayerClock(T0, TimeSpan.FromSeconds(6), 10);
        var schedule = new PoetSchedule(clock, NetworkPreset.Standalone.Poet);
        Assert.Equal(new EpochId(1), schedule.NextPublishEpoch(T0 - TimeSpan.FromHours(1)));
        Assert.Equal(new EpochId(1), schedule.NextPublishEpoch(T0 + TimeSpan.FromSeconds(29)));
        Assert.Equal(new EpochId(2), schedule.NextPublishEpoch(T0 + TimeSpan.FromSeconds(30))); // round 0 has started
        Assert.Equal(new EpochId(2), schedule.NextPublishEpoch(T0 + TimeSpan.FromSeconds(89)));
        Assert.Equal(new EpochId(3), schedule.NextPublishEpoch(T0 + TimeSpan.FromSeconds(90)));
    }

    [Fact]
    public void Timings_that_do_not_fit_the_epoch_are_refused()
    {
        var clock = new LayerClock(T0, TimeSpan.FromSeconds(2), 5); // 10 s epochs
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PoetSchedule(clock, new PoetTiming(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PoetSchedule(clock, new PoetTiming(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PoetSchedule(clock, NetworkPreset.Standalone.Poet)); // 30 s shift in a 10 s epoch
    }
}
