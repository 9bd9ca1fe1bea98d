using System.Text;
using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Poet;

namespace Prover.Node.Validation;

/// <summary>
/// A PoET proof as the node stores it under its reference (go-spacemesh <c>types.PoetProofMessage</c>, NODE.md §1.4):
/// the proof, the PoET's service id, the round id, the statement (membership root) and the PoET's signature.
/// </summary>
/// <param name="Proof">The proof of sequential work.</param>
/// <param name="PoetServiceId">The PoET's public key (at most 32 bytes).</param>
/// <param name="RoundId">The round id (at most 32 bytes of UTF-8).</param>
/// <param name="Statement">The membership root the work is keyed on.</param>
/// <param name="Signature">The PoET's signature (not checked by go-spacemesh either).</param>
public sealed record PoetProofMessage(PoetProof Proof, byte[] PoetServiceId, string RoundId, Hash32 Statement, byte[] Signature)
{
    /// <summary>The <c>scale:"max=150"</c> limit on proven leaves.</summary>
    public const uint MaxProvenLeaves = 150;

    /// <summary>The <c>scale:"max=5400"</c> limit on proof nodes.</summary>
    public const uint MaxProofNodes = 5400;

    /// <summary>The wire form (<see cref="PoetProof.EncodeMessage"/>).</summary>
    public byte[] Encode() => Proof.EncodeMessage(PoetServiceId, RoundId, Statement, Signature);

    /// <summary>Reads the wire form; every byte must be consumed.</summary>
    /// <exception cref="ScaleDecodeException">The bytes are not a PoET proof message.</exception>
    public static PoetProofMessage Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ScaleReader(bytes);
        var root = ReadNode(ref reader);
        var leaves = ReadNodes(ref reader, MaxProvenLeaves);
        var nodes = ReadNodes(ref reader, MaxProofNodes);
        var leafCount = reader.ReadCompact64();
        var serviceId = reader.ReadByteArray(32);
        var roundId = Encoding.UTF8.GetString(reader.ReadBytes(32));
        var statement = reader.ReadHash32();
        var signature = reader.ReadFixed(64).ToArray();
        reader.EnsureEnd();
        return new PoetProofMessage(new PoetProof(root, leaves, nodes, leafCount), serviceId, roundId, statement, signature);
    }

    private static Hash32[] ReadNodes(ref ScaleReader reader, uint max)
    {
        var count = reader.ReadLength(max);
        var nodes = new Hash32[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = ReadNode(ref reader);
        }

        return nodes;
    }

    private static Hash32 ReadNode(ref ScaleReader reader)
    {
        var node = reader.ReadBytes(32);
        if (node.Length != Hash32.Length)
        {
            throw new ScaleDecodeException(ScaleError.InvalidLength, $"a PoET tree node is 32 bytes, got {node.Length}", reader.Position);
        }

        return new Hash32(node);
    }
}
