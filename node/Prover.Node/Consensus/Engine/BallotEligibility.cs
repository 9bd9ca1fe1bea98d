using System.Buffers.Binary;
using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// Ballot eligibility as go-spacemesh computes it (<c>proposals/util/util.go</c>, NODE.md §2.3): the slot count of a
/// smesher in an epoch, the VRF message of slot j, and the layer a slot's VRF proof falls in.
/// </summary>
internal static class BallotEligibility
{
    /// <summary><c>max(1, weight·avg·lpe / max(minWeight, total))</c>, the product wrapping in u64 as upstream.</summary>
    public static uint NumSlots(ulong weight, ulong totalWeight, ulong minimalWeight, uint layerAvgSize, uint layersPerEpoch)
    {
        ulong product = unchecked(weight * layerAvgSize * layersPerEpoch);
        ulong slots = product / Math.Max(Math.Max(minimalWeight, totalWeight), 1);
        return slots == 0 ? 1 : (uint)slots;
    }

    /// <summary><c>scale(VrfMessage{Type=3 compact16, Beacon[4], Epoch compact32, Nonce compact64, Counter compact32})</c>.</summary>
    public static byte[] VrfMessage(Beacon beacon, EpochId epoch, ulong nonce, uint counter)
    {
        var writer = new ScaleWriter(64);
        try
        {
            writer.WriteCompact16(3);
            Span<byte> b = stackalloc byte[Beacon.Length];
            beacon.CopyTo(b);
            writer.WriteFixed(b);
            writer.WriteCompact32(epoch.Value);
            writer.WriteCompact64(nonce);
            writer.WriteCompact32(counter);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The layer of a slot: <c>epoch.FirstLayer + LE_u64(π[0:8]) mod lpe</c>.</summary>
    public static LayerId EligibleLayer(EpochId epoch, uint layersPerEpoch, ReadOnlySpan<byte> proof) =>
        new(checked(epoch.Value * layersPerEpoch + (uint)(BinaryPrimitives.ReadUInt64LittleEndian(proof) % layersPerEpoch)));

    /// <summary>Every slot of a smesher in an epoch, proved with its ed25519 seed: (j, π, layer).</summary>
    public static List<(uint J, VrfSignature Proof, LayerId Layer)> Slots(
        ReadOnlySpan<byte> seed, Beacon beacon, EpochId epoch, ulong nonce, uint slots, uint layersPerEpoch)
    {
        var result = new List<(uint, VrfSignature, LayerId)>((int)slots);
        for (uint j = 0; j < slots; j++)
        {
            var proof = EcVrf.Prove(seed, VrfMessage(beacon, epoch, nonce, j));
            result.Add((j, new VrfSignature(proof), EligibleLayer(epoch, layersPerEpoch, proof)));
        }

        return result;
    }
}
