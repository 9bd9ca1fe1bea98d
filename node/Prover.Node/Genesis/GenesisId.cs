using System.Diagnostics.CodeAnalysis;

namespace Prover.Node.Genesis;

/// <summary>
/// A network's identity: the first 20 bytes of its golden ATX id (go-spacemesh <c>config/genesis.go</c>
/// <c>GenesisID</c>). It prefixes every signed message (<c>GenesisID ‖ domain ‖ msg</c>). A typed <see cref="Hash20"/>.
/// </summary>
public readonly record struct GenesisId
{
    private readonly Hash20 _value;

    /// <summary>Wraps a 20-byte value.</summary>
    public GenesisId(Hash20 value) => _value = value;

    /// <summary>Copies exactly 20 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 20 bytes long.</exception>
    public GenesisId(ReadOnlySpan<byte> bytes) => _value = new Hash20(bytes);

    /// <summary>The number of bytes.</summary>
    public const int Length = Hash20.Length;

    /// <summary>The untyped value.</summary>
    public Hash20 Value => _value;

    /// <summary>Parses 40 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 20 bytes of hex.</exception>
    public static GenesisId Parse(string hex) => new(Hash20.Parse(hex));

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => _value.ToArray();

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => _value.ToString();
}
