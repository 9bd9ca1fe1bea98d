using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Wire.WireSamples;

namespace Prover.Node.Tests.Consensus.Wire;

public class HareMessageTests
{
    [Fact]
    public void Absolute_round_is_iteration_times_seven_plus_round()
    {
        Assert.Equal(41u * 7, new IterRound(40, HareRound.Notify).Absolute); // go-spacemesh TestAbsoluteMaxValue
        Assert.Equal(new IterRound(0, HareRound.Notify).Absolute, new IterRound(1, HareRound.Preround).Absolute);
        Assert.Equal(10u, new IterRound(1, HareRound.Propose).Absolute);
    }

    [Fact]
    public void Delay_skips_the_hardlock_of_iteration_zero()
    {
        var preround = new IterRound(0, HareRound.Preround);
        Assert.Equal(1u, new IterRound(0, HareRound.Softlock).Delay(preround));
        Assert.Equal(0u, preround.Delay(preround));
        Assert.Equal(1u, new IterRound(0, HareRound.Wait1).Delay(new IterRound(0, HareRound.Propose)));
        Assert.Equal(1u, new IterRound(1, HareRound.Hardlock).Delay(new IterRound(0, HareRound.Notify)));
        Assert.Equal(0u, new IterRound(0, HareRound.Propose).Delay(new IterRound(0, HareRound.Commit)));
    }

    [Fact]
    public void Body_encodes_in_go_spacemesh_order()
    {
        var message = HareMsg(7, new IterRound(2, HareRound.Commit), Reference(0x33), count: 300);
        var expected = new List<byte> { 7 << 2, 2 << 2, 6 << 2, 0 };     // Layer, Iter, Round compact8, no proposals
        expected.Add(1);                                                 // Reference option
        expected.AddRange(Enumerable.Repeat((byte)0x33, 32));
        expected.AddRange(VrfSig(9).ToArray());                             // Eligibility.Proof [80]
        expected.AddRange(new byte[] { 0xB1, 0x04 });                    // Count 300 compact16 (two-byte mode)
        Assert.Equal(expected.ToArray(), ScaleCodec.Encode(message.Body));

        var proposals = ScaleCodec.Encode(HareMsg(7, new IterRound(0, HareRound.Preround), Proposals(1, 2)).Body);
        Assert.Equal(new byte[] { 7 << 2, 0, 0, 2 << 2 }, proposals[..4]);
        Assert.Equal(Enumerable.Repeat((byte)1, 20), proposals[4..24]);
        Assert.Equal(0, proposals[44]); // no reference
    }

    [Fact]
    public void Message_round_trips_and_signature_uses_the_hare_domain_over_metadata()
    {
        using var signer = Signer(7);
        var verifier = new EdVerifier(TestGenesis);
        var message = HareMsg(1000, new IterRound(1, HareRound.Propose), Proposals(5, 6, 7));
        message.Sign(signer);
        Assert.True(message.VerifySignature(verifier));

        var bodyHash = Blake3(ScaleCodec.Encode(message.Body));
        var metadata = new byte[] { 0xA1, 0x0F, 10 << 2 }.Concat(bodyHash).ToArray(); // layer 1000, absolute round 10
        Assert.Equal(metadata, message.SignedBytes());
        Assert.True(verifier.Verify(SignatureDomain.Hare, signer.NodeId, metadata, message.Signature.Span));
        Assert.False(verifier.Verify(SignatureDomain.Ballot, signer.NodeId, metadata, message.Signature.Span));

        var bytes = message.ToBytes();
        Assert.Equal(ScaleCodec.Encode(message.Body).Length + 32 + 64, bytes.Length);
        var decoded = HareMessage.Decode(bytes);
        Assert.Equal(bytes, decoded.ToBytes());
        Assert.Equal(message.Body.Value.Proposals, decoded.Body.Value.Proposals);
        Assert.True(decoded.VerifySignature(verifier));

        for (var i = 0; i < bytes.Length; i += 13)
        {
            var bad = (byte[])bytes.Clone();
            bad[i] ^= 0x04;
            if (ScaleCodec.TryDecode<HareMessage>(bad, out var changed, out _) && changed!.VerifySignature(verifier))
            {
                // Only a non-canonical option tag (0x04 reads as absent, like 0x00) survives: the message is unchanged.
                Assert.Equal(bytes, changed.ToBytes());
                Assert.Equal(0, bytes[i]);
            }
        }
    }

    [Fact]
    public void Message_decode_rejects_truncation_and_too_many_proposals()
    {
        using var signer = Signer(8);
        var message = HareMsg(3, new IterRound(0, HareRound.Preround), Proposals(1, 2, 3));
        message.Sign(signer);
        AssertEveryTruncationFails(message.ToBytes(), b => HareMessage.Decode(b));

        var over = new byte[] { 3 << 2, 0, 0, 0xBD, 0x24 }; // 2351 proposals announced
        var e = Assert.Throws<ScaleDecodeException>(() => HareMessage.Decode(over));
        Assert.Equal(ScaleError.TooManyElements, e.Reason);
        var tooMany = HareMsg(3, default, new HareValue { Proposals = new ProposalId[2351] });
        Assert.Throws<ScaleEncodeException>(() => tooMany.ToBytes());
        Assert.NotEmpty(HareMsg(3, default, new HareValue { Proposals = new ProposalId[2350] }).ToBytes());
    }

    [Fact]
    public void Commit_and_notify_need_a_reference_preround_and_propose_must_not_have_one()
    {
        Assert.False(HareMsg(1, new IterRound(0, HareRound.Commit), Proposals(1)).IsWellFormed());
        Assert.False(HareMsg(1, new IterRound(0, HareRound.Notify), new HareValue()).IsWellFormed());
        Assert.False(HareMsg(1, new IterRound(0, HareRound.Preround), Reference(1)).IsWellFormed());
        Assert.True(HareMsg(1, new IterRound(0, HareRound.Notify), Reference(1)).IsWellFormed());
        Assert.True(HareMsg(1, new IterRound(0, HareRound.Propose), new HareValue()).IsWellFormed());
    }

    [Fact]
    public void Proposal_set_reference_hashes_ids_widened_to_32_bytes()
    {
        var ids = new[] { new ProposalId(H20(1)), new ProposalId(H20(2)) };
        var preimage = new byte[64];
        ids[0].Span.CopyTo(preimage);
        ids[1].Span.CopyTo(preimage.AsSpan(32));
        Assert.Equal(Blake3(preimage), ProposalId.HashPresorted(ids).ToArray());
        Assert.Equal(Blake3([]), ProposalId.HashPresorted([]).ToArray());
    }

    [Fact]
    public void Vrf_signatures_compare_as_little_endian_numbers()
    {
        var low = new byte[80];
        var high = new byte[80];
        low[0] = 0xFF;
        high[79] = 1;
        Assert.True(new VrfSignature(low) < new VrfSignature(high));
        Assert.Equal(1, new VrfSignature(low).Lsb);
        Assert.Equal(0, new VrfSignature(high).Lsb);
    }
}
