using System.Buffers.Binary;

namespace Prover.Verifier.Scrypt;

/// <summary>PBKDF2-HMAC-Keccak512 with an iteration count of 1 (all scrypt needs): T_i = HMAC(P, S ‖ BE32(i)).</summary>
public static class Pbkdf2Keccak512
{
    public static void Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Span<byte> derivedKey)
    {
        var message = new byte[salt.Length + 4];
        salt.CopyTo(message);
        Span<byte> block = stackalloc byte[Keccak512.DigestSize];
        uint blockIndex = 1;
        while (!derivedKey.IsEmpty)
        {
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(salt.Length), blockIndex);
            HmacKeccak512.Compute(password, message, block);
            int take = Math.Min(block.Length, derivedKey.Length);
            block[..take].CopyTo(derivedKey);
            derivedKey = derivedKey[take..];
            blockIndex++;
        }
    }
}
