namespace Prover.Kernels.Aes;

/// <summary>
/// The AES S-box and the four encryption T-tables (SubBytes ∘ MixColumns for one input byte position), computed once
/// from the GF(2^8) definition rather than pasted in.
/// </summary>
internal static class AesTables
{
    internal static readonly byte[] SBox = BuildSBox();

    // Te0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a little-endian uint (byte 0 = row 0); Te1..Te3 rotate it by one row each.
    internal static readonly uint[] Te0 = BuildTable(0);
    internal static readonly uint[] Te1 = BuildTable(1);
    internal static readonly uint[] Te2 = BuildTable(2);
    internal static readonly uint[] Te3 = BuildTable(3);

    private static byte Mul2(byte x) => (byte)((x << 1) ^ ((x & 0x80) != 0 ? 0x1B : 0));

    private static byte[] BuildSBox()
    {
        // Walk the multiplicative group with generator 3: p = 3^k and q = 3^-k, so q is the inverse of p.
        var box = new byte[256];
        byte p = 1, q = 1;
        do
        {
            p = (byte)(p ^ Mul2(p));
            q ^= (byte)(q << 1);
            q ^= (byte)(q << 2);
            q ^= (byte)(q << 4);
            if ((q & 0x80) != 0)
            {
                q ^= 0x09;
            }

            int s = q ^ Rotl(q, 1) ^ Rotl(q, 2) ^ Rotl(q, 3) ^ Rotl(q, 4);
            box[p] = (byte)(s ^ 0x63);
        }
        while (p != 1);

        box[0] = 0x63;
        return box;
    }

    private static int Rotl(int x, int shift) => ((x << shift) | (x >> (8 - shift))) & 0xFF;

    private static uint[] BuildTable(int rotation)
    {
        var table = new uint[256];
        for (int x = 0; x < 256; x++)
        {
            byte s = SBox[x];
            byte s2 = Mul2(s);
            byte s3 = (byte)(s2 ^ s);
            uint column = s2 | ((uint)s << 8) | ((uint)s << 16) | ((uint)s3 << 24);
            table[x] = (column << (8 * rotation)) | (column >> (32 - (8 * rotation)));
        }

        return table;
    }
}
