namespace Prover.Core.Init;

/// <summary>
/// Computes the 32-byte scrypt outputs of labels at arbitrary indices (a proof's indices, a VRF nonce), as a verifier
/// needs them: <c>output32[32·i ..]</c> receives the output of label <c>indices[i]</c>. Implementations are safe to call
/// from several threads at once. The scalar oracle (Prover.Verifier) is the default; a SIMD implementation batches the
/// indices across vector lanes.
/// </summary>
public interface ILabelSource
{
    /// <summary>A short description (implementation, SIMD level, threads).</summary>
    string Name { get; }

    /// <summary>Fills <paramref name="output32"/> (32 bytes per index, in order) for <paramref name="commitment"/> and scrypt N.</summary>
    void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ReadOnlySpan<ulong> indices, Span<byte> output32,
        CancellationToken cancellationToken = default);
}
