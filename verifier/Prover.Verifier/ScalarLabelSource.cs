using Prover.Core.Init;

namespace Prover.Verifier;

/// <summary>The scalar oracle as an <see cref="ILabelSource"/>: one label after the other with <see cref="Labels.Output32"/>.
/// The default of <see cref="ProofVerifier"/> and the yardstick of every faster source.</summary>
public sealed class ScalarLabelSource : ILabelSource
{
    /// <summary>The one instance (it has no state).</summary>
    public static ScalarLabelSource Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "scalar oracle";

    /// <inheritdoc/>
    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ReadOnlySpan<ulong> indices, Span<byte> output32,
        CancellationToken cancellationToken = default)
    {
        if (output32.Length != indices.Length * 32)
        {
            throw new ArgumentException($"{indices.Length} indices need {indices.Length * 32} output bytes", nameof(output32));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Labels.Output32(commitment, indices[i], scryptN, output32.Slice(32 * i, 32));
        }
    }
}
