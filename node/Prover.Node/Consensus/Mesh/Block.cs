using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Mesh;

/// <summary>
/// A rational number as go-spacemesh's <c>types.RatNum</c>: numerator and denominator, each a compact64 in SCALE.
/// </summary>
/// <param name="Num">The numerator.</param>
/// <param name="Denom">The denominator (never 0 in a valid block).</param>
public readonly record struct RatNum(ulong Num, ulong Denom) : IScaleEncodable, IScaleDecodable<RatNum>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact64(Num);
        writer.WriteCompact64(Denom);
    }

    /// <inheritdoc/>
    public static RatNum Decode(ref ScaleReader reader) => new(reader.ReadCompact64(), reader.ReadCompact64());

    /// <summary>"num/denom".</summary>
    public override string ToString() => $"{Num}/{Denom}";
}

/// <summary>One reward entry of a block (go-spacemesh <c>types.AnyReward</c>): the ATX whose coinbase is paid, and its
/// share weight. SCALE: the 32-byte ATX id, then the <see cref="RatNum"/>.</summary>
/// <param name="AtxId">The ATX of the smesher that earned the reward.</param>
/// <param name="Weight">Its weight in the layer (ATX weight × proofs / eligibility count, reduced).</param>
public readonly record struct AnyReward(AtxId AtxId, RatNum Weight) : IScaleEncodable, IScaleDecodable<AnyReward>
{
    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteFixed(AtxId.Span);
        Weight.Encode(ref writer);
    }

    /// <inheritdoc/>
    public static AnyReward Decode(ref ScaleReader reader)
    {
        var id = new AtxId(reader.ReadFixed(32));
        return new AnyReward(id, RatNum.Decode(ref reader));
    }
}

/// <summary>
/// A block: the content of one layer (go-spacemesh <c>types.InnerBlock</c>). SCALE, in this order:
/// <c>LayerIndex</c> compact32, <c>TickHeight</c> compact64, <c>Rewards</c> (struct slice, at most
/// <see cref="MaxRewards"/>), <c>TxIDs</c> (32-byte ids, at most <see cref="MaxTxIds"/>). The limits are those of the
/// <c>scale:"max=…"</c> tags of <c>common/types/block.go</c>. The id is <see cref="ComputeId"/> of these bytes.
/// </summary>
public sealed class Block : IScaleEncodable, IScaleDecodable<Block>
{
    /// <summary>The most rewards a block may carry (<c>scale:"max=500"</c>).</summary>
    public const uint MaxRewards = 500;

    /// <summary>The most transaction ids a block may carry (<c>scale:"max=100000"</c>).</summary>
    public const uint MaxTxIds = 100_000;

    /// <summary>Creates a block; the lists are copied.</summary>
    public Block(LayerId layer, ulong tickHeight, IEnumerable<AnyReward> rewards, IEnumerable<Hash32>? txIds = null)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        Layer = layer;
        TickHeight = tickHeight;
        Rewards = [.. rewards];
        TxIds = txIds is null ? [] : [.. txIds];
    }

    /// <summary>The layer the block is for.</summary>
    public LayerId Layer { get; }

    /// <summary>The tick height of the block (the highest base tick height of its proposals' ATXs).</summary>
    public ulong TickHeight { get; }

    /// <summary>The rewards, sorted by ATX id.</summary>
    public IReadOnlyList<AnyReward> Rewards { get; }

    /// <summary>The transaction ids, in execution order.</summary>
    public IReadOnlyList<Hash32> TxIds { get; }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(Layer.Value);
        writer.WriteCompact64(TickHeight);
        writer.WriteVector(Rewards, MaxRewards);
        var ids = TxIds.ToArray();
        writer.WriteHash32Vector(ids, MaxTxIds);
    }

    /// <inheritdoc/>
    public static Block Decode(ref ScaleReader reader)
    {
        var layer = new LayerId(reader.ReadCompact32());
        ulong tick = reader.ReadCompact64();
        var rewards = reader.ReadVector<AnyReward>(MaxRewards);
        var txs = reader.ReadHash32Vector(MaxTxIds);
        return new Block(layer, tick, rewards, txs);
    }

    /// <summary>The SCALE bytes (go-spacemesh <c>Block.Bytes</c>).</summary>
    /// <exception cref="ScaleEncodeException">A list is over its limit.</exception>
    public byte[] ToBytes() => ScaleCodec.Encode(this);

    /// <summary>Decodes exactly one block from <paramref name="bytes"/> (every byte consumed, limits enforced).</summary>
    /// <exception cref="ScaleDecodeException">The bytes are not a block.</exception>
    public static Block FromBytes(ReadOnlySpan<byte> bytes) => ScaleCodec.Decode<Block>(bytes);

    /// <summary>The block id: the first 20 bytes of BLAKE3-256 of <see cref="ToBytes"/>.</summary>
    public BlockId Id => ComputeId(ToBytes());

    /// <summary>The id of the block whose SCALE bytes are <paramref name="encoded"/>.</summary>
    public static BlockId ComputeId(ReadOnlySpan<byte> encoded)
    {
        Span<byte> hash = stackalloc byte[32];
        Prover.Core.Crypto.Blake3.Hash(encoded, hash);
        return new BlockId(hash[..20]);
    }
}
