using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;

namespace Prover.Node.Types;

/// <summary>
/// A coinbase account address: 24 bytes, 4 reserved (zero) bytes then 20 bytes (go-spacemesh
/// <c>common/types/address.go</c>). A wallet address of an ed25519 key is <c>0x00000000 ‖ pub[12:32]</c>.
/// Encoded in SCALE as a raw 24-byte array. Text form here is hex; the bech32 (<c>sm1…</c>) form is not implemented.
/// </summary>
public readonly struct Address : IEquatable<Address>
{
    /// <summary>The number of bytes.</summary>
    public const int Length = 24;

    private readonly Bytes24 _bytes;

    /// <summary>Copies exactly 24 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 24 bytes long.</exception>
    public Address(ReadOnlySpan<byte> bytes)
    {
        FixedBytes.CopyExact(bytes, _bytes, "address", nameof(bytes));
    }

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), Length);

    /// <summary>The address of a wallet whose ed25519 public key is <paramref name="publicKey"/>: 4 zero bytes ‖ pub[12:32].</summary>
    public static Address FromPublicKey(NodeId publicKey)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[..4].Clear();
        publicKey.Span[12..].CopyTo(bytes[4..]);
        return new Address(bytes);
    }

    /// <summary>Parses 48 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 24 bytes of hex.</exception>
    public static Address Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        Span<byte> bytes = stackalloc byte[Length];
        return FixedBytes.TryParseHex(hex, bytes)
            ? new Address(bytes)
            : throw new FormatException($"expected a 24-byte address as 48 hex digits, got '{hex}'");
    }

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Lowercase hex, 48 digits.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <inheritdoc/>
    public bool Equals(Address other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => MemoryMarshal.Read<int>(Span[4..]);

    /// <summary>Byte equality.</summary>
    public static bool operator ==(Address left, Address right) => left.Equals(right);

    /// <summary>Byte inequality.</summary>
    public static bool operator !=(Address left, Address right) => !left.Equals(right);

    [InlineArray(Length)]
    private struct Bytes24
    {
        private byte _element0;
    }
}
