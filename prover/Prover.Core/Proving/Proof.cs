using Prover.Core.Primitives;

namespace Prover.Core.Proving;

/// <summary>A PoST proof (spec §4.8): the winning nonce, its k2 indices packed by <see cref="IndexCompression"/>, and the k2pow of its nonce group.</summary>
public sealed record Proof(uint Nonce, byte[] Indices, ulong Pow)
{
    /// <summary>Builds a proof from plain indices, packing them with required_bits(numLabels) bits each.</summary>
    public static Proof Create(uint nonce, ReadOnlySpan<ulong> indices, ulong numLabels, ulong pow) =>
        new(nonce, IndexCompression.Compress(indices, IndexCompression.RequiredBits(numLabels)), pow);

    /// <summary>The nonce group (nonce / 16) whose k2pow <see cref="Pow"/> is.</summary>
    public uint NonceGroup => Nonce / ProvingConstants.NoncesPerGroup;

    /// <summary>Unpacks <paramref name="count"/> indices given the number of labels the proof was made for.</summary>
    public ulong[] DecompressIndices(ulong numLabels, int count) =>
        IndexCompression.Decompress(Indices, IndexCompression.RequiredBits(numLabels), count);

    public bool Equals(Proof? other) =>
        other is not null && Nonce == other.Nonce && Pow == other.Pow && Indices.AsSpan().SequenceEqual(other.Indices);

    public override int GetHashCode() => HashCode.Combine(Nonce, Pow, Indices.Length);
}

/// <summary>What a proof claims about the data (spec §6, <c>ProofMetadata</c>).</summary>
/// <param name="NodeId">The prover's identity.</param>
/// <param name="CommitmentAtxId">The ATX the data is committed to.</param>
/// <param name="Challenge">The challenge the proof answers.</param>
/// <param name="NumUnits">The space units proven.</param>
public sealed record ProofMetadata(NodeId NodeId, AtxId CommitmentAtxId, Challenge Challenge, uint NumUnits);

/// <summary>Network proof parameters (spec §2.1 <c>ProofConfig</c>); K3 is the verifier's subset size.</summary>
public sealed record ProofConfig(uint K1, uint K2, uint K3, byte[] PowDifficulty)
{
    /// <summary>Mainnet: k1 26, k2 37, k3 1, k2pow difficulty 000dfb23b0979b4b00….</summary>
    public static ProofConfig Mainnet => new(26, 37, 1, MainnetPowDifficulty.ToArray());

    /// <summary>Mainnet per-unit k2pow difficulty (big-endian 256-bit), go-spacemesh config/mainnet.go.</summary>
    public static ReadOnlySpan<byte> MainnetPowDifficulty =>
    [
        0x00, 0x0d, 0xfb, 0x23, 0xb0, 0x97, 0x9b, 0x4b, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
}

/// <summary>Network initialization parameters (spec §2.1 <c>InitConfig</c>); scrypt r = p = 1.</summary>
public sealed record InitConfig(uint MinNumUnits, uint MaxNumUnits, ulong LabelsPerUnit, ulong ScryptN)
{
    /// <summary>Mainnet: 4 ≤ num_units ≤ 2^32 − 1, 2^32 labels per unit, N = 8192.</summary>
    public static InitConfig Mainnet => new(4, uint.MaxValue, 1UL << 32, 8192);
}

/// <summary>Constants of the 8/56 proving scheme.</summary>
public static class ProvingConstants
{
    /// <summary>Nonces evaluated by one group AES key (one byte of each 16-byte AES output per nonce).</summary>
    public const int NoncesPerGroup = 16;

    /// <summary>Bytes per label on disk.</summary>
    public const int LabelSize = 16;

    /// <summary>Labels are processed 8 at a time (128 bytes); a read batch's trailing partial chunk is skipped.</summary>
    public const int ChunkSize = 128;

    /// <summary>The nonce group is a byte in the k2pow input, so at most 256 groups = 4096 nonces exist.</summary>
    public const int MaxNonces = 4096;
}
