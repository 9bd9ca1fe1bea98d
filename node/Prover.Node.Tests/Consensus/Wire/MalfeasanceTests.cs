using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Types;
using Xunit;
using static Prover.Node.Tests.Consensus.Wire.WireSamples;

namespace Prover.Node.Tests.Consensus.Wire;

public class MalfeasanceTests
{
    private static readonly EdVerifier Verifier = new(TestGenesis);

    [Fact]
    public void Hare_equivocation_proof_names_the_signer_and_round_trips()
    {
        using var signer = Signer(11);
        var a = HareMsg(50, new IterRound(0, HareRound.Preround), Proposals(1, 2));
        var b = HareMsg(50, new IterRound(0, HareRound.Preround), Proposals(1, 3));
        a.Sign(signer);
        b.Sign(signer);

        var proof = MalfeasanceProofs.HareEquivocation(a, b);
        Assert.Equal(MalfeasanceProof.HareEquivocation, proof.Type);
        Assert.Equal(new LayerId(50), proof.Layer);
        Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(proof, Verifier, out var guilty));
        Assert.Equal(signer.NodeId, guilty);

        // Layout: Layer compact32, type byte, then two {HareMetadata, SmesherID, Signature}.
        var bytes = proof.ToBytes();
        Assert.Equal(1 + 1 + (2 * (1 + 1 + 32 + 32 + 64)), bytes.Length);
        Assert.Equal(new byte[] { 50 << 2, 3, 50 << 2, 0 }, bytes[..4]);
        Assert.Equal(a.BodyHash().ToArray(), bytes[4..36]);
        var decoded = MalfeasanceProof.Decode(bytes);
        Assert.Equal(bytes, decoded.ToBytes());
        Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(decoded, Verifier, out guilty));
        Assert.Equal(signer.NodeId, guilty);
        AssertEveryTruncationFails(bytes, x => MalfeasanceProof.Decode(x));

        // One changed byte in either signature voids the proof.
        foreach (var at in new[] { 4 + 32 + 32 + 10, bytes.Length - 1 })
        {
            var bad = (byte[])bytes.Clone();
            bad[at] ^= 1;
            Assert.Equal(MalfeasanceVerdict.InvalidSignature, MalfeasanceProofs.Verify(MalfeasanceProof.Decode(bad), Verifier, out guilty));
            Assert.Equal(default, guilty);
        }
    }

    [Fact]
    public void Hare_messages_that_do_not_conflict_prove_nothing()
    {
        using var signer = Signer(12);
        using var other = Signer(13);
        var a = HareMsg(50, new IterRound(0, HareRound.Preround), Proposals(1));
        var b = HareMsg(50, new IterRound(0, HareRound.Propose), Proposals(2));
        var c = HareMsg(50, new IterRound(0, HareRound.Preround), Proposals(2));
        a.Sign(signer);
        b.Sign(signer);
        c.Sign(other);
        Assert.Throws<ArgumentException>(() => MalfeasanceProofs.HareEquivocation(a, b));
        Assert.Throws<ArgumentException>(() => MalfeasanceProofs.HareEquivocation(a, c));
        Assert.Throws<ArgumentException>(() => MalfeasanceProofs.HareEquivocation(a, a));

        // Hand-built proofs for the same cases are refused by the verifier.
        Assert.Equal(MalfeasanceVerdict.NotSameSlot, Verify(new HareProof(a.ToProofMessage(), b.ToProofMessage())));
        Assert.Equal(MalfeasanceVerdict.DifferentSigners, Verify(new HareProof(a.ToProofMessage(), c.ToProofMessage())));
        Assert.Equal(MalfeasanceVerdict.SameContent, Verify(new HareProof(a.ToProofMessage(), a.ToProofMessage())));
    }

    [Fact]
    public void Ballot_proof_needs_two_ballot_signatures_in_one_layer()
    {
        using var signer = Signer(14);
        var first = Ballot(layer: 900);
        var second = Ballot(layer: 900, withEpochData: false);
        first.Sign(signer);
        second.Sign(signer);
        var proof = MalfeasanceProofs.MultipleBallots(first, second);
        Assert.Equal(MalfeasanceProof.MultipleBallots, proof.Type);
        var decoded = MalfeasanceProof.Decode(proof.ToBytes());
        Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(decoded, Verifier, out var guilty));
        Assert.Equal(signer.NodeId, guilty);

        // The same metadata signed in the hare domain is not a ballot signature.
        var asHare = new SignedProofMessage<BallotMetadata>(first.Metadata(), signer.NodeId,
            new EdSignature(signer.Sign(SignatureDomain.Hare, first.SignedBytes())));
        Assert.Equal(MalfeasanceVerdict.InvalidSignature,
            Verify(new BallotProof(asHare, new SignedProofMessage<BallotMetadata>(second.Metadata(), signer.NodeId, second.Signature))));

        var later = Ballot(layer: 901);
        later.Sign(signer);
        Assert.Throws<ArgumentException>(() => MalfeasanceProofs.MultipleBallots(first, later));
    }

    [Fact]
    public void Atx_proof_is_checked_in_the_atx_domain_over_atx_metadata()
    {
        using var signer = Signer(15);
        SignedProofMessage<AtxMetadata> Signed(EpochId epoch, byte id)
        {
            var metadata = new AtxMetadata(epoch, H32(id));
            return new SignedProofMessage<AtxMetadata>(metadata, signer.NodeId, new EdSignature(signer.Sign(SignatureDomain.Atx, metadata.ToBytes())));
        }

        var proof = new MalfeasanceProof(new LayerId(4 * 4032), new AtxProof(Signed(new EpochId(4), 1), Signed(new EpochId(4), 2)));
        var bytes = proof.ToBytes();
        Assert.Equal(1, bytes[2]); // layer 16128 in compact's two-byte mode, then type 1
        var decoded = MalfeasanceProof.Decode(bytes);
        Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(decoded, Verifier, out var guilty));
        Assert.Equal(signer.NodeId, guilty);
        Assert.Equal(MalfeasanceVerdict.NotSameSlot,
            Verify(new AtxProof(Signed(new EpochId(4), 1), Signed(new EpochId(5), 2))));
        Assert.Equal(MalfeasanceVerdict.SameContent,
            Verify(new AtxProof(Signed(new EpochId(4), 1), Signed(new EpochId(4), 1))));

        // The existing V1 encoder of ATX proofs writes the same bytes.
        var legacy = Prover.Node.Validation.AtxMalfeasance.Encode(MalfeasanceProof.MultipleAtxs, 4 * 4032, signer.NodeId,
            (new EpochId(4), new AtxId(H32(1)), Signed(new EpochId(4), 1).Signature),
            (new EpochId(4), new AtxId(H32(2)), Signed(new EpochId(4), 2).Signature));
        Assert.Equal(legacy, bytes);
    }

    [Fact]
    public void Unknown_proof_type_is_refused_on_decode()
    {
        var bytes = new byte[] { 1 << 2, 9 };
        var e = Assert.Throws<ScaleDecodeException>(() => MalfeasanceProof.Decode(bytes));
        Assert.Contains("unknown malfeasance proof type", e.Message);
    }

    [Fact]
    public void Gossip_wraps_the_proof_with_an_optional_legacy_eligibility()
    {
        using var signer = Signer(16);
        var a = HareMsg(8, new IterRound(1, HareRound.Commit), Reference(1));
        var b = HareMsg(8, new IterRound(1, HareRound.Commit), Reference(2));
        a.Sign(signer);
        b.Sign(signer);
        var proof = MalfeasanceProofs.HareEquivocation(a, b);

        var plain = new MalfeasanceGossip { Proof = proof }.ToBytes();
        Assert.Equal(proof.ToBytes().Concat(new byte[] { 0 }).ToArray(), plain);
        Assert.Null(MalfeasanceGossip.Decode(plain).Eligibility);

        var withEligibility = new MalfeasanceGossip
        {
            Proof = proof,
            Eligibility = new HareEligibilityGossip
            {
                Layer = new LayerId(8),
                Round = 13,
                NodeId = signer.NodeId,
                Eligibility = new HareEligibility(VrfSig(3), 2),
            },
        }.ToBytes();
        var decoded = MalfeasanceGossip.Decode(withEligibility);
        Assert.Equal(withEligibility, decoded.ToBytes());
        Assert.Equal(13u, decoded.Eligibility!.Round);
        AssertEveryTruncationFails(withEligibility, x => MalfeasanceGossip.Decode(x));
    }

    private static MalfeasanceVerdict Verify(MalfeasanceProofData data) =>
        MalfeasanceProofs.Verify(new MalfeasanceProof(default, data), Verifier, out _);
}
