using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>The eligibility types that open every VRF message (go-spacemesh <c>types.EligibilityType</c>).</summary>
public enum EligibilityType : ushort
{
    /// <summary>Beacon protocol proposal.</summary>
    Beacon = 1,

    /// <summary>Hare committee membership.</summary>
    Hare = 2,

    /// <summary>Ballot/proposal slots ("Voting").</summary>
    Voting = 3,

    /// <summary>Beacon weak coin.</summary>
    BeaconWeakCoin = 4,
}

/// <summary>
/// The SCALE-encoded messages an identity proves with its VRF (vectors/node/README.md "VRF message encodings"). All
/// integers are compact; the beacon is 4 raw bytes.
/// </summary>
public static class VrfMessages
{
    /// <summary>Ballot slot j: <c>{Type=3 c16, Beacon[4], Epoch c32, Nonce c64 (the ATX VRF nonce), Counter c32 = j}</c>.</summary>
    public static byte[] Voting(Beacon beacon, EpochId epoch, ulong vrfNonce, uint counter)
    {
        using var w = new ScaleWriter(stackalloc byte[32]);
        w.WriteCompact16((ushort)EligibilityType.Voting);
        w.WriteFixed(BeaconBytes(beacon));
        w.WriteCompact32(epoch.Value);
        w.WriteCompact64(vrfNonce);
        w.WriteCompact32(counter);
        return w.ToArray();
    }

    /// <summary>Hare: <c>{Type=2 c16, Beacon[4], Round c32 (absolute), Layer c32}</c>.</summary>
    public static byte[] Hare(Beacon beacon, uint round, LayerId layer)
    {
        using var w = new ScaleWriter(stackalloc byte[32]);
        w.WriteCompact16((ushort)EligibilityType.Hare);
        w.WriteFixed(BeaconBytes(beacon));
        w.WriteCompact32(round);
        w.WriteCompact32(layer.Value);
        return w.ToArray();
    }

    /// <summary>Beacon proposal: <c>{Type=1 c16, Nonce c64, Epoch c32}</c>.</summary>
    public static byte[] BeaconProposal(EpochId epoch, ulong vrfNonce)
    {
        using var w = new ScaleWriter(stackalloc byte[32]);
        w.WriteCompact16((ushort)EligibilityType.Beacon);
        w.WriteCompact64(vrfNonce);
        w.WriteCompact32(epoch.Value);
        return w.ToArray();
    }

    /// <summary>Weak coin: <c>{Type=4 c16, Nonce c64, Epoch c32, Round c32, Unit c32}</c>.</summary>
    public static byte[] WeakCoin(EpochId epoch, ulong vrfNonce, uint round, uint unit)
    {
        using var w = new ScaleWriter(stackalloc byte[40]);
        w.WriteCompact16((ushort)EligibilityType.BeaconWeakCoin);
        w.WriteCompact64(vrfNonce);
        w.WriteCompact32(epoch.Value);
        w.WriteCompact32(round);
        w.WriteCompact32(unit);
        return w.ToArray();
    }

    private static byte[] BeaconBytes(Beacon beacon) => beacon.ToArray();
}
