using Prover.Node.Consensus.Hare;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Wire.WireSamples;

namespace Prover.Node.Tests.Consensus.Hare;

public class HareProtocolTests
{
    private static readonly ProposalId[] Common = [new(H20(0x30)), new(H20(0x10)), new(H20(0x20))];

    private static ProposalId[] Sorted(IEnumerable<ProposalId> ids) => [.. ids.Order()];

    [Fact]
    public void Honest_participants_agree_on_the_common_proposal_set()
    {
        using var net = new HareTestNetwork(5, seatsEach: 10, committee: 50, _ => Common);
        var ticks = net.Run();

        // Preround, iteration 0 (6 ticks), iteration 1 (7 ticks, result at its hardlock), hardlock of iteration 2.
        Assert.Equal(15, ticks);
        foreach (var node in net.Nodes)
        {
            Assert.True(node.Completed);
            Assert.Equal(Sorted(Common), node.Output);
            Assert.Equal(net.Nodes[0].Coin, node.Coin);
            Assert.NotNull(node.Coin);
        }

        Assert.Empty(net.Proofs);
    }

    [Fact]
    public void Proposals_without_threshold_support_are_left_out()
    {
        // Each node also saw a proposal of its own: 10 seats of 50 support it, below the threshold of 26.
        using var net = new HareTestNetwork(5, seatsEach: 10, committee: 50, i => Common.Append(new ProposalId(H20((byte)(0x80 + i)))));
        net.Run();
        Assert.All(net.Nodes, n => Assert.Equal(Sorted(Common), n.Output));
    }

    [Fact]
    public void A_silent_minority_does_not_stop_agreement()
    {
        using var net = new HareTestNetwork(5, seatsEach: 10, committee: 50, _ => Common);
        net.Run(silent: new HashSet<int> { 3, 4 });
        Assert.All(net.Nodes, n => Assert.Equal(Sorted(Common), n.Output));
        Assert.DoesNotContain(net.Sent, m => m.Sender == net.Signer(3).NodeId || m.Sender == net.Signer(4).NodeId);
    }

    [Fact]
    public void Without_a_weighted_majority_there_is_no_output()
    {
        using var net = new HareTestNetwork(5, seatsEach: 10, committee: 50, _ => Common);
        var ticks = net.Run(silent: new HashSet<int> { 2, 3, 4 });
        Assert.All(net.Nodes, n =>
        {
            Assert.True(n.Completed);
            Assert.Null(n.Output);
        });
        Assert.Equal((4 * 7) + 1, ticks); // gives up at the hardlock of iteration 4 (IterationsLimit 4)
    }

    [Fact]
    public void An_equivocating_participant_is_caught_and_the_others_still_agree()
    {
        using var net = new HareTestNetwork(5, seatsEach: 10, committee: 50, _ => Common);
        var cheater = 4;
        var cheaterId = net.Signer(cheater).NodeId;
        net.Run(extra: (node, message) =>
        {
            if (node != cheater || message.IterRound.Round != HareRound.Preround)
            {
                return [];
            }

            // A second preround message with another set, signed with the same key and eligibility.
            var second = new HareMessage
            {
                Body = new HareBody
                {
                    Layer = message.Layer,
                    IterRound = message.IterRound,
                    Value = new HareValue { Proposals = [new ProposalId(H20(0xEE))] },
                    Eligibility = message.Body.Eligibility,
                },
            };
            second.Sign(net.Signer(cheater));
            return [second];
        });

        Assert.All(net.Nodes, n => Assert.Equal(Sorted(Common), n.Output));
        Assert.Equal(5, net.Proofs.Count); // every node, the cheater included, caught it once
        foreach (var (node, proof) in net.Proofs)
        {
            Assert.Equal(MalfeasanceProof.HareEquivocation, proof.Type);
            Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(MalfeasanceProof.Decode(proof.ToBytes()), net.Verifier, out var guilty));
            Assert.Equal(cheaterId, guilty);
            Assert.Contains(cheaterId, net.Nodes[node].Equivocators);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Equivocator_weight_never_counts_as_the_honest_vote_a_value_needs(bool equivocate)
    {
        // Threshold 18/2 + 1 = 10: one node's 10 seats pass it alone. Node 2 also proposes 0xAA. Honest, 0xAA is
        // output; once node 2 equivocates, its weight still counts in the total but no honest vote backs 0xAA.
        var extraId = new ProposalId(H20(0xAA));
        using var net = new HareTestNetwork(3, seatsEach: 10, committee: 18, i => i == 2 ? Common.Append(extraId) : Common);
        net.Run(extra: (node, message) =>
        {
            if (!equivocate || node != 2 || message.IterRound.Round != HareRound.Preround)
            {
                return [];
            }

            var second = new HareMessage
            {
                Body = new HareBody
                {
                    Layer = message.Layer,
                    IterRound = message.IterRound,
                    Value = new HareValue { Proposals = [extraId] },
                    Eligibility = message.Body.Eligibility,
                },
            };
            second.Sign(net.Signer(2));
            return [second];
        });
        var expected = equivocate ? Sorted(Common) : Sorted(Common.Append(extraId));
        Assert.All(net.Nodes, n => Assert.Equal(expected, n.Output));
        Assert.Equal(equivocate ? 3 : 0, net.Proofs.Count);
    }

    [Fact]
    public void Two_runs_with_the_same_inputs_send_the_same_bytes()
    {
        using var first = new HareTestNetwork(4, seatsEach: 10, committee: 40, _ => Common);
        using var second = new HareTestNetwork(4, seatsEach: 10, committee: 40, _ => Common);
        first.Run();
        second.Run();
        Assert.Equal(first.Sent.Select(m => Convert.ToHexString(m.ToBytes())), second.Sent.Select(m => Convert.ToHexString(m.ToBytes())));
        Assert.NotEmpty(first.Sent);
    }

    [Fact]
    public void Receive_drops_foreign_forged_ineligible_and_malformed_messages()
    {
        using var net = new HareTestNetwork(2, seatsEach: 10, committee: 20, _ => Common);
        var node = net.Nodes[0];
        var signer = net.Signer(1);
        using var vrf = new Prover.Node.Vrf.VrfSigner(signer);
        var round = new IterRound(0, HareRound.Preround);
        HareMessage Make(LayerId layer, HareValue value, HareEligibility? eligibility = null)
        {
            var m = new HareMessage
            {
                Body = new HareBody { Layer = layer, IterRound = round, Value = value, Eligibility = eligibility ?? net.Oracle.Active(vrf, layer, round)!.Value },
            };
            m.Sign(signer);
            return m;
        }

        var good = Make(net.Layer, Proposals(1));
        Assert.Equal(HareInputStatus.Accepted, node.Receive(good, net.Verifier).Status);
        Assert.Equal(HareInputStatus.Duplicate, node.Receive(HareMessage.Decode(good.ToBytes()), net.Verifier).Status);
        Assert.Equal(HareInputStatus.WrongLayer, node.Receive(Make(new LayerId(net.Layer.Value + 1), Proposals(1)), net.Verifier).Status);
        Assert.Equal(HareInputStatus.Malformed, node.Receive(Make(net.Layer, Reference(1)), net.Verifier).Status);

        var forged = Make(net.Layer, Proposals(2));
        forged.Signature = good.Signature;
        Assert.Equal(HareInputStatus.InvalidSignature, node.Receive(forged, net.Verifier).Status);

        var inflated = Make(net.Layer, Proposals(3), good.Body.Eligibility with { Count = 11 });
        Assert.Equal(HareInputStatus.NotEligible, node.Receive(inflated, net.Verifier).Status);
        var wrongProof = Make(net.Layer, Proposals(3), good.Body.Eligibility with { Proof = VrfSig(1) });
        Assert.Equal(HareInputStatus.NotEligible, node.Receive(wrongProof, net.Verifier).Status);
        Assert.Equal(HareInputStatus.NotEligible, node.OnInput(good, HareVerdict.NotEligible).Status);
        Assert.Empty(node.Equivocators);
    }

    [Fact]
    public void Message_grade_falls_by_one_per_round_of_delay()
    {
        var preround = new IterRound(0, HareRound.Preround);
        Assert.Equal(HareGrade.Grade5, HareProtocol.MessageGrade(new IterRound(0, HareRound.Softlock), preround));
        Assert.Equal(HareGrade.Grade4, HareProtocol.MessageGrade(new IterRound(0, HareRound.Propose), preround));
        Assert.Equal(HareGrade.Grade1, HareProtocol.MessageGrade(new IterRound(0, HareRound.Commit), preround));
        Assert.Equal(HareGrade.Grade0, HareProtocol.MessageGrade(new IterRound(0, HareRound.Notify), preround));
        Assert.Equal(HareGrade.Grade0, HareProtocol.MessageGrade(new IterRound(1, HareRound.Hardlock), preround));
        Assert.Equal(HareGrade.Grade0, HareProtocol.MessageGrade(new IterRound(3, HareRound.Commit), preround));
    }
}
