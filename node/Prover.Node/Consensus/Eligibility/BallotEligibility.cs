using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>The network constants ballot eligibility depends on.</summary>
/// <param name="LayerAvgSize">Expected ballots per layer (mainnet 50).</param>
/// <param name="LayersPerEpoch">Layers in an epoch (mainnet 4032).</param>
/// <param name="MinimalActiveSetWeight">Floor of the total weight in the slot formula (mainnet 1 000 000).</param>
public sealed record BallotEligibilityConfig(uint LayerAvgSize, uint LayersPerEpoch, ulong MinimalActiveSetWeight)
{
    /// <summary>Mainnet: 50 per layer, 4032 layers per epoch, minimal active set weight 1 000 000.</summary>
    public static BallotEligibilityConfig Mainnet { get; } = new(50, 4032, 1_000_000);
}

/// <summary>One ballot eligibility proof as a ballot carries it (go-spacemesh <c>types.VotingEligibility</c>).</summary>
/// <param name="J">The slot counter.</param>
/// <param name="Sig">The 80-byte VRF proof of <see cref="VrfMessages.Voting"/> for slot <paramref name="J"/>.</param>
public sealed record BallotEligibilityProof(uint J, byte[] Sig);

/// <summary>One slot of an identity in an epoch: the proof and the layer it makes the identity eligible in.</summary>
/// <param name="J">The slot counter.</param>
/// <param name="Sig">The 80-byte VRF proof.</param>
/// <param name="Layer">The layer <see cref="BallotEligibility.EligibleLayer"/> derives from the proof.</param>
public sealed record BallotSlot(uint J, byte[] Sig, LayerId Layer);

/// <summary>The verdict on a ballot's eligibility proofs.</summary>
/// <param name="Valid">True when every proof is valid and in order.</param>
/// <param name="Layers">Each proof's eligible layer, in order (up to the first invalid one).</param>
/// <param name="Error">Why the proofs were refused; null when valid.</param>
public sealed record BallotEligibilityVerdict(bool Valid, IReadOnlyList<LayerId> Layers, string? Error);

/// <summary>
/// Proposal/ballot eligibility (go-spacemesh <c>proposals/util/util.go</c>, <c>proposals/eligibility_validator.go</c>;
/// NODE.md §2.3): an identity of ATX weight w among total weight W gets
/// <see cref="NumEligibleSlots(ulong, ulong, ulong, uint, uint)"/> slots per epoch; slot j's VRF proof picks its layer.
/// </summary>
public static class BallotEligibility
{
    /// <summary>
    /// <c>max(1, w·LayerAvgSize·LayersPerEpoch / max(minWeight, W))</c> cast to u32, where the product is u64 and
    /// wraps before the division as in Go.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">W = 0.</exception>
    public static uint NumEligibleSlots(ulong weight, ulong minWeight, ulong totalWeight, uint layerAvgSize, uint layersPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfZero(totalWeight);
        var slots = unchecked(weight * layerAvgSize * layersPerEpoch) / Math.Max(minWeight, totalWeight);
        return slots == 0 ? 1 : unchecked((uint)slots);
    }

    /// <summary><see cref="NumEligibleSlots(ulong, ulong, ulong, uint, uint)"/> with a network's constants.</summary>
    public static uint NumEligibleSlots(ulong weight, ulong totalWeight, BallotEligibilityConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return NumEligibleSlots(weight, config.MinimalActiveSetWeight, totalWeight, config.LayerAvgSize, config.LayersPerEpoch);
    }

    /// <summary>The layer a proof makes its identity eligible in: <c>epoch.FirstLayer + LE_u64(π[0:8]) mod LPE</c>.</summary>
    /// <exception cref="ArgumentException">Fewer than 8 bytes.</exception>
    public static LayerId EligibleLayer(EpochId epoch, uint layersPerEpoch, ReadOnlySpan<byte> vrfSignature)
    {
        ArgumentOutOfRangeException.ThrowIfZero(layersPerEpoch);
        if (vrfSignature.Length < 8)
        {
            throw new ArgumentException("a VRF signature has at least 8 bytes", nameof(vrfSignature));
        }

        var offset = BinaryPrimitives.ReadUInt64LittleEndian(vrfSignature) % layersPerEpoch;
        return new LayerId(checked(epoch.FirstLayer(layersPerEpoch).Value + (uint)offset));
    }

    /// <summary>
    /// The eligibility oracle for the signer: every slot j &lt; <see cref="NumEligibleSlots(ulong, ulong, BallotEligibilityConfig)"/>
    /// with its proof and layer, in j order (a ballot carries the proofs of one layer, j increasing).
    /// </summary>
    public static IReadOnlyList<BallotSlot> Slots(
        VrfSigner signer,
        EpochId epoch,
        Beacon beacon,
        ulong vrfNonce,
        ulong weight,
        ulong totalWeight,
        BallotEligibilityConfig config)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var count = NumEligibleSlots(weight, totalWeight, config);
        var slots = new BallotSlot[count];
        for (var j = 0u; j < count; j++)
        {
            var sig = signer.Sign(VrfMessages.Voting(beacon, epoch, vrfNonce, j));
            slots[j] = new BallotSlot(j, sig, EligibleLayer(epoch, config.LayersPerEpoch, sig));
        }

        return slots;
    }

    /// <summary>The slots of <see cref="Slots"/> that fall in <paramref name="layer"/>.</summary>
    public static IReadOnlyList<BallotSlot> SlotsIn(IEnumerable<BallotSlot> slots, LayerId layer) =>
        [.. slots.Where(s => s.Layer == layer)];

    /// <summary>
    /// Checks a ballot's proofs as go-spacemesh's validator does once the reference ballot fixed
    /// <paramref name="eligibilityCount"/>: at least one proof, each <c>j &lt; eligibilityCount</c>, j strictly
    /// increasing, each π the identity's VRF proof of slot j's message. Returns each proof's layer; the caller checks
    /// they equal the ballot's layer (and that <paramref name="eligibilityCount"/> equals
    /// <see cref="NumEligibleSlots(ulong, ulong, BallotEligibilityConfig)"/> of the ATX weight).
    /// </summary>
    public static BallotEligibilityVerdict Validate(
        NodeId nodeId,
        IReadOnlyList<BallotEligibilityProof> proofs,
        Beacon beacon,
        EpochId epoch,
        ulong vrfNonce,
        uint eligibilityCount,
        uint layersPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(proofs);
        var layers = new List<LayerId>(proofs.Count);
        if (proofs.Count == 0)
        {
            return new BallotEligibilityVerdict(false, layers, "empty eligibility list");
        }

        uint last = 0;
        for (var i = 0; i < proofs.Count; i++)
        {
            var proof = proofs[i];
            if (proof.J >= eligibilityCount)
            {
                return new BallotEligibilityVerdict(false, layers, $"proof counter {proof.J} not below eligibility count {eligibilityCount}");
            }

            if (i > 0 && proof.J <= last)
            {
                return new BallotEligibilityVerdict(false, layers, $"proofs out of order: {proof.J} <= {last}");
            }

            last = proof.J;
            if (proof.Sig is null || proof.Sig.Length != EcVrf.ProofSize
                || !VrfVerifier.Verify(nodeId, VrfMessages.Voting(beacon, epoch, vrfNonce, proof.J), proof.Sig))
            {
                return new BallotEligibilityVerdict(false, layers, $"proof {proof.J}: incorrect VRF signature");
            }

            layers.Add(EligibleLayer(epoch, layersPerEpoch, proof.Sig));
        }

        return new BallotEligibilityVerdict(true, layers, null);
    }

    /// <summary>
    /// <see cref="Validate"/> plus the layer rule: valid only when every proof's layer is <paramref name="ballotLayer"/>.
    /// </summary>
    public static BallotEligibilityVerdict ValidateForLayer(
        NodeId nodeId,
        IReadOnlyList<BallotEligibilityProof> proofs,
        Beacon beacon,
        EpochId epoch,
        ulong vrfNonce,
        uint eligibilityCount,
        uint layersPerEpoch,
        LayerId ballotLayer)
    {
        var verdict = Validate(nodeId, proofs, beacon, epoch, vrfNonce, eligibilityCount, layersPerEpoch);
        if (!verdict.Valid)
        {
            return verdict;
        }

        var wrong = verdict.Layers.Select((l, i) => (l, i)).FirstOrDefault(t => t.l != ballotLayer, (default, -1));
        return wrong.i < 0
            ? verdict
            : verdict with { Valid = false, Error = $"proof {proofs[wrong.i].J} is for layer {wrong.l}, ballot is in {ballotLayer}" };
    }
}
