using Prover.Node.Atx;
using Prover.Node.Signing;
using Prover.Node.Storage;

namespace Prover.Node.Activation;

/// <summary>
/// A light validator (the node's fallback when no full <see cref="IAtxValidator"/> is configured): the blob decodes as
/// ATX V1, its signature verifies under the genesis prefix, and its previous ATX (if any) is stored and belongs to the
/// same smesher. It writes nothing; the caller stores the ATX with the verdict.
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
            return ValueTask.FromResult(AtxVerdict.Rejected(AtxRejection.Malformed, "does not decode: " + error?.Message));
        }

        var id = atx.ComputeId();
        if (!verifier.Verify(SignatureDomain.Atx, atx.SmesherId, atx.SignedBytes(), atx.Signature.Span))
        {
            return ValueTask.FromResult(AtxVerdict.Rejected(AtxRejection.BadSignature, "bad signature", atx, id));
        }

        if (!atx.IsInitial && store.GetAtx(atx.PrevAtxId) is null)
        {
            return ValueTask.FromResult(AtxVerdict.Rejected(AtxRejection.UnknownPrevAtx, "previous ATX unknown", atx, id));
        }

        if (!atx.IsInitial && store.GetAtx(atx.PrevAtxId)!.SmesherId != atx.SmesherId)
        {
            return ValueTask.FromResult(AtxVerdict.Rejected(AtxRejection.PrevAtxOfOtherSmesher, "previous ATX of another smesher", atx, id));
        }

        return ValueTask.FromResult(new AtxVerdict { Atx = atx, Id = id, Validity = AtxValidity.Valid });
    }
}
