using System.Diagnostics.CodeAnalysis;
using Prover.Node.Genesis;

namespace Prover.Node.Consensus.Mesh;

/// <summary>
/// A block id: the first 20 bytes of BLAKE3 over the SCALE encoding of the block (go-spacemesh
/// <c>common/types/block.go</c> <c>Block.Initialize</c>). The all-zero id (<see cref="Empty"/>) stands for "no block":
/// an empty layer, as go-spacemesh's <c>EmptyBlockID</c>. Ordered by bytes.
/// </summary>
public readonly record struct BlockId : IComparable<BlockId>
{
    private readonly Hash20 _value;

    /// <summary>Wraps a 20-byte value.</summary>
    public BlockId(Hash20 value) => _value = value;

    /// <summary>Copies exactly 20 bytes.</summary>
    public BlockId(ReadOnlySpan<byte> bytes) => _value = new Hash20(bytes);

    /// <summary>The untyped value.</summary>
    public Hash20 Value => _value;

    /// <summary>The canonical empty id (an empty layer).</summary>
    public static BlockId Empty => default;

    /// <summary>Whether this is <see cref="Empty"/>.</summary>
    public bool IsEmpty => _value.IsZero;

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>Parses 40 hex digits.</summary>
    public static BlockId Parse(string hex) => new(Hash20.Parse(hex));

    /// <inheritdoc/>
    public int CompareTo(BlockId other) => _value.CompareTo(other._value);

    /// <summary>Byte order.</summary>
    public static bool operator <(BlockId left, BlockId right) => left.CompareTo(right) < 0;

    /// <summary>Byte order.</summary>
    public static bool operator >(BlockId left, BlockId right) => left.CompareTo(right) > 0;

    /// <summary>Byte order.</summary>
    public static bool operator <=(BlockId left, BlockId right) => left.CompareTo(right) <= 0;

    /// <summary>Byte order.</summary>
    public static bool operator >=(BlockId left, BlockId right) => left.CompareTo(right) >= 0;

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => _value.ToString();
}
