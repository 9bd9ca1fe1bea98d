namespace Prover.Node.Signing;

/// <summary>
/// The domain byte go-spacemesh puts between the GenesisID prefix and the message it signs (<c>signing/signer.go</c>;
/// NODE.md "Signatures"). Hare messages and block certificates both use <see cref="Hare"/>.
/// </summary>
public enum SignatureDomain : byte
{
    /// <summary>ATXs (the ATX id, or V1's metadata).</summary>
    Atx = 0,

    /// <summary>Proposals.</summary>
    Proposal = 1,

    /// <summary>Ballots.</summary>
    Ballot = 2,

    /// <summary>Hare messages and block certificates.</summary>
    Hare = 3,

    /// <summary>PoET registrations (the challenge).</summary>
    Poet = 4,

    /// <summary>Marriage certificates (the SmesherID of the ATX that carries them).</summary>
    Marriage = 5,

    /// <summary>Beacon protocol: first-round votes.</summary>
    BeaconFirstMessage = 10,

    /// <summary>Beacon protocol: follow-up votes.</summary>
    BeaconFollowupMessage = 11,
}
