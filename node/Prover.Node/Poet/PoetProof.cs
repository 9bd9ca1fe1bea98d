using System.Text;
using Prover.Core.Crypto;
using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>
/// A PoET's non-interactive proof of sequential work (go-spacemesh <c>types.PoetProof</c>): the tree root, the T proven
/// leaves, the proof nodes in validator order and the leaf count. The PoST challenge is its <see cref="Ref"/>.
/// </summary>
public sealed record PoetProof(Hash32 Root, IReadOnlyList<Hash32> ProvenLeaves, IReadOnlyList<Hash32> ProofNodes, ulong LeafCount)
{
    /// <summary>
    /// SCALE: <c>Bytes Root (max 32) ‖ Vec&lt;Bytes&gt; ProvenLeaves (max 150) ‖ Vec&lt;Bytes&gt; ProofNodes (max 5400) ‖
    /// LeafCount compact64</c>.
    /// </summary>
    public byte[] Encode()
    {
        var writer = new PoetScaleWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary><c>blake3(scale(PoetProof))</c>: the PoST challenge of the ATXs built on this round (NODE.md §1.4).</summary>
    public Hash32 Ref()
    {
        var output = new byte[32];
        Blake3.Hash(Encode(), output);
        return new Hash32(output);
    }

    /// <summary>
    /// SCALE of go-spacemesh's <c>PoetProofMessage</c>: this proof, then <c>Bytes PoetServiceID (max 32) ‖
    /// String RoundID (max 32) ‖ Statement [32] ‖ Signature [64]</c>.
    /// </summary>
    public byte[] EncodeMessage(ReadOnlySpan<byte> poetServiceId, string roundId, Hash32 statement, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(roundId);
        if (signature.Length != 64)
        {
            throw new ArgumentException("the PoET signature is 64 bytes", nameof(signature));
        }

        var writer = new PoetScaleWriter();
        Write(writer);
        writer.Bytes(poetServiceId);
        writer.Bytes(Encoding.UTF8.GetBytes(roundId));
        writer.Raw(statement.Span);
        writer.Raw(signature);
        return writer.ToArray();
    }

    private void Write(PoetScaleWriter writer)
    {
        writer.Bytes(Root.Span);
        writer.Compact((ulong)ProvenLeaves.Count);
        foreach (var leaf in ProvenLeaves)
        {
            writer.Bytes(leaf.Span);
        }

        writer.Compact((ulong)ProofNodes.Count);
        foreach (var node in ProofNodes)
        {
            writer.Bytes(node.Span);
        }

        writer.Compact(LeafCount);
    }
}

/// <summary>
/// The few go-scale encodings the PoET proof needs (compact integers, length-prefixed bytes, raw arrays). A private
/// stand-in: the node's SCALE codec lives in Prover.Node.Codec (node-codec) and replaces this at merge.
/// </summary>
internal sealed class PoetScaleWriter
{
    private readonly List<byte> _bytes = [];

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Compact((ulong)bytes.Length);
        Raw(bytes);
    }

    public void Compact(ulong value)
    {
        if (value <= 0x3F)
        {
            _bytes.Add((byte)(value << 2));
        }
        else if (value <= 0x3FFF)
        {
            var v = (ushort)((value << 2) | 1);
            _bytes.Add((byte)v);
            _bytes.Add((byte)(v >> 8));
        }
        else if (value <= 0x3FFF_FFFF)
        {
            var v = (uint)((value << 2) | 2);
            for (var i = 0; i < 4; i++)
            {
                _bytes.Add((byte)(v >> (8 * i)));
            }
        }
        else
        {
            var n = (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
            _bytes.Add((byte)(((n - 4) << 2) | 3));
            for (var i = 0; i < n; i++)
            {
                _bytes.Add((byte)(value >> (8 * i)));
            }
        }
    }

    public byte[] ToArray() => [.. _bytes];
}
