using System.Buffers.Binary;
using Prover.Core.Crypto;
using Prover.Verifier.Scrypt;

namespace Prover.Verifier;

/// <summary>PoST commitments and labels (spec §3.1, §3.2), computed with the scalar reference primitives.</summary>
public static class Labels
{
    public const int LabelSize = 16;
    public const int OutputSize = 32;
    public const int PasswordSize = 72;

    /// <summary>commitment = BLAKE3(node_id ‖ commitment_atx_id).</summary>
    public static byte[] Commitment(ReadOnlySpan<byte> nodeId, ReadOnlySpan<byte> commitmentAtxId)
    {
        if (nodeId.Length != 32 || commitmentAtxId.Length != 32)
        {
            throw new ArgumentException("node id and commitment ATX id must be 32 bytes each.");
        }

        var hasher = Blake3Reference.CreateHasher();
        hasher.Update(nodeId);
        hasher.Update(commitmentAtxId);
        var commitment = new byte[32];
        hasher.Finalize(commitment);
        return commitment;
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
