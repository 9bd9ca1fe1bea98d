using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Hare;

/// <summary>What one round tick of <see cref="HareProtocol"/> produced.</summary>
internal sealed class HareProtocolOutput
{
    /// <summary>The value to send this round (unsigned, no eligibility yet), or null.</summary>
    public HareValue? Message { get; set; }

    /// <summary>The weak coin, once, at the first tick from softlock on after a preround VRF was seen.</summary>
    public bool? Coin { get; set; }

    /// <summary>The agreed proposal set, once, at the hardlock after the notify that decided it.</summary>
    public IReadOnlyList<ProposalId>? Result { get; set; }

    /// <summary>The instance participated one iteration after its result and is done.</summary>
    public bool Terminated { get; set; }
}

/// <summary>
/// The hare3 state machine of one layer, without clock, network, signatures or eligibility (a port of the rules of
/// go-spacemesh <c>hare3/protocol.go</c>): graded gossip over received messages (grade from the sender's ATX and from
/// how many rounds late the message arrived), thresh-gossip with threshold <c>committee/2 + 1</c> weighted by
/// eligibility count, gradecast of proposals ordered by VRF, locks, commit and notify. Equivocation (one sender, one
/// iteration and round, two bodies) is detected and returned as a <see cref="HareProof"/>; the equivocator's messages
/// stay in the tallies' totals, as in hare3, but never count as the honest vote a value needs.
/// Deterministic: the same inputs in the same order give the same outputs.
/// </summary>
internal sealed class HareProtocol(ushort threshold)
{
    private readonly Dictionary<(IterRound Round, NodeId Sender), Received> _state = [];
    private readonly Dictionary<Hash32, IReadOnlyList<ProposalId>> _validProposals = [];
    private VrfSignature? _coin;
    private bool _coinOut;
    private Hash32? _result;
    private Hash32? _locked;
    private bool _hardLocked;

    /// <summary>The round the next <see cref="Next"/> executes.</summary>
    public IterRound Current { get; private set; } = new(0, HareRound.Preround);

    /// <summary>The threshold: <c>committee/2 + 1</c>.</summary>
    public ushort Threshold { get; } = threshold;

    /// <summary>The initial set (Si): the proposals this node saw for the layer, sorted.</summary>
    public IReadOnlyList<ProposalId> Initial { get; set; } = [];

    /// <summary>
    /// Takes a received message (graded-gossip cases 1-4). Returns whether it is new (to be relayed) and, when it
    /// conflicts with an earlier message of the same sender for the same round, the equivocation proof.
    /// </summary>
    public (bool Gossip, HareProof? Equivocation) OnInput(HareMessage message, Hash32 messageHash, HareGrade atxGrade, bool malicious)
    {
        var key = (message.IterRound, message.Sender);
        var input = new Received(message, messageHash, atxGrade, malicious, Current);
        if (_state.TryGetValue(key, out var other))
        {
            if (other.Hash == messageHash || other.Malicious)
            {
                return (false, null);
            }

            // Keep the message with the better ATX grade; both are malicious from now on.
            if (atxGrade > other.AtxGrade)
            {
                input.Malicious = true;
                input.OtherReceived = other.ReceivedAt;
                _state[key] = input;
            }
            else
            {
                other.Malicious = true;
                other.OtherReceived = Current;
            }

            TrackCoin(message);
            return (true, new HareProof(other.Message.ToProofMessage(), message.ToProofMessage()));
        }

        _state[key] = input;
        TrackCoin(message);
        return (true, null);
    }

    /// <summary>Executes the current round and moves to the next one.</summary>
    public HareProtocolOutput Next()
    {
        var output = new HareProtocolOutput();
        Execute(output);
        if (Current.Round >= HareRound.Softlock && _coin is { } coin && !_coinOut)
        {
            output.Coin = coin.Lsb != 0;
            _coinOut = true;
        }

        Current = Current switch
        {
            // Iteration 0 has no hardlock (nothing to lock on yet).
            { Iter: 0, Round: HareRound.Preround } => new IterRound(0, HareRound.Softlock),
            { Round: HareRound.Notify } => new IterRound(checked((byte)(Current.Iter + 1)), HareRound.Hardlock),
            _ => Current with { Round = Current.Round + 1 },
        };
        return output;
    }

    private void TrackCoin(HareMessage message)
    {
        if (message.IterRound.Round == HareRound.Preround && (_coin is not { } c || message.Body.Eligibility.Proof < c))
        {
            _coin = message.Body.Eligibility.Proof;
        }
    }

    private void Execute(HareProtocolOutput output)
    {
        var iter = Current.Iter;
        var preround = new IterRound(0, HareRound.Preround);
        switch (Current.Round)
        {
            case HareRound.Preround:
                output.Message = new HareValue { Proposals = Initial };
                break;
            case HareRound.Hardlock when iter > 0:
                if (_result is not null)
                {
                    output.Terminated = true;
                }

                var (notified, values) = ThresholdProposals(new IterRound((byte)(iter - 1), HareRound.Notify), HareGrade.Grade5);
                if (notified is not null && _result is null)
                {
                    _result = notified;
                    output.Result = values ?? [];
                }

                var (hard, _) = ThresholdProposals(new IterRound((byte)(iter - 1), HareRound.Commit), HareGrade.Grade4);
                _locked = hard;
                _hardLocked = hard is not null;
                break;
            case HareRound.Softlock when iter > 0 && !_hardLocked:
                (_locked, _) = ThresholdProposals(new IterRound((byte)(iter - 1), HareRound.Commit), HareGrade.Grade3);
                break;
            case HareRound.Propose:
                IReadOnlyList<ProposalId> proposal = ThresholdGossip(preround, HareGrade.Grade4);
                if (iter > 0)
                {
                    var (committed, overwrite) = ThresholdProposals(new IterRound((byte)(iter - 1), HareRound.Commit), HareGrade.Grade2);
                    if (committed is not null)
                    {
                        proposal = overwrite!;
                    }
                }

                output.Message = new HareValue { Proposals = proposal };
                break;
            case HareRound.Commit:
                Commit(output, iter, preround);
                break;
            case HareRound.Notify:
                var reference = _result ?? ThresholdProposals(Current with { Round = HareRound.Commit }, HareGrade.Grade5).Reference;
                if (reference is not null)
                {
                    output.Message = new HareValue { Reference = reference };
                }

                break;
        }
    }

    private void Commit(HareProtocolOutput output, byte iter, IterRound preround)
    {
        // Condition (d): candidates ordered by their VRF, so that every node picks the same leader.
        var proposed = Gradecast(Current with { Round = HareRound.Propose });
        var g2 = ThresholdGossip(preround, HareGrade.Grade2);
        foreach (var (values, _) in proposed)
        {
            // Conditions (a) and (b).
            if (IsSubset(values, g2))
            {
                _validProposals[ProposalId.HashPresorted(values)] = values;
            }
        }

        if (_hardLocked && _locked is not null)
        {
            output.Message = new HareValue { Reference = _locked };
            return;
        }

        var g3 = ThresholdGossip(preround, HareGrade.Grade3);
        var g5 = ThresholdGossip(preround, HareGrade.Grade5);
        foreach (var (values, grade) in proposed)
        {
            var id = ProposalId.HashPresorted(values);
            if (!_validProposals.ContainsKey(id) // (c)
                || grade != HareGrade.Grade2 // (e)
                || !IsSubset(values, g3) // (f)
                || (!IsSubset(g5, values) && !(iter > 0 && CommitExists((byte)(iter - 1), id, HareGrade.Grade1))) // (g)
                || (_locked is { } locked && locked != id)) // (h)
            {
                continue;
            }

            output.Message = new HareValue { Reference = id };
            return;
        }
    }

    private bool CommitExists(byte iter, Hash32 match, HareGrade grade) =>
        ThresholdGossipRef(new IterRound(iter, HareRound.Commit), grade).Contains(match);

    private (Hash32? Reference, IReadOnlyList<ProposalId>? Values) ThresholdProposals(IterRound round, HareGrade grade)
    {
        foreach (var reference in ThresholdGossipRef(round, grade))
        {
            if (_validProposals.TryGetValue(reference, out var values))
            {
                return (reference, values);
            }
        }

        return (null, null);
    }

    /// <summary>Protocol 2 (gradecast), with 5-graded gossip: propose messages with grade 2 or 1, smallest VRF first.</summary>
    private List<(IReadOnlyList<ProposalId> Values, HareGrade Grade)> Gradecast(IterRound target)
    {
        var graded = new List<(IReadOnlyList<ProposalId> Values, HareGrade Grade, VrfSignature Vrf)>();
        foreach (var (key, value) in _state)
        {
            if (key.Round != target || (value.Malicious && value.OtherReceived is null))
            {
                continue;
            }

            var delay = value.ReceivedAt.Delay(target);
            var otherDelay = value.OtherReceived?.Delay(target);
            HareGrade grade;
            if (value.AtxGrade == HareGrade.Grade5 && delay <= 1 && (otherDelay is null || otherDelay > 3))
            {
                grade = HareGrade.Grade2;
            }
            else if (value.AtxGrade >= HareGrade.Grade4 && delay <= 2 && (otherDelay is null || otherDelay > 2))
            {
                grade = HareGrade.Grade1;
            }
            else
            {
                continue;
            }

            graded.Add((value.Message.Body.Value.Proposals, grade, value.Message.Body.Eligibility.Proof));
        }

        graded.Sort((a, b) => a.Vrf.CompareTo(b.Vrf));
        return [.. graded.Select(g => (g.Values, g.Grade))];
    }

    /// <summary>Protocol 3 (thresh-gossip) over proposal lists: the ids that pass, sorted.</summary>
    private List<ProposalId> ThresholdGossip(IterRound filter, HareGrade grade)
    {
        var result = Passing(Tally<ProposalId>(filter, grade, static (m, add) =>
        {
            foreach (var id in m.Body.Value.Proposals)
            {
                add(id);
            }
        }));
        result.Sort();
        return result;
    }

    /// <summary>Thresh-gossip over references: the references that pass, in hash order (for a deterministic pick).</summary>
    private List<Hash32> ThresholdGossipRef(IterRound filter, HareGrade grade)
    {
        var result = Passing(Tally<Hash32>(filter, grade, static (m, add) =>
        {
            if (m.Body.Value.Reference is { } reference)
            {
                add(reference);
            }
        }));
        result.Sort();
        return result;
    }

    private List<T> Passing<T>(Dictionary<T, (int Total, int Valid)> tallies)
        where T : notnull
    {
        // At least one non-equivocating vote and a total of at least committee/2 + 1.
        var result = new List<T>();
        foreach (var (id, (total, valid)) in tallies)
        {
            if (total >= Threshold && valid > 0)
            {
                result.Add(id);
            }
        }

        return result;
    }

    private Dictionary<T, (int Total, int Valid)> Tally<T>(IterRound filter, HareGrade grade, Action<HareMessage, Action<T>> values)
        where T : notnull
    {
        // The lowest ATX grade among honest senders that arrived in time sets the bar for everyone.
        var min = HareGrade.Grade5;
        foreach (var (key, value) in _state)
        {
            if (key.Round == filter && value.AtxGrade < min && !value.Malicious && MessageGrade(value.ReceivedAt, filter) >= grade)
            {
                min = value.AtxGrade;
            }
        }

        var tallies = new Dictionary<T, (int Total, int Valid)>();
        foreach (var (key, value) in _state)
        {
            if (key.Round != filter || value.AtxGrade < min || MessageGrade(value.ReceivedAt, filter) < grade)
            {
                continue;
            }

            var count = value.Message.Body.Eligibility.Count;
            var honest = !value.Malicious;
            values(value.Message, id =>
            {
                var (total, valid) = tallies.GetValueOrDefault(id);
                tallies[id] = (total + count, valid + (honest ? count : 0));
            });
        }

        return tallies;
    }

    /// <summary>
    /// The grade of a message for round <paramref name="since"/> received at <paramref name="received"/>: 6 minus the
    /// delay, never below 0. (go-spacemesh computes <c>6 - delay</c> in uint32 and wraps for delays over 6; this port
    /// clamps, so a message that arrives more than 6 rounds late counts for nothing.)
    /// </summary>
    internal static HareGrade MessageGrade(IterRound received, IterRound since)
    {
        var delay = received.Delay(since);
        return delay >= 6 ? HareGrade.Grade0 : (HareGrade)(6 - delay);
    }

    private static bool IsSubset(IReadOnlyList<ProposalId> subset, IReadOnlyList<ProposalId> of)
    {
        var set = new HashSet<ProposalId>(of);
        return subset.All(set.Contains);
    }

    private sealed class Received(HareMessage message, Hash32 hash, HareGrade atxGrade, bool malicious, IterRound receivedAt)
    {
        public HareMessage Message { get; } = message;

        public Hash32 Hash { get; } = hash;

        public HareGrade AtxGrade { get; } = atxGrade;

        public bool Malicious { get; set; } = malicious;

        public IterRound ReceivedAt { get; } = receivedAt;

        public IterRound? OtherReceived { get; set; }
    }
}
