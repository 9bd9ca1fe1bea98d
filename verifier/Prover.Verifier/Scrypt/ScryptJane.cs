using System.Buffers.Binary;
using System.Numerics;

namespace Prover.Verifier.Scrypt;

/// <summary>
/// scrypt-jane with Keccak-512 PBKDF2 and the ChaCha20/8 mix (SCRYPT_KECCAK512 + SCRYPT_CHACHA): the RFC 7914 structure
/// (ROMix over BlockMix with Y_even ‖ Y_odd ordering) with the hash and mix swapped. The scalar oracle every fast path is
/// checked against. N must be a power of two ≥ 2; r and p powers of two (Spacemesh uses r = p = 1).
/// </summary>
public static class ScryptJane
{
    public static void Compute(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ulong n, Span<byte> output) =>
        Compute(password, salt, n, 1, 1, output);

    public static void Compute(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ulong n, int r, int p,
        Span<byte> output)
    {
        if (n < 2 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "scrypt N must be a power of two and at least 2.");
        }

        if (r < 1 || !BitOperations.IsPow2(r) || p < 1 || !BitOperations.IsPow2(p))
        {
            throw new ArgumentOutOfRangeException(nameof(r), "scrypt r and p must be powers of two.");
        }

        int chunkBytes = 128 * r;
        var b = new byte[chunkBytes * p];
        Pbkdf2Keccak512.Derive(password, salt, b);

        var words = new uint[chunkBytes / 4];
        for (int i = 0; i < p; i++)
        {
            var chunk = b.AsSpan(i * chunkBytes, chunkBytes);
            for (int w = 0; w < words.Length; w++)
            {
                words[w] = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(w * 4)..]);
            }

            RoMix(words, n, r);
            for (int w = 0; w < words.Length; w++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[(w * 4)..], words[w]);
            }
        }

        Pbkdf2Keccak512.Derive(password, b, output);
    }

    /// <summary>ROMix in place on 32·r words: V[i] = X, X = BlockMix(X) N times; then N times X = BlockMix(X ⊕ V[j]).</summary>
    public static void RoMix(uint[] x, ulong n, int r)
    {
        int chunkWords = 32 * r;
        if (x.Length != chunkWords)
        {
            throw new ArgumentException($"ROMix needs {chunkWords} words.", nameof(x));
        }

        var v = new uint[checked((int)n * chunkWords)];
        var scratch = new uint[chunkWords];
        for (ulong i = 0; i < n; i++)
        {
            x.CopyTo(v, (int)i * chunkWords);
            BlockMix(x, scratch, r);
        }

        int lastBlock = (2 * r - 1) * 16;
        for (ulong i = 0; i < n; i++)
        {
            ulong j = x[lastBlock] & (n - 1);
            var vj = v.AsSpan((int)j * chunkWords, chunkWords);
            for (int w = 0; w < chunkWords; w++)
            {
                x[w] ^= vj[w];
            }

            BlockMix(x, scratch, r);
        }
    }

    /// <summary>
    /// BlockMix with ChaCha20/8 over 2r 64-byte blocks: T = B[2r−1]; for each i: T = ChaCha8(T ⊕ B[i]), Y[i] = T;
    /// the output is Y[0], Y[2], … followed by Y[1], Y[3], ….
    /// </summary>
    public static void BlockMix(uint[] b, uint[] scratch, int r)
    {
        Span<uint> t = stackalloc uint[16];
        b.AsSpan((2 * r - 1) * 16, 16).CopyTo(t);
        for (int i = 0; i < 2 * r; i++)
        {
            var block = b.AsSpan(i * 16, 16);
            for (int w = 0; w < 16; w++)
            {
                t[w] ^= block[w];
            }

            ChaCha8.Core(t);
            int destination = (i / 2 + (i % 2) * r) * 16;
            t.CopyTo(scratch.AsSpan(destination, 16));
        }

        scratch.CopyTo(b, 0);
    }
}
