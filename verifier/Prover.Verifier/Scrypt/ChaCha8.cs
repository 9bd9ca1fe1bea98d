namespace Prover.Verifier.Scrypt;

/// <summary>
/// scrypt-jane's ChaCha20/8 mix core ("chacha_core_basic"): 16 little-endian words, no constants or nonce,
/// 4 double rounds (column then diagonal quarter-rounds), then the input is added back word by word.
/// </summary>
public static class ChaCha8
{
    public static void Core(Span<uint> x)
    {
        if (x.Length != 16)
        {
            throw new ArgumentException("ChaCha core works on 16 words.", nameof(x));
        }

        Span<uint> y = stackalloc uint[16];
        x.CopyTo(y);
        for (int i = 0; i < 4; i++)
        {
            QuarterRound(y, 0, 4, 8, 12);
            QuarterRound(y, 1, 5, 9, 13);
            QuarterRound(y, 2, 6, 10, 14);
            QuarterRound(y, 3, 7, 11, 15);
            QuarterRound(y, 0, 5, 10, 15);
            QuarterRound(y, 1, 6, 11, 12);
            QuarterRound(y, 2, 7, 8, 13);
            QuarterRound(y, 3, 4, 9, 14);
        }

        for (int i = 0; i < 16; i++)
        {
            x[i] += y[i];
        }
    }

    private static void QuarterRound(Span<uint> s, int a, int b, int c, int d)
    {
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 7);
    }
}
