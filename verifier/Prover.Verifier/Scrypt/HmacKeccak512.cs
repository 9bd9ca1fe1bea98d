namespace Prover.Verifier.Scrypt;

/// <summary>
/// HMAC over Keccak-512 as scrypt-jane defines it: block size = the Keccak rate (72 bytes); a key of at most 72 bytes is
/// used as is (zero padded), a longer key is hashed first; ipad 0x36, opad 0x5c.
/// </summary>
public static class HmacKeccak512
{
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        Span<byte> inner = stackalloc byte[Keccak512.DigestSize];
        var innerHash = Begin(key, 0x36);
        innerHash.Update(message);
        innerHash.Finish(inner);

        var outerHash = Begin(key, 0x5c);
        outerHash.Update(inner);
        outerHash.Finish(mac);
    }

    /// <summary>A Keccak-512 instance that has absorbed (key ⊕ pad); callers append the message.</summary>
    internal static Keccak512 Begin(ReadOnlySpan<byte> key, byte pad)
    {
        Span<byte> block = stackalloc byte[Keccak512.Rate];
        block.Clear();
        if (key.Length > Keccak512.Rate)
        {
            Keccak512.Hash(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        for (int i = 0; i < block.Length; i++)
        {
            block[i] ^= pad;
        }

        var k = new Keccak512();
        k.Update(block);
        return k;
    }
}
