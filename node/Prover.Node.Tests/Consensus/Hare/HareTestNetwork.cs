using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Hare;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Tests.Consensus.Hare;

/// <summary>
/// A fixed-seat hare oracle for tests: every listed identity holds the same number of seats in every round, proven with
/// its real ECVRF over go-spacemesh's hare VRF message <c>{Type=2 compact16, Beacon [4], Round compact32, Layer
/// compact32}</c>. (The elig helper's oracle draws the seats from ATX weight instead.)
/// </summary>
internal sealed class FixedSeatOracle(Beacon beacon, IReadOnlyDictionary<NodeId, ushort> seats) : IHareOracle
{
    public static byte[] VrfMessage(Beacon beacon, LayerId layer, IterRound round)
    {
        var writer = new ScaleWriter(64);
        try
        {
            writer.WriteCompact16(2);
            Span<byte> b = stackalloc byte[Beacon.Length];
            beacon.CopyTo(b);
            writer.WriteFixed(b);
            writer.WriteCompact32(round.Absolute);
            writer.WriteCompact32(layer.Value);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public HareEligibility? Active(VrfSigner signer, LayerId layer, IterRound round) =>
        seats.TryGetValue(signer.NodeId, out var count) && count > 0
            ? new HareEligibility(new VrfSignature(signer.Sign(VrfMessage(beacon, layer, round))), count)
            : null;

    public HareGrade Validate(HareMessage message) =>
        seats.TryGetValue(message.Sender, out var count)
        && count == message.Body.Eligibility.Count
        && VrfVerifier.Verify(message.Sender, VrfMessage(beacon, message.Layer, message.IterRound), message.Body.Eligibility.Proof.Span)
            ? HareGrade.Grade5
            : HareGrade.Grade0;
}

/// <summary>
/// N hare instances on one layer joined by a perfect in-memory network: each tick, every instance executes its round,
/// and every message sent is delivered to every instance (sender included) before the next tick.
/// </summary>
internal sealed class HareTestNetwork : IDisposable
{
    private readonly List<EdSigner> _signers = [];
    private readonly List<VrfSigner> _vrfs = [];

    public HareTestNetwork(int participants, ushort seatsEach, ushort committee, Func<int, IEnumerable<ProposalId>> initial, uint layer = 21)
    {
        Layer = new LayerId(layer);
        Verifier = new EdVerifier(Wire.WireSamples.TestGenesis);
        for (var i = 0; i < participants; i++)
        {
            _signers.Add(Wire.WireSamples.Signer((byte)(i + 1)));
            _vrfs.Add(new VrfSigner(_signers[i]));
        }

        var seats = _signers.ToDictionary(s => s.NodeId, _ => seatsEach);
        Oracle = new FixedSeatOracle(Beacon.FromBytes([9, 8, 7, 6]), seats);
        Nodes = [.. Enumerable.Range(0, participants).Select(i =>
            new HareInstance(Layer, new HareSettings(committee), _signers[i], _vrfs[i], Oracle, initial(i)))];
    }

    public LayerId Layer { get; }

    public EdVerifier Verifier { get; }

    public FixedSeatOracle Oracle { get; }

    public IReadOnlyList<HareInstance> Nodes { get; }

    /// <summary>Every message gossiped, in order.</summary>
    public List<HareMessage> Sent { get; } = [];

    /// <summary>Every equivocation proof any instance produced.</summary>
    public List<(int Node, MalfeasanceProof Proof)> Proofs { get; } = [];

    public EdSigner Signer(int node) => _signers[node];

    /// <summary>
    /// Runs until every instance completes (or <paramref name="maxTicks"/>). <paramref name="silent"/> nodes send nothing;
    /// <paramref name="extra"/> may add messages a node sends in a tick (e.g. a second, conflicting one).
    /// </summary>
    public int Run(ISet<int>? silent = null, Func<int, HareMessage, IEnumerable<HareMessage>>? extra = null, int maxTicks = 60)
    {
        var ticks = 0;
        while (ticks < maxTicks && Nodes.Any(n => !n.Completed))
        {
            ticks++;
            var outgoing = new List<HareMessage>();
            for (var i = 0; i < Nodes.Count; i++)
            {
                var step = Nodes[i].Next();
                if (silent?.Contains(i) == true)
                {
                    continue;
                }

                foreach (var message in step.Messages)
                {
                    outgoing.Add(message);
                    if (extra is not null)
                    {
                        outgoing.AddRange(extra(i, message));
                    }
                }
            }

            foreach (var message in outgoing)
            {
                Sent.Add(message);
                var wire = message.ToBytes();
                for (var i = 0; i < Nodes.Count; i++)
                {
                    var result = Nodes[i].Receive(HareMessage.Decode(wire), Verifier);
                    if (result.Proof is not null)
                    {
                        Proofs.Add((i, result.Proof));
                    }
                }
            }
        }

        return ticks;
    }

    public void Dispose()
    {
        foreach (var vrf in _vrfs)
        {
            vrf.Dispose();
        }

        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }
}
