namespace Prover.Node.Signing;

/// <summary>
/// Which edge cases an ed25519 verifier accepts, in curve25519-voi's terms (<c>primitives/ed25519/ed25519.go</c>
/// <c>VerifyOptions</c>). The presets reproduce voi's four: <see cref="Default"/> is what go-spacemesh verifies every
/// signature with; <see cref="GoStdlib"/> is Go's <c>crypto/ed25519</c>, which the PoET uses for registrations
/// (vectors/node/README.md, "Signing" and "PoET / Registration").
/// </summary>
/// <param name="AllowSmallOrderA">Accept a public key of small order (one whose [8]A is the identity).</param>
/// <param name="AllowSmallOrderR">Accept a small-order R.</param>
/// <param name="AllowNonCanonicalA">Accept a non-canonical encoding of A (y ≥ p, or x = 0 with the sign bit set).</param>
/// <param name="AllowNonCanonicalR">Accept a non-canonical encoding of R.</param>
/// <param name="Cofactorless">Check <c>[S]B = R + [k]A</c> rather than <c>[8][S]B = [8]R + [8][k]A</c>.</param>
public sealed record Ed25519VerifyOptions(
    bool AllowSmallOrderA,
    bool AllowSmallOrderR,
    bool AllowNonCanonicalA,
    bool AllowNonCanonicalR,
    bool Cofactorless)
{
    /// <summary>
    /// curve25519-voi <c>VerifyOptionsDefault</c>, go-spacemesh's rule: cofactored; rejects small-order and
    /// non-canonical A and non-canonical R; accepts small-order R.
    /// </summary>
    public static Ed25519VerifyOptions Default { get; } = new(false, true, false, false, false);

    /// <summary>Go's standard <c>crypto/ed25519</c>: cofactorless; accepts small-order and non-canonical A.</summary>
    public static Ed25519VerifyOptions GoStdlib { get; } = new(true, true, true, false, true);

    /// <summary>curve25519-voi <c>VerifyOptionsFIPS_186_5</c>: cofactored, canonical A and R, small orders allowed.</summary>
    public static Ed25519VerifyOptions Fips1865 { get; } = new(true, true, false, false, false);

    /// <summary>curve25519-voi <c>VerifyOptionsZIP_215</c>: cofactored, any encodings and orders.</summary>
    public static Ed25519VerifyOptions Zip215 { get; } = new(true, true, true, true, false);
}
