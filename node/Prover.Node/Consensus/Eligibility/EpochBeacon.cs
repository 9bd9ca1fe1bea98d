using System.Buffers.Binary;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// The node's epoch beacon: a documented deterministic rule instead of go-spacemesh's beacon protocol (mainnet runs
/// that protocol with zero rounds too; NODE.md §3.3 lists this as a safe simplification). Every node computes the
/// same value from the GenesisID alone, so no sync or vote is needed:
/// <list type="bullet">
/// <item>epochs up to and including <see cref="FirstAtxTargetEpoch"/> (2): <c>GenesisID[0:4]</c>, the value
/// go-spacemesh's standalone preset uses for its first epoch;</item>
/// <item>later epochs: <c>BLAKE3(GenesisID ‖ "beacon" ‖ epoch as u32 little-endian)[0:4]</c>.</item>
/// </list>
/// Cost, stated plainly: the beacon is predictable from genesis on, for every epoch. It cannot be ground by whoever
/// publishes the last ATXs (it depends on nothing they choose), and an identity cannot search for a favourable VRF
/// output either, because its ballot and hare VRF inputs combine the beacon with its ATX's VRF nonce, which is fixed by
/// its PoST initialization; changing it means initializing PoST again (and its identity and weight follow its ATX).
/// What is lost compared with a random beacon is only unpredictability: everyone can compute, epochs ahead, which
/// layers an identity will be eligible in, which matters only against adaptive attackers of a known proposer.
/// </summary>
public static class EpochBeacon
{
    /// <summary>The first epoch ATXs target (ATXs published in epoch 1); beacons up to it are GenesisID[0:4].</summary>
    public const uint FirstAtxTargetEpoch = 2;

    private static readonly byte[] Domain = "beacon"u8.ToArray();

    /// <summary>The beacon of <paramref name="epoch"/> for the network of <paramref name="genesis"/>.</summary>
    public static Beacon For(GenesisId genesis, EpochId epoch)
    {
        if (epoch.Value <= FirstAtxTargetEpoch)
        {
            return new Beacon(genesis.Span[..Beacon.Length]);
        }

        Span<byte> input = stackalloc byte[GenesisId.Length + 6 + 4];
        genesis.Span.CopyTo(input);
        Domain.CopyTo(input[GenesisId.Length..]);
        BinaryPrimitives.WriteUInt32LittleEndian(input[(GenesisId.Length + 6)..], epoch.Value);
        Span<byte> hash = stackalloc byte[32];
        Prover.Core.Crypto.Blake3.Hash(input, hash);
        return new Beacon(hash[..Beacon.Length]);
    }
}
