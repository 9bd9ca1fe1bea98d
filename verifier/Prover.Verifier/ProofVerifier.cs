using System.Buffers.Binary;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Proving;

namespace Prover.Verifier;

/// <summary>Which of a proof's k2 indices the verifier recomputes (spec §6 step 5).</summary>
public abstract record VerifyMode
{
    private VerifyMode()
    {
    }

    /// <summary>Every index, in proof order.</summary>
    public static VerifyMode All { get; } = new AllIndices();

    /// <summary>Only the index at position <paramref name="index"/> (malfeasance re-checks); beyond k2 nothing is checked, like post-rs's skip/take.</summary>
    public static VerifyMode One(int index) => new OneIndex(index);

    /// <summary>k3 random indices chosen with §6.1 from seed ‖ node_id ‖ challenge; k3 == k2 checks all in order.</summary>
    public static VerifyMode Subset(int k3, byte[] seed) => new SubsetIndices(k3, seed);

    public sealed record AllIndices : VerifyMode;

    public sealed record OneIndex(int Index) : VerifyMode;

    public sealed record SubsetIndices(int K3, byte[] Seed) : VerifyMode;
}

/// <summary>Why a proof is invalid (post-rs <c>verification::Error</c>).</summary>
public abstract record VerifyError(string Message)
{
    public sealed record NumUnitsTooSmall(uint Min, uint Actual) : VerifyError($"num_units {Actual} is below the minimum {Min}");

    public sealed record NumUnitsTooLarge(uint Max, uint Actual) : VerifyError($"num_units {Actual} is above the maximum {Max}");

    public sealed record NonceGroupOutOfBounds(uint NonceGroup) : VerifyError($"nonce group {NonceGroup} does not fit in a byte");

    public sealed record InvalidPoW() : VerifyError("invalid k2pow");

    public sealed record InvalidIndicesLen(int Expected, int Actual) : VerifyError($"indices are {Actual} bytes, expected {Expected}");

    public sealed record InvalidNumLabels(ulong NumLabels, uint K1) : VerifyError($"no proving difficulty for {NumLabels} labels and k1 {K1}");

    public sealed record InvalidMsb(int IndexId, ulong LabelIndex, byte Msb, byte DifficultyMsb)
        : VerifyError($"index {IndexId} (label {LabelIndex}): msb {Msb} > difficulty msb {DifficultyMsb}");

    public sealed record InvalidLsb(int IndexId, ulong LabelIndex, ulong Lsb, ulong DifficultyLsb)
        : VerifyError($"index {IndexId} (label {LabelIndex}): lsb {Lsb} >= difficulty lsb {DifficultyLsb}");

    /// <summary>The message alone: sealed, so that no error prints as a record (<c>InvalidPoW { Message = … }</c>).</summary>
    public sealed override string ToString() => Message;
}

/// <summary>
/// Proof verification (spec §6): every step in post-rs order, first failure wins. Labels come from an
/// <see cref="ILabelSource"/> (the scalar scrypt oracle <see cref="ScalarLabelSource"/> unless another is given; a node
/// hands it the SIMD source, which recomputes the selected labels together across vector lanes), AES from
/// <see cref="Aes128"/>, the k2pow check from an <see cref="IK2PowVerifier"/>.
/// </summary>
public sealed class ProofVerifier
{
    private readonly ProofConfig _proofConfig;
    private readonly InitConfig _initConfig;
    private readonly IK2PowVerifier _powVerifier;
    private readonly ILabelSource _labels;

    /// <summary>Creates a verifier.</summary>
    /// <param name="proofConfig">K1, K2, K3 and the k2pow difficulty.</param>
    /// <param name="initConfig">Units bounds, labels per unit and scrypt N.</param>
    /// <param name="powVerifier">The k2pow check.</param>
    /// <param name="labelSource">Where labels are recomputed; the scalar oracle when null.</param>
    public ProofVerifier(ProofConfig proofConfig, InitConfig initConfig, IK2PowVerifier powVerifier, ILabelSource? labelSource = null)
    {
        ArgumentNullException.ThrowIfNull(proofConfig);
        ArgumentNullException.ThrowIfNull(initConfig);
        ArgumentNullException.ThrowIfNull(powVerifier);
        if (proofConfig.PowDifficulty is not { Length: 32 })
        {
            throw new ArgumentException("The k2pow difficulty is 32 bytes.", nameof(proofConfig));
        }

        _proofConfig = proofConfig;
        _initConfig = initConfig;
        _powVerifier = powVerifier;
        _labels = labelSource ?? ScalarLabelSource.Instance;
    }

    /// <summary>The label source the verifier recomputes labels with.</summary>
    public ILabelSource LabelSource => _labels;

    /// <summary>Returns null when the proof is valid, else the first error.</summary>
    public VerifyError? Verify(Proof proof, ProofMetadata metadata, VerifyMode mode)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(mode);

        // 1. Units.
        if (metadata.NumUnits < _initConfig.MinNumUnits)
        {
            return new VerifyError.NumUnitsTooSmall(_initConfig.MinNumUnits, metadata.NumUnits);
        }

        if (metadata.NumUnits > _initConfig.MaxNumUnits)
        {
            return new VerifyError.NumUnitsTooLarge(_initConfig.MaxNumUnits, metadata.NumUnits);
        }

        // 2. k2pow of the nonce group, against the difficulty scaled by the units.
        byte[] powDifficulty = K2PowDifficulty.Scale(_proofConfig.PowDifficulty, metadata.NumUnits);
        uint nonceGroup = proof.Nonce / ProvingConstants.NoncesPerGroup;
        if (nonceGroup > byte.MaxValue)
        {
            return new VerifyError.NonceGroupOutOfBounds(nonceGroup);
        }

        if (!_powVerifier.Verify(proof.Pow, (byte)nonceGroup, metadata.Challenge.Span[..8], powDifficulty, metadata.NodeId.Span))
        {
            return new VerifyError.InvalidPoW();
        }

        // 3. Length of the packed indices, with the network's labels per unit.
        UInt128 wideLabels = (UInt128)metadata.NumUnits * _initConfig.LabelsPerUnit;
        if (wideLabels > ulong.MaxValue)
        {
            return new VerifyError.InvalidNumLabels(ulong.MaxValue, _proofConfig.K1);
        }

        ulong numLabels = (ulong)wideLabels;
        int bits = IndexCompression.RequiredBits(numLabels);
        int expectedLength = IndexCompression.ExpectedBytes(bits, (int)_proofConfig.K2);
        if (proof.Indices.Length != expectedLength)
        {
            return new VerifyError.InvalidIndicesLen(expectedLength, proof.Indices.Length);
        }

        // 4. Commitment, keys and difficulty.
        byte[] commitment = Labels.Commitment(metadata.NodeId, metadata.CommitmentAtxId).ToArray();
        if (!ProvingDifficulty.TryCompute(_proofConfig.K1, numLabels, out ulong difficulty))
        {
            return new VerifyError.InvalidNumLabels(numLabels, _proofConfig.K1);
        }

        byte msbLimit = ProvingDifficulty.Msb(difficulty);
        ulong lsbLimit = ProvingDifficulty.Lsb(difficulty);
        int j = (int)(proof.Nonce % ProvingConstants.NoncesPerGroup);
        Span<byte> groupKey = stackalloc byte[16];
        Span<byte> lazyKey = stackalloc byte[16];
        ProvingKeys.GroupKey(metadata.Challenge, nonceGroup, proof.Pow, groupKey);
        ProvingKeys.LazyKey(metadata.Challenge, proof.Nonce, proof.Pow, lazyKey);
        var groupRoundKeys = new byte[Aes128.ExpandedKeySize];
        var lazyRoundKeys = new byte[Aes128.ExpandedKeySize];
        Aes128.ExpandKey(groupKey, groupRoundKeys);
        Aes128.ExpandKey(lazyKey, lazyRoundKeys);

        // 5. Indices to check.
        ulong[] indices = IndexCompression.Decompress(proof.Indices, bits, (int)_proofConfig.K2);
        var all = new List<(int IndexId, ulong Index)>(indices.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            all.Add((i, indices[i]));
        }

        List<(int IndexId, ulong Index)> selected = mode switch
        {
            VerifyMode.OneIndex one => all.Skip(one.Index).Take(1).ToList(),
            VerifyMode.SubsetIndices subset when subset.K3 != (int)_proofConfig.K2 =>
                RandomSubset.ForVerifier(all, subset.K3, subset.Seed, metadata.NodeId.Span, metadata.Challenge.Span),
            _ => all,
        };

        // 6. Recompute the selected labels (together: a SIMD source shares its lanes between them), then check each
        // label's score for the nonce in order.
        var selectedIndices = new ulong[selected.Count];
        for (int i = 0; i < selected.Count; i++)
        {
            selectedIndices[i] = selected[i].Index;
        }

        var outputs = new byte[selected.Count * 32];
        _labels.ComputeOutputs(commitment, _initConfig.ScryptN, selectedIndices, outputs);
        Span<byte> output = stackalloc byte[16];
        for (int i = 0; i < selected.Count; i++)
        {
            (int indexId, ulong index) = selected[i];
            ReadOnlySpan<byte> label = outputs.AsSpan(32 * i, 16);
            Aes128.EncryptBlock(groupRoundKeys, label, output);
            byte msb = output[j];
            if (msb > msbLimit)
            {
                return new VerifyError.InvalidMsb(indexId, index, msb, msbLimit);
            }

            if (msb == msbLimit)
            {
                Aes128.EncryptBlock(lazyRoundKeys, label, output);
                ulong lsb = BinaryPrimitives.ReadUInt64LittleEndian(output) & ProvingDifficulty.LsbMask;
                if (lsb >= lsbLimit)
                {
                    return new VerifyError.InvalidLsb(indexId, index, lsb, lsbLimit);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// VRF nonce check (spec §3.3): the full 32-byte scrypt output of label <paramref name="nonce"/> must be below
    /// <see cref="VrfDifficulty.ForLabels"/>(num_units × labels_per_unit).
    /// </summary>
    public static bool VerifyVrfNonce(ReadOnlySpan<byte> commitment, ulong nonce, ulong numLabels, ulong scryptN)
    {
        byte[] difficulty = VrfDifficulty.ForLabels(numLabels);
        Span<byte> output = stackalloc byte[32];
        Labels.Output32(commitment, nonce, scryptN, output);
        return VrfDifficulty.IsBelow(output, difficulty);
    }
}
