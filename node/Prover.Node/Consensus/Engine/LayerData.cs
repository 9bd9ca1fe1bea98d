using System.Buffers.Binary;
using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// The <see cref="Transport.Protocols.LayerData"/> exchange (go-spacemesh <c>fetch.LayerData</c>): the request is the
/// layer as u32 little-endian; the response is <c>scale({Ballots []BallotID, Blocks []BlockID})</c>, the ids of what the
/// peer stores for the layer. The ballots and blocks themselves are then fetched by hash.
/// </summary>
public sealed class LayerData : IScaleEncodable, IScaleDecodable<LayerData>
{
    /// <summary>The most ids of one kind a response may carry.</summary>
    public const uint MaxIds = 10_000;

    /// <summary>The ballot ids of the layer.</summary>
    public IReadOnlyList<Hash20> Ballots { get; init; } = [];

    /// <summary>The block ids of the layer.</summary>
    public IReadOnlyList<Hash20> Blocks { get; init; } = [];

    /// <summary>The request for <paramref name="layer"/>.</summary>
    public static byte[] Request(LayerId layer)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, layer.Value);
        return bytes;
    }

    /// <summary>The layer of a request.</summary>
    /// <exception cref="InvalidDataException">The request is not 4 bytes.</exception>
    public static LayerId ParseRequest(ReadOnlySpan<byte> request) =>
        request.Length == 4
            ? new LayerId(BinaryPrimitives.ReadUInt32LittleEndian(request))
            : throw new InvalidDataException($"a layer data request is 4 bytes, got {request.Length}");

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteHash20Vector(Ballots.ToArray(), MaxIds);
        writer.WriteHash20Vector(Blocks.ToArray(), MaxIds);
    }

    /// <inheritdoc/>
    public static LayerData Decode(ref ScaleReader reader) => new()
    {
        Ballots = reader.ReadHash20Vector(MaxIds),
        Blocks = reader.ReadHash20Vector(MaxIds),
    };
}
