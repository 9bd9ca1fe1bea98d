using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Wire.WireSamples;

namespace Prover.Node.Tests.Consensus.Wire;

public class BallotProposalTests
{
    [Fact]
    public void Inner_ballot_encodes_field_by_field_in_go_spacemesh_order()
    {
        var ballot = Ballot(layer: 5, withEpochData: true);
        var expected = new List<byte> { 5 << 2 };                // Layer compact32
        expected.AddRange(Enumerable.Repeat((byte)0xA1, 32));    // AtxID
        expected.AddRange(Enumerable.Repeat((byte)0x0B, 32));    // OpinionHash
        expected.AddRange(new byte[20]);                         // RefBallot (empty in a reference ballot)
        expected.Add(1);                                         // EpochData option tag
        expected.AddRange(Enumerable.Repeat((byte)0x5A, 32));    // ActiveSetHash
        expected.AddRange(new byte[] { 1, 2, 3, 4 });            // Beacon
        expected.AddRange(new byte[] { 0xC2, 0x45, 0x04, 0x00 }); // EligibilityCount compact32, 4-byte mode
        Assert.Equal(expected.ToArray(), ScaleCodec.Encode(ballot.Inner));

        var withoutEpochData = ScaleCodec.Encode(Ballot(layer: 5, withEpochData: false).Inner);
        Assert.Equal(1 + 32 + 32 + 20 + 1, withoutEpochData.Length);
        Assert.Equal(0, withoutEpochData[^1]);
    }

    [Fact]
    public void Ballot_id_is_the_first_20_bytes_of_blake3_of_the_inner_ballot()
    {
        var ballot = Ballot();
        var hash = Blake3(ScaleCodec.Encode(ballot.Inner));
        Assert.Equal(hash[..20], ballot.Id().Span.ToArray());
        Assert.Equal(hash, ballot.InnerHash().ToArray());

        // Votes, eligibilities and the signature are outside the id.
        var other = Ballot(proofs: 5);
        Assert.Equal(ballot.Id(), other.Id());
        Assert.NotEqual(ballot.Id(), Ballot(layer: 1235).Id());
    }

    [Fact]
    public void Ballot_round_trips_byte_for_byte()
    {
        using var signer = Signer(1);
        foreach (var ballot in new[] { Ballot(), Ballot(withEpochData: false, proofs: 0) })
        {
            ballot.Sign(signer);
            var bytes = ballot.ToBytes();
            var decoded = Prover.Node.Consensus.Wire.Ballot.Decode(bytes);
            Assert.Equal(bytes, decoded.ToBytes());
            Assert.Equal(ballot.Id(), decoded.Id());
            Assert.Equal(signer.NodeId, decoded.SmesherId);
            Assert.Equal(ballot.Votes.Abstain, decoded.Votes.Abstain);
            Assert.Equal(ballot.Votes.Support, decoded.Votes.Support);
            Assert.Equal(ballot.EligibilityProofs, decoded.EligibilityProofs);
            Assert.Equal(ballot.ActiveSet, decoded.ActiveSet);
            Assert.Equal(ballot.Inner.EpochData?.EligibilityCount, decoded.Inner.EpochData?.EligibilityCount);
        }
    }

    [Fact]
    public void Ballot_signature_covers_layer_and_inner_hash_in_the_ballot_domain()
    {
        using var signer = Signer(2);
        var verifier = new EdVerifier(TestGenesis);
        var ballot = Ballot();
        ballot.Sign(signer);
        Assert.True(ballot.VerifySignature(verifier));

        // The signed bytes are BallotMetadata{Layer compact32, blake3(inner)}.
        var expected = new byte[] { 0x49, 0x13 }.Concat(Blake3(ScaleCodec.Encode(ballot.Inner))).ToArray();
        Assert.Equal(expected, ballot.SignedBytes());
        Assert.True(verifier.Verify(SignatureDomain.Ballot, signer.NodeId, expected, ballot.Signature.Span));
        Assert.False(verifier.Verify(SignatureDomain.Proposal, signer.NodeId, expected, ballot.Signature.Span));

        // Changing one byte of the signed part breaks it; the unsigned votes do not.
        var bytes = ballot.ToBytes();
        var opinionAt = 2 + 32;
        bytes[opinionAt] ^= 1;
        Assert.False(Prover.Node.Consensus.Wire.Ballot.Decode(bytes).VerifySignature(verifier));
        bytes[opinionAt] ^= 1;
        var sigAt = ScaleCodec.Encode(ballot.Inner).Length;
        bytes[sigAt + 5] ^= 0x80;
        Assert.False(Prover.Node.Consensus.Wire.Ballot.Decode(bytes).VerifySignature(verifier));
    }

    [Fact]
    public void Ballot_decode_rejects_every_truncation_and_trailing_bytes()
    {
        using var signer = Signer(3);
        var ballot = Ballot();
        ballot.Sign(signer);
        AssertEveryTruncationFails(ballot.ToBytes(), b => Prover.Node.Consensus.Wire.Ballot.Decode(b));
    }

    [Fact]
    public void Ballot_limits_are_go_scale_max_tags()
    {
        var tooMany = Ballot(proofs: 501);
        Assert.Throws<ScaleEncodeException>(() => tooMany.ToBytes());
        Assert.NotEmpty(Ballot(proofs: 500).ToBytes());

        // Announce 501 eligibility proofs on the wire: refused before any is read.
        var ballot = Ballot(proofs: 0, withEpochData: false);
        var bytes = ballot.ToBytes();
        Assert.Equal(0, bytes[^2]); // EligibilityProofs length, then ActiveSet length
        var patched = bytes[..^2].Concat(new byte[] { 0xD5, 0x07 }).ToArray();
        var e = Assert.Throws<ScaleDecodeException>(() => Prover.Node.Consensus.Wire.Ballot.Decode(patched));
        Assert.Equal(ScaleError.TooManyElements, e.Reason);

        var votes = new Votes { Support = [.. Enumerable.Repeat(new BlockHeader(default, default, 0), 10_001)] };
        Assert.Throws<ScaleEncodeException>(() => ScaleCodec.Encode(votes));
    }

    [Fact]
    public void An_option_tag_other_than_one_reads_as_absent_epoch_data()
    {
        var bytes = ScaleCodec.Encode(Ballot(withEpochData: false).Inner);
        bytes[^1] = 2;
        Assert.Null(ScaleCodec.Decode<InnerBallot>(bytes).EpochData);
    }

    [Fact]
    public void Proposal_id_and_signatures_follow_go_spacemesh()
    {
        using var signer = Signer(4);
        var verifier = new EdVerifier(TestGenesis);
        var proposal = Proposal();
        proposal.Sign(signer);
        Assert.True(proposal.VerifySignature(verifier));
        Assert.Equal(signer.NodeId, proposal.SmesherId);

        var inner = ScaleCodec.Encode(proposal.Inner);
        Assert.Equal(Blake3(inner)[..20], proposal.Id().Span.ToArray());
        var metadata = new byte[] { 0x49, 0x13 }.Concat(Blake3(inner)).ToArray();
        Assert.Equal(metadata, proposal.SignedBytes());
        Assert.True(verifier.Verify(SignatureDomain.Proposal, signer.NodeId, metadata, proposal.Signature.Span));
        Assert.False(verifier.Verify(SignatureDomain.Ballot, signer.NodeId, metadata, proposal.Signature.Span));

        // Inner ballot is the full ballot, then the tx ids and the mesh hash; the signature closes the proposal.
        var bytes = proposal.ToBytes();
        Assert.Equal(proposal.Ballot.ToBytes(), bytes[..proposal.Ballot.ToBytes().Length]);
        Assert.Equal(inner.Length + 64, bytes.Length);
        var decoded = Prover.Node.Consensus.Wire.Proposal.Decode(bytes);
        Assert.Equal(bytes, decoded.ToBytes());
        Assert.Equal(proposal.Id(), decoded.Id());
        Assert.True(decoded.VerifySignature(verifier));

        // A changed transaction id changes the id and breaks the proposal signature (the ballot's still holds).
        var txAt = proposal.Ballot.ToBytes().Length + 1;
        bytes[txAt] ^= 1;
        var tampered = Prover.Node.Consensus.Wire.Proposal.Decode(bytes);
        Assert.NotEqual(proposal.Id(), tampered.Id());
        Assert.False(tampered.VerifySignature(verifier));
        Assert.True(tampered.Ballot.VerifySignature(verifier));
    }

    [Fact]
    public void Proposal_decode_rejects_truncation_and_too_many_transactions()
    {
        using var signer = Signer(5);
        var proposal = Proposal();
        proposal.Sign(signer);
        AssertEveryTruncationFails(proposal.ToBytes(), b => Prover.Node.Consensus.Wire.Proposal.Decode(b));

        var big = new InnerProposal { Ballot = Ballot(), TxIds = new Hash32[100_001] };
        Assert.Throws<ScaleEncodeException>(() => ScaleCodec.Encode(big));
    }

    [Fact]
    public void Ids_order_byte_wise_and_parse_from_hex()
    {
        var a = ProposalId.Parse("00" + new string('f', 38));
        var b = ProposalId.Parse("01" + new string('0', 38));
        Assert.True(a < b);
        Assert.Equal(a, ProposalId.Parse(a.ToString()));
        Assert.Equal(BallotId.Parse(new string('7', 40)), new BallotId(H20(0x77)));
    }
}
