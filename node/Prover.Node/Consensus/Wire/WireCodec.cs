using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Wire;

/// <summary>Reads and writes the consensus wire's fixed-size fields (raw arrays in go-scale) and its id lists.</summary>
internal static class WireCodec
{
    public static Hash20 ReadHash20(this ref ScaleReader reader) => new(reader.ReadFixed(Hash20.Length));

    public static EdSignature ReadEdSignature(this ref ScaleReader reader) => new(reader.ReadFixed(EdSignature.Length));

    public static VrfSignature ReadVrfSignature(this ref ScaleReader reader) => new(reader.ReadFixed(VrfSignature.Length));

    public static NodeId ReadNodeId(this ref ScaleReader reader) => new(reader.ReadHash32());

    public static AtxId ReadAtxId(this ref ScaleReader reader) => new(reader.ReadHash32());

    public static LayerId ReadLayer(this ref ScaleReader reader) => new(reader.ReadCompact32());

    public static void WriteLayer(this ref ScaleWriter writer, LayerId layer) => writer.WriteCompact32(layer.Value);

    /// <summary>A struct slice of 20-byte ids (one nesting level, as go-scale's struct slices).</summary>
    public static Hash20[] ReadHash20Vector(this ref ScaleReader reader, uint max)
    {
        var n = reader.ReadLength(max);
        reader.EnterNested();
        if ((long)n * Hash20.Length > reader.Remaining)
        {
            // Fails at the first missing byte, without allocating what the input cannot hold.
            reader.ReadFixed(reader.Remaining + 1);
        }

        var items = new Hash20[n];
        for (var i = 0; i < n; i++)
        {
            items[i] = reader.ReadHash20();
        }

        reader.LeaveNested();
        return items;
    }

    /// <summary>Writes a struct slice of 20-byte ids.</summary>
    public static void WriteHash20Vector(this ref ScaleWriter writer, ReadOnlySpan<Hash20> items, uint max)
    {
        writer.WriteLength(items.Length, max);
        writer.EnterNested();
        foreach (var item in items)
        {
            writer.WriteFixed(item.Span);
        }

        writer.LeaveNested();
    }

    /// <summary>A struct slice of compact32 layers (<c>[]types.LayerID</c>).</summary>
    public static LayerId[] ReadLayerVector(this ref ScaleReader reader, uint max)
    {
        var n = reader.ReadLength(max);
        reader.EnterNested();
        var items = new List<LayerId>(Math.Min(n, reader.Remaining));
        for (var i = 0; i < n; i++)
        {
            items.Add(reader.ReadLayer());
        }

        reader.LeaveNested();
        return [.. items];
    }

    /// <summary>Writes a struct slice of compact32 layers.</summary>
    public static void WriteLayerVector(this ref ScaleWriter writer, IReadOnlyList<LayerId> items, uint max)
    {
        writer.WriteLength(items.Count, max);
        writer.EnterNested();
        foreach (var item in items)
        {
            writer.WriteLayer(item);
        }

        writer.LeaveNested();
    }

    /// <summary>blake3-256 of <paramref name="value"/>'s encoding.</summary>
    public static Hash32 HashOf<T>(T value)
        where T : IScaleEncodable
    {
        var bytes = ScaleCodec.Encode(value);
        Span<byte> hash = stackalloc byte[Hash32.Length];
        Core.Crypto.Blake3.Hash(bytes, hash);
        return new Hash32(hash);
    }
}
