using System.Buffers.Binary;
using Prover.Core.Crypto;
using Prover.Core.Primitives;
using Prover.Verifier.Scrypt;

namespace Prover.Verifier;

/// <summary>PoST commitments and labels (spec §3.1, §3.2), computed with the scalar reference primitives.</summary>
public static class Labels
{
    public const int LabelSize = 16;
    public const int OutputSize = 32;
    public const int PasswordSize = 72;

    /// <summary>commitment = BLAKE3(node_id ‖ commitment_atx_id), with the reference BLAKE3.</summary>
    public static Prover.Core.Primitives.Commitment Commitment(NodeId nodeId, AtxId commitmentAtxId)
    {
        var hasher = Blake3Reference.CreateHasher();
        hasher.Update(nodeId.Span);
        hasher.Update(commitmentAtxId.Span);
        Span<byte> commitment = stackalloc byte[Hash32.Length];
        hasher.Finalize(commitment);
        return new Prover.Core.Primitives.Commitment(commitment);
    }

    /// <summary>The 72-byte scrypt password of label <paramref name="index"/>: commitment ‖ LE64(index) ‖ 0^32.</summary>
    public static void Password(ReadOnlySpan<byte> commitment, ulong index, Span<byte> password)
    {
        if (commitment.Length != 32)
        {
            throw new ArgumentException("commitment must be 32 bytes.", nameof(commitment));
        }

        password[..PasswordSize].Clear();
        commitment.CopyTo(password);
        BinaryPrimitives.WriteUInt64LittleEndian(password[32..], index);
    }

    /// <summary>The full 32-byte scrypt output of label <paramref name="index"/> (used for the VRF nonce).</summary>
    public static void Output32(ReadOnlySpan<byte> commitment, ulong index, ulong n, Span<byte> output32)
    {
        Span<byte> password = stackalloc byte[PasswordSize];
        Password(commitment, index, password);
        ScryptJane.Compute(password, [], n, output32[..OutputSize]);
    }

    /// <summary>The 16-byte label stored on disk: the first half of <see cref="Output32"/>.</summary>
    public static byte[] Label(ReadOnlySpan<byte> commitment, ulong index, ulong n)
    {
        Span<byte> output = stackalloc byte[OutputSize];
        Output32(commitment, index, n, output);
        return output[..LabelSize].ToArray();
    }
}
