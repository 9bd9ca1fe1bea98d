namespace Prover.Verifier;

/// <summary>
/// Portable FIPS-197 AES-128 (encryption only), written for clarity: byte-oriented SubBytes, ShiftRows, MixColumns and
/// AddRoundKey on a 16-byte column-major state. This is the oracle the fast AES paths in Prover.Kernels are tested
/// against; it is not constant-time and not fast.
/// </summary>
public static class Aes128
{
    /// <summary>Size of an AES block and of an AES-128 key.</summary>
    public const int BlockSize = 16;

    /// <summary>Number of rounds of AES-128.</summary>
    public const int Rounds = 10;

    /// <summary>Size of the expanded key: 11 round keys of 16 bytes.</summary>
    public const int ExpandedKeySize = (Rounds + 1) * BlockSize;

    private static readonly byte[] SBox = BuildSBox();

    /// <summary>Expands a 16-byte key into the 11 round keys (176 bytes, FIPS-197 §5.2 byte order).</summary>
    public static void ExpandKey(ReadOnlySpan<byte> key, Span<byte> roundKeys)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException("An AES-128 key is 16 bytes.", nameof(key));
        }

        if (roundKeys.Length < ExpandedKeySize)
        {
            throw new ArgumentException("The expanded key needs 176 bytes.", nameof(roundKeys));
        }

        key.CopyTo(roundKeys);
        byte rcon = 1;
        for (int word = 4; word < 44; word++)
        {
            int at = word * 4;
            byte t0 = roundKeys[at - 4], t1 = roundKeys[at - 3], t2 = roundKeys[at - 2], t3 = roundKeys[at - 1];
            if (word % 4 == 0)
            {
                // RotWord, SubWord, then Rcon on the first byte.
                byte first = t0;
                t0 = (byte)(SBox[t1] ^ rcon);
                t1 = SBox[t2];
                t2 = SBox[t3];
                t3 = SBox[first];
                rcon = XTime(rcon);
            }

            roundKeys[at] = (byte)(roundKeys[at - 16] ^ t0);
            roundKeys[at + 1] = (byte)(roundKeys[at - 15] ^ t1);
            roundKeys[at + 2] = (byte)(roundKeys[at - 14] ^ t2);
            roundKeys[at + 3] = (byte)(roundKeys[at - 13] ^ t3);
        }
    }

    /// <summary>Encrypts one 16-byte block with an expanded key (see <see cref="ExpandKey"/>).</summary>
    public static void EncryptBlock(ReadOnlySpan<byte> roundKeys, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (roundKeys.Length < ExpandedKeySize)
        {
            throw new ArgumentException("The expanded key needs 176 bytes.", nameof(roundKeys));
        }

        if (input.Length < BlockSize || output.Length < BlockSize)
        {
            throw new ArgumentException("AES blocks are 16 bytes.");
        }

        Span<byte> state = stackalloc byte[BlockSize];
        for (int i = 0; i < BlockSize; i++)
        {
            state[i] = (byte)(input[i] ^ roundKeys[i]);
        }

        for (int round = 1; round <= Rounds; round++)
        {
            SubBytes(state);
            ShiftRows(state);
            if (round != Rounds)
            {
                MixColumns(state);
            }

            ReadOnlySpan<byte> roundKey = roundKeys.Slice(round * BlockSize, BlockSize);
            for (int i = 0; i < BlockSize; i++)
            {
                state[i] ^= roundKey[i];
            }
        }

        state.CopyTo(output);
    }

    /// <summary>Encrypts one block with a raw 16-byte key (expands the key every call).</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> roundKeys = stackalloc byte[ExpandedKeySize];
        ExpandKey(key, roundKeys);
        EncryptBlock(roundKeys, input, output);
    }

    /// <summary>ECB-encrypts consecutive 16-byte blocks (a trailing partial block is an error).</summary>
    public static void EncryptEcb(ReadOnlySpan<byte> roundKeys, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length % BlockSize != 0 || output.Length < input.Length)
        {
            throw new ArgumentException("ECB input must be whole blocks and fit the output.");
        }

        for (int at = 0; at < input.Length; at += BlockSize)
        {
            EncryptBlock(roundKeys, input.Slice(at, BlockSize), output.Slice(at, BlockSize));
        }
    }

    /// <summary>Exposes the S-box for tests of other implementations.</summary>
    public static byte SubByte(byte value) => SBox[value];

    private static void SubBytes(Span<byte> state)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            state[i] = SBox[state[i]];
        }
    }

    // State byte (row r, column c) lives at index 4c + r. Row r is rotated left by r columns.
    private static void ShiftRows(Span<byte> state)
    {
        Span<byte> copy = stackalloc byte[BlockSize];
        state.CopyTo(copy);
        for (int c = 0; c < 4; c++)
        {
            for (int r = 0; r < 4; r++)
            {
                state[(4 * c) + r] = copy[(4 * ((c + r) % 4)) + r];
            }
        }
    }

    private static void MixColumns(Span<byte> state)
    {
        for (int c = 0; c < 4; c++)
        {
            int at = 4 * c;
            byte a0 = state[at], a1 = state[at + 1], a2 = state[at + 2], a3 = state[at + 3];
            byte all = (byte)(a0 ^ a1 ^ a2 ^ a3);
            state[at] = (byte)(a0 ^ all ^ XTime((byte)(a0 ^ a1)));
            state[at + 1] = (byte)(a1 ^ all ^ XTime((byte)(a1 ^ a2)));
            state[at + 2] = (byte)(a2 ^ all ^ XTime((byte)(a2 ^ a3)));
            state[at + 3] = (byte)(a3 ^ all ^ XTime((byte)(a3 ^ a0)));
        }
    }

    private static byte XTime(byte value) => (byte)((value << 1) ^ ((value & 0x80) != 0 ? 0x1B : 0));

    private static byte Multiply(byte a, byte b)
    {
        byte product = 0;
        while (b != 0)
        {
            if ((b & 1) != 0)
            {
                product ^= a;
            }

            a = XTime(a);
            b >>= 1;
        }

        return product;
    }

    // S(x) = affine(x^-1) over GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (FIPS-197 §5.1.1).
    private static byte[] BuildSBox()
    {
        var box = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            byte inverse = 0;
            if (x != 0)
            {
                for (int y = 1; y < 256; y++)
                {
                    if (Multiply((byte)x, (byte)y) == 1)
                    {
                        inverse = (byte)y;
                        break;
                    }
                }
            }

            int b = inverse;
            int s = b ^ Rotl8(b, 1) ^ Rotl8(b, 2) ^ Rotl8(b, 3) ^ Rotl8(b, 4) ^ 0x63;
            box[x] = (byte)s;
        }

        return box;
    }

    private static int Rotl8(int value, int shift) => ((value << shift) | (value >> (8 - shift))) & 0xFF;
}
