using NSec.Cryptography;

namespace Prover.Node.Signing;

/// <summary>
/// ed25519 verification under explicit edge-case rules (<see cref="Ed25519VerifyOptions"/>). A signature that
/// libsodium's strict verifier (NSec) accepts satisfies every preset, so that path answers first; anything it rejects is
/// decided by the rule itself: S &lt; L, A and R decoded under the options, <c>k = SHA-512(R ‖ A ‖ M) mod L</c>, and
/// <c>[S]B − [k]A − R</c> (times 8 unless cofactorless) equal to the identity, on libsodium's point operations.
/// </summary>
public static class Ed25519
{
    /// <summary>Bytes of a public key.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Bytes of a signature (R ‖ S).</summary>
    public const int SignatureSize = 64;

    /// <summary>Bytes of a private seed.</summary>
    public const int SeedSize = 32;

    /// <summary>Bytes of go-spacemesh's private key form: seed ‖ public key.</summary>
    public const int PrivateKeySize = 64;

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by
    /// <paramref name="publicKey"/> under <paramref name="options"/> (<see cref="Ed25519VerifyOptions.Default"/>, voi's,
    /// when null). Wrong lengths give false.
    /// </summary>
    public static bool Verify(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> signature,
        Ed25519VerifyOptions? options = null)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        return LibsodiumAccepts(publicKey, message, signature) || VerifyByRule(publicKey, message, signature, options);
    }

    /// <summary>libsodium's strict, cofactorless verify; acceptance implies acceptance under every preset.</summary>
    internal static bool LibsodiumAccepts(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var algorithm = SignatureAlgorithm.Ed25519;
        return PublicKey.TryImport(algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && key is not null
            && algorithm.Verify(key, message, signature);
    }

    /// <summary>The rule alone, without libsodium's verify in front (tests hold both paths to the vectors).</summary>
    internal static bool VerifyByRule(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> signature,
        Ed25519VerifyOptions? options)
    {
        options ??= Ed25519VerifyOptions.Default;
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        var rBytes = signature[..32];
        var s = signature[32..];
        if (!EdPoint.IsCanonicalScalar(s))
        {
            return false;
        }

        Span<byte> a = stackalloc byte[32];
        if (!EdPoint.TryDecode(publicKey, a)
            || (!options.AllowNonCanonicalA && !a.SequenceEqual(publicKey))
            || (!options.AllowSmallOrderA && EdPoint.IsSmallOrder(a)))
        {
            return false;
        }

        Span<byte> r = stackalloc byte[32];
        if (!EdPoint.TryDecode(rBytes, r)
            || (!options.AllowNonCanonicalR && !r.SequenceEqual(rBytes))
            || (!options.AllowSmallOrderR && EdPoint.IsSmallOrder(r)))
        {
            return false;
        }

        Span<byte> k = stackalloc byte[32];
        EdPoint.HashToScalar(k, rBytes, publicKey, message);

        Span<byte> sb = stackalloc byte[32];
        Span<byte> ka = stackalloc byte[32];
        Span<byte> t = stackalloc byte[32];
        Span<byte> d = stackalloc byte[32];
        EdPoint.MulBase(s, sb);
        EdPoint.Mul(k, a, ka);
        EdPoint.Sub(sb, ka, t);
        EdPoint.Sub(t, r, d);
        return options.Cofactorless ? EdPoint.IsIdentity(d) : EdPoint.IsSmallOrder(d);
    }
}
