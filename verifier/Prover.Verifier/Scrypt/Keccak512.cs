using System.Buffers.Binary;

namespace Prover.Verifier.Scrypt;

/// <summary>
/// Keccak-512 with the ORIGINAL Keccak padding (first pad byte 0x01, last byte of the block OR 0x80), rate 72 bytes,
/// 24 rounds, little-endian lanes, 64-byte digest. This is what scrypt-jane's SCRYPT_KECCAK512 uses; it is not SHA3-512
/// (which pads with 0x06). Reference implementation: plain, readable, no unsafe code.
/// </summary>
public sealed class Keccak512
{
    public const int Rate = 72;
    public const int DigestSize = 64;

    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    // Rotation offset of lane (x, y), indexed x + 5y.
    private static readonly int[] RotationOffsets =
    [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ];

    private readonly ulong[] _state = new ulong[25];
    private readonly byte[] _buffer = new byte[Rate];
    private int _buffered;

    /// <summary>One-shot hash.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> digest)
    {
        var k = new Keccak512();
        k.Update(input);
        k.Finish(digest);
    }

    public void Update(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            int take = Math.Min(Rate - _buffered, input.Length);
            input[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            input = input[take..];
            if (_buffered == Rate)
            {
                AbsorbBlock(_buffer);
                _buffered = 0;
            }
        }
    }

    /// <summary>Pads, permutes and writes the 64-byte digest. The instance must not be used afterwards.</summary>
    public void Finish(Span<byte> digest)
    {
        if (digest.Length < DigestSize)
        {
            throw new ArgumentException($"Keccak-512 digest needs {DigestSize} bytes.", nameof(digest));
        }

        Array.Clear(_buffer, _buffered, Rate - _buffered);
        _buffer[_buffered] ^= 0x01;
        _buffer[Rate - 1] ^= 0x80;
        AbsorbBlock(_buffer);
        for (int i = 0; i < DigestSize / 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(digest[(i * 8)..], _state[i]);
        }
    }

    private void AbsorbBlock(ReadOnlySpan<byte> block)
    {
        for (int i = 0; i < Rate / 8; i++)
        {
            _state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block[(i * 8)..]);
        }

        Permute(_state);
    }

    /// <summary>Keccak-f[1600], 24 rounds: theta, rho, pi, chi, iota.</summary>
    public static void Permute(Span<ulong> a)
    {
        Span<ulong> c = stackalloc ulong[5];
        Span<ulong> b = stackalloc ulong[25];
        for (int round = 0; round < 24; round++)
        {
            for (int x = 0; x < 5; x++)
            {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }

            for (int x = 0; x < 5; x++)
            {
                ulong d = c[(x + 4) % 5] ^ ulong.RotateLeft(c[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5)
                {
                    a[x + y] ^= d;
                }
            }

            // rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
            for (int x = 0; x < 5; x++)
            {
                for (int y = 0; y < 5; y++)
                {
                    int to = y + 5 * ((2 * x + 3 * y) % 5);
                    b[to] = ulong.RotateLeft(a[x + 5 * y], RotationOffsets[x + 5 * y]);
                }
            }

            for (int y = 0; y < 25; y += 5)
            {
                for (int x = 0; x < 5; x++)
                {
                    a[x + y] = b[x + y] ^ (~b[((x + 1) % 5) + y] & b[((x + 2) % 5) + y]);
                }
            }

            a[0] ^= RoundConstants[round];
        }
    }
}
