using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;

namespace Prover.Node.Genesis;

/// <summary>
/// A 20-byte value held inline: go-spacemesh's <c>types.Hash20</c>, the first 20 bytes of a BLAKE3-256 output
/// (<c>common/types/hashes.go</c> <c>ToHash20</c>). GenesisID, ballot, proposal and block ids have this size.
/// Equality and ordering are over the bytes; the text form is lowercase hex.
/// </summary>
public readonly struct Hash20 : IEquatable<Hash20>, IComparable<Hash20>, ISpanFormattable, IParsable<Hash20>
{
    /// <summary>The number of bytes.</summary>
    public const int Length = 20;

    private readonly Bytes20 _bytes;

    /// <summary>All zero bytes.</summary>
    public static Hash20 Zero => default;

    /// <summary>Copies exactly 20 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 20 bytes long.</exception>
    public Hash20(ReadOnlySpan<byte> bytes)
    {
        FixedBytes.CopyExact(bytes, _bytes, "value", nameof(bytes));
    }

    /// <summary>The first 20 bytes of <paramref name="hash"/> (at least 20 bytes), as go-spacemesh's <c>ToHash20</c>.</summary>
    public static Hash20 Truncate(ReadOnlySpan<byte> hash) => new(hash[..Length]);

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), Length);

    /// <summary>True when every byte is zero.</summary>
    public bool IsZero => Span.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Copies the bytes into <paramref name="destination"/> (at least 20 bytes).</summary>
    public void CopyTo(Span<byte> destination) => Span.CopyTo(destination);

    /// <summary>Parses 40 hex digits, optionally prefixed by <c>0x</c>.</summary>
    /// <exception cref="FormatException">The text is not 20 bytes of hex.</exception>
    public static Hash20 Parse(string s) => Parse(s, null);

    /// <inheritdoc/>
    public static Hash20 Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var h)
            ? h
            : throw new FormatException($"expected 20 bytes as 40 hex digits, got '{s}'");

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Hash20 result)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (s is null || !FixedBytes.TryParseHex(s, bytes))
        {
            result = default;
            return false;
        }

        result = new Hash20(bytes);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Convert.TryToHexStringLower(Span, destination, out charsWritten);

    /// <inheritdoc/>
    public bool Equals(Hash20 other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hash20 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => MemoryMarshal.Read<int>(Span);

    /// <inheritdoc/>
    public int CompareTo(Hash20 other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(Hash20 left, Hash20 right) => left.Equals(right);

    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(Hash20 left, Hash20 right) => !left.Equals(right);

    /// <summary>Byte-wise ordering.</summary>
    public static bool operator <(Hash20 left, Hash20 right) => left.CompareTo(right) < 0;

    /// <summary>Byte-wise ordering.</summary>
    public static bool operator >(Hash20 left, Hash20 right) => left.CompareTo(right) > 0;

    /// <summary>Byte-wise ordering.</summary>
    public static bool operator <=(Hash20 left, Hash20 right) => left.CompareTo(right) <= 0;

    /// <summary>Byte-wise ordering.</summary>
    public static bool operator >=(Hash20 left, Hash20 right) => left.CompareTo(right) >= 0;

    [InlineArray(Length)]
    private struct Bytes20
    {
        private byte _first;
    }
}
