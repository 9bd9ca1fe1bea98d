using System.Security.Cryptography;

namespace Prover.Node.Signing;

/// <summary>
/// Edwards25519 point and scalar operations composed from libsodium's exports (<see cref="Sodium"/>); no field
/// arithmetic of our own. Points are 32-byte compressed encodings. Every point these helpers return is the canonical
/// encoding, so two points are equal exactly when their bytes are.
/// </summary>
/// <remarks>
/// libsodium's <c>crypto_core_ed25519_add</c> decodes its inputs with <c>ge25519_frombytes</c>, which accepts every
/// encoding of a curve point (y taken mod p, x = 0 with the sign bit set) and any subgroup, and writes the canonical
/// encoding: adding the identity therefore decodes and re-encodes. Its scalar multiplication only takes points of the
/// prime-order subgroup; a point of any order is multiplied as <c>[k]P = [k &gt;&gt; 3]([8]P) + [k &amp; 7]P</c>.
/// </remarks>
internal static class EdPoint
{
    /// <summary>The neutral element (x = 0, y = 1).</summary>
    internal static ReadOnlySpan<byte> Identity =>
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.</summary>
    internal static ReadOnlySpan<byte> OrderL =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    /// <summary>
    /// Decodes any encoding of a curve point and writes its canonical encoding; false when the bytes are not a point.
    /// The input is canonical exactly when <paramref name="canonical"/> equals it.
    /// </summary>
    internal static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> canonical)
    {
        Sodium.EnsureReady();
        return encoded.Length == Sodium.PointBytes && Sodium.crypto_core_ed25519_add(canonical, encoded, Identity) == 0;
    }

    /// <summary>r = p + q for curve points p and q.</summary>
    internal static void Add(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> r)
    {
        Sodium.EnsureReady();
        if (Sodium.crypto_core_ed25519_add(r, p, q) != 0)
        {
            throw new ArgumentException("not a curve point");
        }
    }

    /// <summary>r = p - q for curve points p and q.</summary>
    internal static void Sub(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> r)
    {
        Sodium.EnsureReady();
        if (Sodium.crypto_core_ed25519_sub(r, p, q) != 0)
        {
            throw new ArgumentException("not a curve point");
        }
    }

    /// <summary>r = [8]p (three doublings); the result lies in the prime-order subgroup.</summary>
    internal static void MulByCofactor(ReadOnlySpan<byte> p, Span<byte> r)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        Add(p, p, a);
        Add(a, a, b);
        Add(b, b, r);
    }

    /// <summary>True when <paramref name="p"/> (canonical) is the identity.</summary>
    internal static bool IsIdentity(ReadOnlySpan<byte> p) => p.SequenceEqual(Identity);

    /// <summary>True when the point has small order ([8]p is the identity).</summary>
    internal static bool IsSmallOrder(ReadOnlySpan<byte> p)
    {
        Span<byte> p8 = stackalloc byte[32];
        MulByCofactor(p, p8);
        return IsIdentity(p8);
    }

    /// <summary>r = [s]B for the base point B and a scalar s &lt; 2^255.</summary>
    internal static void MulBase(ReadOnlySpan<byte> scalar, Span<byte> r)
    {
        Sodium.EnsureReady();
        // -1 only reports an identity result (or a zero scalar); the identity is written either way.
        _ = Sodium.crypto_scalarmult_ed25519_base_noclamp(r, scalar);
    }

    /// <summary>r = [s]P for a point of the prime-order subgroup (canonical) and a scalar s &lt; 2^255.</summary>
    internal static void MulPrimeOrder(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> r)
    {
        Sodium.EnsureReady();
        if (IsIdentity(point))
        {
            Identity.CopyTo(r);
            return;
        }

        r.Fill(0xff); // not a point encoding: tells a rejected input from an identity result below
        if (Sodium.crypto_scalarmult_ed25519_noclamp(r, scalar, point) != 0 && !IsIdentity(r))
        {
            throw new ArgumentException("not a point of the prime-order subgroup");
        }
    }

    /// <summary>r = [s]P for a point of any order (canonical) and any 256-bit scalar s.</summary>
    internal static void Mul(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> r)
    {
        Span<byte> high = stackalloc byte[32];
        for (var i = 0; i < 32; i++)
        {
            high[i] = (byte)((scalar[i] >> 3) | (i < 31 ? scalar[i + 1] << 5 : 0));
        }

        Span<byte> p8 = stackalloc byte[32];
        MulByCofactor(point, p8);
        Span<byte> acc = stackalloc byte[32];
        MulPrimeOrder(high, p8, acc);

        Span<byte> tmp = stackalloc byte[32];
        for (var i = 0; i < (scalar[0] & 7); i++)
        {
            Add(acc, point, tmp);
            tmp.CopyTo(acc);
        }

        acc.CopyTo(r);
    }

    /// <summary>True when the 32-byte little-endian scalar is below L.</summary>
    internal static bool IsCanonicalScalar(ReadOnlySpan<byte> s)
    {
        var order = OrderL;
        for (var i = 31; i >= 0; i--)
        {
            if (s[i] != order[i])
            {
                return s[i] < order[i];
            }
        }

        return false; // s == L
    }

    /// <summary>r = x mod L for a little-endian integer of up to 64 bytes.</summary>
    internal static void Reduce(ReadOnlySpan<byte> x, Span<byte> r)
    {
        Span<byte> wide = stackalloc byte[64];
        wide.Clear();
        x.CopyTo(wide);
        Sodium.EnsureReady();
        Sodium.crypto_core_ed25519_scalar_reduce(r, wide);
    }

    /// <summary>r = x·y mod L (inputs reduced first).</summary>
    internal static void ScalarMul(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> r)
    {
        Span<byte> xr = stackalloc byte[32];
        Span<byte> yr = stackalloc byte[32];
        Reduce(x, xr);
        Reduce(y, yr);
        Sodium.crypto_core_ed25519_scalar_mul(r, xr, yr);
    }

    /// <summary>r = x + y mod L.</summary>
    internal static void ScalarAdd(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> r)
    {
        Sodium.EnsureReady();
        Sodium.crypto_core_ed25519_scalar_add(r, x, y);
    }

    /// <summary>SHA-512 of the concatenated parts, reduced mod L into <paramref name="r"/>.</summary>
    internal static void HashToScalar(Span<byte> r, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(a);
        sha.AppendData(b);
        sha.AppendData(c);
        Span<byte> digest = stackalloc byte[64];
        sha.GetHashAndReset(digest);
        Sodium.EnsureReady();
        Sodium.crypto_core_ed25519_scalar_reduce(r, digest);
    }
}
