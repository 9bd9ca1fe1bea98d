using Prover.Node.Consensus.Wire;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Hare;

/// <summary>
/// A message's grade in hare3's graded gossip, 0 (worthless) to 5 (best). Used both for the grade an ATX gives its
/// owner's messages (go-spacemesh <c>atxgrade</c>) and for how early a message arrived.
/// </summary>
public enum HareGrade : byte
{
    /// <summary>Not eligible, or too late to count.</summary>
    Grade0 = 0,

    /// <summary>Grade 1.</summary>
    Grade1 = 1,

    /// <summary>Grade 2.</summary>
    Grade2 = 2,

    /// <summary>Grade 3.</summary>
    Grade3 = 3,

    /// <summary>Grade 4.</summary>
    Grade4 = 4,

    /// <summary>Grade 5: an eligible identity whose ATX arrived in time.</summary>
    Grade5 = 5,
}

/// <summary>
/// Hare eligibility, injected into <see cref="HareInstance"/> (go-spacemesh <c>hare3/legacy_oracle.go</c>): the committee
/// for a layer is drawn by VRF over <c>{Type=2, Beacon, Round=absolute, Layer}</c>, weighted by ATX weight. An
/// implementation uses the full committee for every round except <see cref="HareRound.Propose"/>, which uses the leaders
/// committee (5 on mainnet).
/// </summary>
public interface IHareOracle
{
    /// <summary>
    /// This identity's eligibility for <paramref name="round"/> of <paramref name="layer"/>: its VRF proof and seat count,
    /// or null when it holds no seat (go-spacemesh <c>active</c>).
    /// </summary>
    HareEligibility? Active(VrfSigner signer, LayerId layer, IterRound round);

    /// <summary>
    /// Checks a received message's eligibility (proof and count for its sender, layer and round; a count of 0 is never
    /// eligible). Returns <see cref="HareGrade.Grade0"/> when it is not eligible, otherwise the grade of the sender's ATX
    /// (<see cref="HareGrade.Grade5"/> for one that arrived in time).
    /// </summary>
    HareGrade Validate(HareMessage message);
}

/// <summary>What the node knows about a received message before hare weighs it.</summary>
/// <param name="Grade">The eligibility grade (<see cref="IHareOracle.Validate"/>); <see cref="HareGrade.Grade0"/> drops the message.</param>
/// <param name="Malicious">The sender is already known to be malicious: its messages never count as an honest vote.</param>
public readonly record struct HareVerdict(HareGrade Grade, bool Malicious = false)
{
    /// <summary>An eligible sender with a timely ATX, not known to be malicious.</summary>
    public static HareVerdict Eligible => new(HareGrade.Grade5);

    /// <summary>A sender that is not eligible.</summary>
    public static HareVerdict NotEligible => new(HareGrade.Grade0);
}
