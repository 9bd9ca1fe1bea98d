using System.Diagnostics.CodeAnalysis;

namespace Prover.Core.Primitives;

/// <summary>A smesher's identity: its ed25519 public key (32 bytes). A typed <see cref="Hash32"/>.</summary>
public readonly record struct NodeId
{
    private readonly Hash32 _value;

    /// <summary>Wraps a 32-byte value.</summary>
    public NodeId(Hash32 value) => _value = value;

    /// <summary>Copies exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public NodeId(ReadOnlySpan<byte> bytes) => _value = new Hash32(bytes);

    /// <summary>The untyped value.</summary>
    public Hash32 Value => _value;

    /// <summary>All zero bytes.</summary>
    public static NodeId Zero => default;

    /// <summary>Parses 64 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 32 bytes of hex.</exception>
    public static NodeId Parse(string hex) => new(Hash32.Parse(hex));

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => _value.ToArray();

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => _value.ToString();
}
