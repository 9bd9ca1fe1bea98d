using System.Buffers.Binary;
using Prover.Core.Crypto;
using Prover.Core.Primitives;

namespace Prover.Core.Proving;

/// <summary>The AES keys of the 8/56 scheme (spec §4.3), first 16 bytes of BLAKE3 digests.</summary>
public static class ProvingKeys
{
    /// <summary>K_g = BLAKE3(challenge ‖ LE32(g) ‖ LE64(pow))[0..16].</summary>
    public static void GroupKey(in Challenge challenge, uint nonceGroup, ulong pow, Span<byte> key16)
    {
        Span<byte> input = stackalloc byte[44];
        Prefix(challenge, nonceGroup, pow, input);
        Finish(input, key16);
    }

    /// <summary>Kl_nonce = BLAKE3(challenge ‖ LE32(nonce / 16) ‖ LE64(pow) ‖ LE32(nonce))[0..16].</summary>
    public static void LazyKey(in Challenge challenge, uint nonce, ulong pow, Span<byte> key16)
    {
        Span<byte> input = stackalloc byte[48];
        Prefix(challenge, nonce / ProvingConstants.NoncesPerGroup, pow, input);
        BinaryPrimitives.WriteUInt32LittleEndian(input[44..], nonce);
        Finish(input, key16);
    }

    private static void Prefix(in Challenge challenge, uint nonceGroup, ulong pow, Span<byte> input)
    {
        challenge.Span.CopyTo(input);
        BinaryPrimitives.WriteUInt32LittleEndian(input[32..], nonceGroup);
        BinaryPrimitives.WriteUInt64LittleEndian(input[36..], pow);
    }

    private static void Finish(ReadOnlySpan<byte> input, Span<byte> key16)
    {
        Span<byte> digest = stackalloc byte[32];
        Blake3.Hash(input, digest);
        digest[..16].CopyTo(key16);
    }
}
