using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Signing;
using Prover.Node.Storage;

namespace Prover.Node.Activation;

/// <summary>The outcome of validating one received or built ATX: the validity to record and why.</summary>
/// <param name="Validity">The verdict stored in the ATX's header.</param>
/// <param name="Reason">A short human-readable reason (empty when valid).</param>
public sealed record AtxVerdict(AtxValidity Validity, string Reason)
{
    /// <summary>A valid ATX.</summary>
    public static AtxVerdict Valid { get; } = new(AtxValidity.Valid, "");

    /// <summary>An invalid ATX with its reason.</summary>
    public static AtxVerdict Invalid(string reason) => new(AtxValidity.Invalid, reason);
}

/// <summary>
/// Contextual validation of an ATX blob (signature, dependencies, PoST, PoET membership, VRF nonce, weight). The
/// node stores every ATX first and records the verdict of this interface; the full validator plugs in here.
/// </summary>
public interface IAtxValidator
{
    /// <summary>Validates <paramref name="blob"/> (ATX V1 wire bytes) against the node's store.</summary>
    ValueTask<AtxVerdict> ValidateAsync(ReadOnlyMemory<byte> blob, CancellationToken ct);
}

/// <summary>
/// A stand-in validator until the contextual one is merged: the blob decodes as ATX V1, its signature verifies under
/// the genesis prefix, and its previous ATX (if any) is stored and belongs to the same smesher.
/// </summary>
public sealed class SignatureAtxValidator(EdVerifier verifier, NodeStore store) : IAtxValidator
{
    /// <inheritdoc />
    public ValueTask<AtxVerdict> ValidateAsync(ReadOnlyMemory<byte> blob, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(store);
        if (!ActivationTxV1.TryDecode(blob.Span, out var atx, out var error) || atx is null)
        {
            return ValueTask.FromResult(AtxVerdict.Invalid("does not decode: " + error?.Message));
        }

        if (!verifier.Verify(SignatureDomain.Atx, atx.SmesherId, atx.SignedBytes(), atx.Signature.Span))
        {
            return ValueTask.FromResult(AtxVerdict.Invalid("bad signature"));
        }

        if (!atx.IsInitial)
        {
            var prev = store.GetAtx(atx.PrevAtxId);
            if (prev is null || prev.SmesherId != atx.SmesherId)
            {
                return ValueTask.FromResult(AtxVerdict.Invalid("previous ATX unknown or of another smesher"));
            }
        }
        else if (atx.NodeId is not { } node || node != atx.SmesherId)
        {
            return ValueTask.FromResult(AtxVerdict.Invalid("initial ATX without the smesher's node id"));
        }

        return ValueTask.FromResult(AtxVerdict.Valid);
    }
}
