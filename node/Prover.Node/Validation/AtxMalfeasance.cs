using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Types;

namespace Prover.Node.Validation;

/// <summary>
/// V1 malfeasance proofs about ATXs (go-spacemesh <c>malfeasance/wire</c>, NODE.md §3.1), the documented subset this
/// node emits: <c>MalfeasanceProof{Layer compact32; Proof{Type u8; Data}}</c> with <c>Data = AtxProof{Messages [2]
/// AtxProofMsg}</c> and <c>AtxProofMsg{InnerMsg ATXMetadataV1{PublishEpoch compact32, MsgHash [32]}; SmesherID [32];
/// Signature [64]}</c>. Each message is exactly what the smesher signed (<see cref="ActivationTxV1.SignedBytes()"/>), so
/// anyone can check the proof with the smesher's key. Layer is the first layer of the publish epoch.
/// </summary>
public static class AtxMalfeasance
{
    /// <summary>Type byte of a MultipleATXs proof (two ATXs of one identity for one publish epoch).</summary>
    public const byte MultipleAtxs = 1;

    /// <summary>Type byte of an InvalidPrevATX proof (two ATXs of one identity naming one previous ATX).</summary>
    public const byte InvalidPrevAtx = 5;

    /// <summary>
    /// Encodes a two-message ATX proof of type <paramref name="type"/> from the two ATXs' publish epochs, ids and
    /// signatures.
    /// </summary>
    public static byte[] Encode(byte type, uint layer, NodeId smesher,
        (EpochId Publish, AtxId Id, EdSignature Signature) first, (EpochId Publish, AtxId Id, EdSignature Signature) second)
    {
        var writer = new ScaleWriter(stackalloc byte[512]);
        try
        {
            writer.WriteCompact32(layer);
            writer.WriteByte(type);
            foreach (var (publish, id, signature) in new[] { first, second })
            {
                writer.WriteCompact32(publish.Value);
                writer.WriteHash32(id.Value);
                writer.WriteHash32(smesher.Value);
                writer.WriteFixed(signature.Span);
            }

            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
