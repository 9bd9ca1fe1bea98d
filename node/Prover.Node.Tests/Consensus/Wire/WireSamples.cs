using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Types;

namespace Prover.Node.Tests.Consensus.Wire;

/// <summary>Deterministic sample values for the wire tests.</summary>
internal static class WireSamples
{
    public static GenesisId TestGenesis => GenesisConfig.Mainnet.GenesisId;

    public static EdSigner Signer(byte seed) => EdSigner.FromSeed(Enumerable.Repeat(seed, 32).ToArray(), TestGenesis);

    public static Hash32 H32(byte fill) => new(Enumerable.Repeat(fill, 32).ToArray());

    public static Hash20 H20(byte fill) => new(Enumerable.Repeat(fill, 20).ToArray());

    public static VrfSignature VrfSig(byte fill) => new(Enumerable.Range(0, 80).Select(i => (byte)(fill + i)).ToArray());

    public static Ballot Ballot(uint layer = 1234, bool withEpochData = true, int proofs = 2) => new()
    {
        Inner = new InnerBallot
        {
            Layer = new LayerId(layer),
            AtxId = new AtxId(H32(0xA1)),
            OpinionHash = H32(0x0B),
            RefBallot = withEpochData ? BallotId.Empty : new BallotId(H20(0x77)),
            EpochData = withEpochData
                ? new EpochData { ActiveSetHash = H32(0x5A), Beacon = Beacon.FromBytes([1, 2, 3, 4]), EligibilityCount = 70_000 }
                : null,
        },
        Votes = new Votes
        {
            Base = new BallotId(H20(0x42)),
            Support = [new BlockHeader(new BlockId(H20(0x10)), new LayerId(1200), 99), new BlockHeader(new BlockId(H20(0x11)), new LayerId(1201), 1UL << 40)],
            Against = [new BlockHeader(new BlockId(H20(0x12)), new LayerId(1190), 0)],
            Abstain = [new LayerId(1233), new LayerId(70_000)],
        },
        EligibilityProofs = [.. Enumerable.Range(0, proofs).Select(j => new VotingEligibility((uint)(j * 3), VrfSig((byte)j)))],
        ActiveSet = withEpochData ? [new AtxId(H32(0xC1)), new AtxId(H32(0xC2))] : [],
    };

    public static Proposal Proposal(uint layer = 1234) => new()
    {
        Inner = new InnerProposal
        {
            Ballot = Ballot(layer),
            TxIds = [H32(0xE1), H32(0xE2), H32(0xE3)],
            MeshHash = H32(0xD4),
        },
    };

    public static HareMessage HareMsg(uint layer, IterRound round, HareValue value, ushort count = 3) => new()
    {
        Body = new HareBody
        {
            Layer = new LayerId(layer),
            IterRound = round,
            Value = value,
            Eligibility = new HareEligibility(VrfSig(9), count),
        },
    };

    public static HareValue Proposals(params byte[] fills) => new() { Proposals = [.. fills.Select(f => new ProposalId(H20(f)))] };

    public static HareValue Reference(byte fill) => new() { Reference = H32(fill) };

    public static byte[] Blake3(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Prover.Core.Crypto.Blake3.Hash(data, output);
        return output;
    }

    public static void AssertEveryTruncationFails(byte[] bytes, Func<byte[], object> decode)
    {
        for (var n = 0; n < bytes.Length; n++)
        {
            var prefix = bytes[..n];
            Xunit.Assert.Throws<Prover.Node.Codec.ScaleDecodeException>(() => decode(prefix));
        }

        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        var e = Xunit.Assert.Throws<Prover.Node.Codec.ScaleDecodeException>(() => decode(longer));
        Xunit.Assert.Equal(Prover.Node.Codec.ScaleError.TrailingBytes, e.Reason);
    }
}
