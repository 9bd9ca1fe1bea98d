using System.Buffers.Binary;
using Prover.Node.Codec;

namespace Prover.Node.Atx;

/// <summary>
/// A PoST proof on the wire (go-spacemesh <c>wire.PostV1</c>): <c>Nonce compact32 ‖ Indices bytes(max 800) ‖
/// Pow compact64</c>. The indices are bit-packed label indices (ceil(K2·bits/8) bytes; 162 on mainnet).
/// </summary>
public sealed class PostV1 : IScaleEncodable, IScaleDecodable<PostV1>
{
    /// <summary>The <c>scale:"max=800"</c> limit on <see cref="Indices"/>.</summary>
    public const uint MaxIndicesBytes = 800;

    /// <summary>The winning nonce.</summary>
    public uint Nonce { get; set; }

    /// <summary>The bit-packed indices (empty decodes as Go's nil).</summary>
    public byte[] Indices { get; set; } = [];

    /// <summary>The k2pow proof of work.</summary>
    public ulong Pow { get; set; }

    /// <inheritdoc/>
    public static PostV1 Decode(ref ScaleReader reader) => new()
    {
        Nonce = reader.ReadCompact32(),
        Indices = reader.ReadByteArray(MaxIndicesBytes),
        Pow = reader.ReadCompact64(),
    };

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(Nonce);
        writer.WriteBytes(Indices, MaxIndicesBytes);
        writer.WriteCompact64(Pow);
    }

    /// <summary>
    /// The ATX V2 merkle root: tree(u32 LE nonce (4 B), indices (raw), u64 LE pow (8 B)) (<c>wire_v2.go</c>).
    /// </summary>
    public byte[] MerkleRoot()
    {
        var nonce = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(nonce, Nonce);
        var pow = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(pow, Pow);
        return AtxMerkleTree.RootOf(nonce, Indices, pow)!;
    }

    /// <summary>A deep copy.</summary>
    public PostV1 Clone() => new() { Nonce = Nonce, Indices = (byte[])Indices.Clone(), Pow = Pow };
}
