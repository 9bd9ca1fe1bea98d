namespace Prover.Core.Proving;

/// <summary>The k2pow difficulty of a proof: the per-unit network difficulty divided by num_units (spec §4.2, §5.1).</summary>
public static class K2PowDifficulty
{
    /// <summary>Mainnet per-unit k2pow difficulty (big-endian 256-bit).</summary>
    public static ReadOnlySpan<byte> Mainnet =>
    [
        0x00, 0x0d, 0xfb, 0x23, 0xb0, 0x97, 0x9b, 0x4b, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Big-endian 256-bit integer division of <paramref name="perUnit"/> by <paramref name="numUnits"/>.</summary>
    public static byte[] Scale(ReadOnlySpan<byte> perUnit, uint numUnits)
    {
        if (perUnit.Length != 32)
        {
            throw new ArgumentException("The k2pow difficulty is 32 bytes.", nameof(perUnit));
        }

        ArgumentOutOfRangeException.ThrowIfZero(numUnits);
        var result = new byte[32];
        ulong remainder = 0;
        for (int i = 0; i < 32; i++)
        {
            ulong current = (remainder << 8) | perUnit[i];
            result[i] = (byte)(current / numUnits);
            remainder = current % numUnits;
        }

        return result;
    }
}
