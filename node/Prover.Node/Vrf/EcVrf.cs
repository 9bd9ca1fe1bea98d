using System.Security.Cryptography;
using Prover.Node.Signing;

namespace Prover.Node.Vrf;

/// <summary>Which ECVRF challenge to compute: RFC 9381 (draft v11 and later, hashes Y) or draft v10 (without Y).</summary>
public enum EcVrfVersion
{
    /// <summary>RFC 9381 / draft v11+: what curve25519-voi's <c>Prove</c>/<c>Verify</c> and go-spacemesh use.</summary>
    Rfc9381,

    /// <summary>Draft v10 (curve25519-voi's <c>*_v10</c>): the challenge omits the public key.</summary>
    Draft10,
}

/// <summary>
/// ECVRF-EDWARDS25519-SHA512-ELL2 (suite 0x04) as curve25519-voi computes it
/// (<c>primitives/ed25519/extra/ecvrf/ecvrf.go</c>; vectors/node/README.md "ECVRF"), on libsodium's point and scalar
/// operations and the BCL's SHA-512. The proof π = Gamma[32] ‖ c[16] ‖ s[32] is deterministic; go-spacemesh uses π
/// itself as its "VRF signature" (not β).
/// </summary>
public static class EcVrf
{
    /// <summary>Bytes of a proof π.</summary>
    public const int ProofSize = 80;

    /// <summary>Bytes of the output β.</summary>
    public const int OutputSize = 64;

    private const byte Suite = 0x04;

    /// <summary>The encode-to-curve domain: "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_" ‖ suite.</summary>
    internal static ReadOnlySpan<byte> HashToCurveDst => "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_\u0004"u8;

    /// <summary>
    /// The proof of <paramref name="alpha"/> under the key of the 32-byte ed25519 <paramref name="seed"/>:
    /// x = clamp(SHA-512(seed)[0:32]), H = encode_to_curve(Y ‖ α), Γ = [x]H, k = SHA-512(SHA-512(seed)[32:64] ‖ H) mod L,
    /// c = challenge(Y, H, Γ, [k]B, [k]H), s = k + c·x mod L.
    /// </summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static byte[] Prove(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> alpha, EcVrfVersion version = EcVrfVersion.Rfc9381)
    {
        if (seed.Length != Ed25519.SeedSize)
        {
            throw new ArgumentException($"an ed25519 seed is {Ed25519.SeedSize} bytes, got {seed.Length}", nameof(seed));
        }

        Span<byte> expanded = stackalloc byte[64];
        Span<byte> x = stackalloc byte[32];
        try
        {
            SHA512.HashData(seed, expanded);
            expanded[..32].CopyTo(x);
            x[0] &= 248;
            x[31] &= 127;
            x[31] |= 64;

            Span<byte> y = stackalloc byte[32];
            EdPoint.MulBase(x, y);
            var h = EncodeToCurveH(y, alpha);

            Span<byte> gamma = stackalloc byte[32];
            EdPoint.MulPrimeOrder(x, h, gamma);

            Span<byte> k = stackalloc byte[32];
            EdPoint.HashToScalar(k, expanded[32..], h, default);
            Span<byte> u = stackalloc byte[32];
            Span<byte> v = stackalloc byte[32];
            EdPoint.MulBase(k, u);
            EdPoint.MulPrimeOrder(k, h, v);

            Span<byte> c = stackalloc byte[32];
            c.Clear();
            Challenge(version, y, h, gamma, u, v, c[..16]);

            Span<byte> cx = stackalloc byte[32];
            EdPoint.ScalarMul(c, x, cx);
            var proof = new byte[ProofSize];
            gamma.CopyTo(proof);
            c[..16].CopyTo(proof.AsSpan(32));
            EdPoint.ScalarAdd(k, cx, proof.AsSpan(48));
            CryptographicOperations.ZeroMemory(k);
            return proof;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
            CryptographicOperations.ZeroMemory(x);
        }
    }

    /// <summary>True when <paramref name="proof"/> proves <paramref name="alpha"/> under <paramref name="publicKey"/>.</summary>
    public static bool Verify(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> alpha,
        ReadOnlySpan<byte> proof,
        EcVrfVersion version = EcVrfVersion.Rfc9381) =>
        Verify(publicKey, alpha, proof, default, version);

    /// <summary>
    /// Verifies as curve25519-voi does and, when valid and <paramref name="output"/> is 64 bytes, writes β. Rejects a
    /// proof that is not 80 bytes, a non-canonical or small-order public key, a Γ that is not a canonical point, and
    /// s ≥ L.
    /// </summary>
    public static bool Verify(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> alpha,
        ReadOnlySpan<byte> proof,
        Span<byte> output,
        EcVrfVersion version = EcVrfVersion.Rfc9381)
    {
        if (publicKey.Length != Ed25519.PublicKeySize || proof.Length != ProofSize)
        {
            return false;
        }

        Span<byte> y = stackalloc byte[32];
        if (!EdPoint.TryDecode(publicKey, y) || !y.SequenceEqual(publicKey) || EdPoint.IsSmallOrder(y))
        {
            return false;
        }

        var gammaBytes = proof[..32];
        Span<byte> gamma = stackalloc byte[32];
        if (!EdPoint.TryDecode(gammaBytes, gamma) || !gamma.SequenceEqual(gammaBytes))
        {
            return false;
        }

        Span<byte> c = stackalloc byte[32];
        c.Clear();
        proof[32..48].CopyTo(c);
        var s = proof[48..];
        if (!EdPoint.IsCanonicalScalar(s))
        {
            return false;
        }

        var h = EncodeToCurveH(y, alpha);
        Span<byte> sb = stackalloc byte[32];
        Span<byte> cy = stackalloc byte[32];
        Span<byte> u = stackalloc byte[32];
        EdPoint.MulBase(s, sb);
        EdPoint.Mul(c, y, cy);
        EdPoint.Sub(sb, cy, u);

        Span<byte> sh = stackalloc byte[32];
        Span<byte> cg = stackalloc byte[32];
        Span<byte> v = stackalloc byte[32];
        EdPoint.MulPrimeOrder(s, h, sh);
        EdPoint.Mul(c, gamma, cg);
        EdPoint.Sub(sh, cg, v);

        Span<byte> expected = stackalloc byte[16];
        Challenge(version, y, h, gamma, u, v, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, c[..16]))
        {
            return false;
        }

        if (output.Length == OutputSize)
        {
            GammaToHash(gamma, output);
        }

        return true;
    }

    /// <summary>
    /// β = SHA-512(0x04 ‖ 0x03 ‖ [8]Γ ‖ 0x00) of a proof, without verifying it (verify first where it matters).
    /// </summary>
    /// <exception cref="ArgumentException">Not 80 bytes, or Γ is not a point.</exception>
    public static byte[] ProofToHash(ReadOnlySpan<byte> proof)
    {
        if (proof.Length != ProofSize)
        {
            throw new ArgumentException($"an ECVRF proof is {ProofSize} bytes, got {proof.Length}", nameof(proof));
        }

        Span<byte> gamma = stackalloc byte[32];
        if (!EdPoint.TryDecode(proof[..32], gamma))
        {
            throw new ArgumentException("the proof's Gamma is not a curve point", nameof(proof));
        }

        var output = new byte[OutputSize];
        GammaToHash(gamma, output);
        return output;
    }

    /// <summary>H = encode_to_curve(Y ‖ α) with the suite's DST (the public key salts the message).</summary>
    internal static byte[] EncodeToCurveH(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha)
    {
        var message = new byte[publicKey.Length + alpha.Length];
        publicKey.CopyTo(message);
        alpha.CopyTo(message.AsSpan(publicKey.Length));
        return HashToCurve.EncodeToCurve(message, HashToCurveDst);
    }

    private static void GammaToHash(ReadOnlySpan<byte> gamma, Span<byte> output)
    {
        Span<byte> gamma8 = stackalloc byte[32];
        EdPoint.MulByCofactor(gamma, gamma8);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData([Suite, 0x03]);
        sha.AppendData(gamma8);
        sha.AppendData([0x00]);
        sha.GetHashAndReset(output);
    }

    /// <summary>c = SHA-512(0x04 ‖ 0x02 ‖ [Y ‖] H ‖ Γ ‖ U ‖ V ‖ 0x00)[0:16].</summary>
    private static void Challenge(
        EcVrfVersion version,
        ReadOnlySpan<byte> y,
        ReadOnlySpan<byte> h,
        ReadOnlySpan<byte> gamma,
        ReadOnlySpan<byte> u,
        ReadOnlySpan<byte> v,
        Span<byte> c)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData([Suite, 0x02]);
        if (version == EcVrfVersion.Rfc9381)
        {
            sha.AppendData(y);
        }

        sha.AppendData(h);
        sha.AppendData(gamma);
        sha.AppendData(u);
        sha.AppendData(v);
        sha.AppendData([0x00]);
        Span<byte> digest = stackalloc byte[64];
        sha.GetHashAndReset(digest);
        digest[..16].CopyTo(c);
    }
}
