using System.Numerics;
using System.Security.Cryptography;
using Prover.Node.Signing;

namespace Prover.Node.Vrf;

/// <summary>
/// RFC 9380 <c>edwards25519_XMD:SHA-512_ELL2_NU_</c>, the encode-to-curve of curve25519-voi's ECVRF: 
/// <c>expand_message_xmd</c> (SHA-512) to 48 bytes, one field element (big-endian mod p), Elligator 2 onto
/// curve25519 (Z = 2, §6.7.1), the rational map to edwards25519 (Appendix D.1, <c>c1 = sqrt(−486664)</c> with
/// sgn0(c1) = 0), then the cofactor cleared (×8).
/// </summary>
/// <remarks>
/// The libsodium build that NSec ships lacks <c>crypto_core_ed25519_from_string</c>, and its
/// <c>from_uniform</c> takes the x sign from an input bit instead of deriving it as RFC 9380 does. So the map's few
/// field operations (on public data only: the point is a function of the public key and the message) are done with
/// <see cref="BigInteger"/> and the spec's formulas; the cofactor clearing runs on libsodium's point addition.
/// The tests hold this against the RFC vectors and against libsodium's own Elligator 2 given the derived sign.
/// </remarks>
internal static class HashToCurve
{
    /// <summary>The field prime 2^255 − 19.</summary>
    internal static readonly BigInteger P = (BigInteger.One << 255) - 19;

    private static readonly BigInteger J = 486662;
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly BigInteger C1 = Sgn0Zero(Sqrt(Mod(-486664)));

    /// <summary>Bytes taken per field element: ceil((255 + 128) / 8).</summary>
    private const int FieldElementBytes = 48;

    /// <summary><c>expand_message_xmd</c> with SHA-512 (RFC 9380 §5.3.1); DSTs over 255 bytes are hashed first.</summary>
    internal static byte[] ExpandMessageXmd(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, int length)
    {
        const int hashBytes = 64;
        const int blockBytes = 128;
        byte[] dstBytes;
        if (dst.Length > 255)
        {
            dstBytes = SHA512.HashData([.. "H2C-OVERSIZE-DST-"u8, .. dst]);
        }
        else
        {
            dstBytes = dst.ToArray();
        }

        var ell = (length + hashBytes - 1) / hashBytes;
        if (ell > 255 || length > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "expand_message_xmd: requested length too large");
        }

        byte[] dstPrime = [.. dstBytes, (byte)dstBytes.Length];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(new byte[blockBytes]);
        sha.AppendData(msg);
        sha.AppendData([(byte)(length >> 8), (byte)length, 0]);
        sha.AppendData(dstPrime);
        var b0 = sha.GetHashAndReset();

        var output = new byte[ell * hashBytes];
        var previous = new byte[hashBytes];
        for (var i = 1; i <= ell; i++)
        {
            var input = new byte[hashBytes];
            for (var j = 0; j < hashBytes; j++)
            {
                input[j] = (byte)(b0[j] ^ (i == 1 ? 0 : previous[j]));
            }

            sha.AppendData(input);
            sha.AppendData([(byte)i]);
            sha.AppendData(dstPrime);
            previous = sha.GetHashAndReset();
            previous.CopyTo(output, (i - 1) * hashBytes);
        }

        return output[..length];
    }

    /// <summary><c>hash_to_field</c> for one element of GF(2^255 − 19).</summary>
    internal static BigInteger HashToField(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        var uniform = ExpandMessageXmd(msg, dst, FieldElementBytes);
        return new BigInteger(uniform, isUnsigned: true, isBigEndian: true) % P;
    }

    /// <summary>Elligator 2 and the rational map: the edwards25519 point (x, y) of field element u, before ×8.</summary>
    internal static (BigInteger X, BigInteger Y) MapToCurve(BigInteger u)
    {
        // §6.7.1 for curve25519 (K = 1, Z = 2)
        var x1 = Mod(-J * Inv(1 + (2 * u * u)));
        if (x1.IsZero)
        {
            x1 = Mod(-J);
        }

        var gx1 = Mod((x1 * x1 * x1) + (J * x1 * x1) + x1);
        var x2 = Mod(-x1 - J);
        var gx2 = Mod((x2 * x2 * x2) + (J * x2 * x2) + x2);
        BigInteger s, t;
        if (IsSquare(gx1))
        {
            s = x1;
            t = Sqrt(gx1);
            if (t.IsEven)
            {
                t = Mod(-t); // sgn0(t) == 1
            }
        }
        else
        {
            s = x2;
            t = Sqrt(gx2);
            if (!t.IsEven)
            {
                t = Mod(-t); // sgn0(t) == 0
            }
        }

        // Appendix D.1: v = c1·s/t, w = (s − 1)/(s + 1); (0, 1) where a denominator vanishes
        if (t.IsZero || Mod(s + 1).IsZero)
        {
            return (BigInteger.Zero, BigInteger.One);
        }

        return (Mod(C1 * s * Inv(t)), Mod((s - 1) * Inv(s + 1)));
    }

    /// <summary>The compressed encoding of (x, y): y little-endian with x's parity in the top bit.</summary>
    internal static byte[] Compress(BigInteger x, BigInteger y)
    {
        var bytes = new byte[32];
        y.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        bytes[31] |= (byte)(x.IsEven ? 0 : 0x80);
        return bytes;
    }

    /// <summary>encode_to_curve: the compressed point, in the prime-order subgroup.</summary>
    internal static byte[] EncodeToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        var (x, y) = MapToCurve(HashToField(msg, dst));
        var point = Compress(x, y);
        var cleared = new byte[32];
        EdPoint.MulByCofactor(point, cleared);
        return cleared;
    }

    private static BigInteger Mod(BigInteger a)
    {
        var r = a % P;
        return r.Sign < 0 ? r + P : r;
    }

    private static BigInteger Inv(BigInteger a) => BigInteger.ModPow(Mod(a), P - 2, P); // inv0: 0 ↦ 0

    private static bool IsSquare(BigInteger a)
    {
        var legendre = BigInteger.ModPow(Mod(a), (P - 1) / 2, P);
        return legendre.IsZero || legendre.IsOne;
    }

    /// <summary>A square root (p ≡ 5 mod 8); the caller picks the sign.</summary>
    private static BigInteger Sqrt(BigInteger a)
    {
        a = Mod(a);
        var candidate = BigInteger.ModPow(a, (P + 3) / 8, P);
        if (Mod(candidate * candidate) == a)
        {
            return candidate;
        }

        candidate = Mod(candidate * SqrtMinusOne);
        return Mod(candidate * candidate) == a
            ? candidate
            : throw new ArithmeticException("not a square");
    }

    private static BigInteger Sgn0Zero(BigInteger a) => a.IsEven ? a : Mod(-a);
}
