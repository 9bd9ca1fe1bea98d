using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Prover.Core.Primitives;

/// <summary>
/// A 32-byte value held inline (no array): hashes, identities, commitments and challenges. Equality and ordering are
/// over the bytes; text forms are lowercase hex (with or without <c>0x</c> when parsed) and standard base64.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Length)]
public readonly struct Hash32 : IEquatable<Hash32>, IComparable<Hash32>, ISpanFormattable, IParsable<Hash32>
{
    /// <summary>The number of bytes.</summary>
    public const int Length = 32;

    private readonly Vector256<byte> _bytes;

    /// <summary>All zero bytes.</summary>
    public static Hash32 Zero => default;

    /// <summary>Copies exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a 32-byte value was expected, got {bytes.Length} bytes", nameof(bytes));
        }

        _bytes = Vector256.Create(bytes);
    }

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.CreateReadOnlySpan(
        ref Unsafe.As<Vector256<byte>, byte>(ref Unsafe.AsRef(in _bytes)), Length);

    /// <summary>True when every byte is zero.</summary>
    public bool IsZero => _bytes == Vector256<byte>.Zero;

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Copies the bytes into <paramref name="destination"/> (at least 32 bytes).</summary>
    public void CopyTo(Span<byte> destination) => Span.CopyTo(destination);

    /// <summary>Parses 64 hex digits, optionally prefixed by <c>0x</c>.</summary>
    /// <exception cref="FormatException">The text is not 32 bytes of hex.</exception>
    public static Hash32 Parse(string s) => Parse(s, null);

    /// <inheritdoc/>
    public static Hash32 Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var h)
            ? h
            : throw new FormatException($"expected 32 bytes as 64 hex digits, got '{s}'");

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Hash32 result)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (s is null || !FixedBytes.TryParseHex(s, bytes))
        {
            result = default;
            return false;
        }

        result = new Hash32(bytes);
        return true;
    }

    /// <summary>Parses standard base64 of exactly 32 bytes (protobuf JSON's form of <c>bytes</c>).</summary>
    /// <exception cref="FormatException">The text is not base64 of 32 bytes.</exception>
    public static Hash32 FromBase64(string s)
    {
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (!Convert.TryFromBase64String(s, bytes, out var written) || written != Length)
        {
            throw new FormatException($"expected 32 bytes in base64, got '{s}'");
        }

        return new Hash32(bytes[..Length]);
    }

    /// <summary>Standard base64 of the bytes.</summary>
    public string ToBase64() => Convert.ToBase64String(Span);

    /// <summary>Lowercase hex, 64 digits, no prefix.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <summary>The first <paramref name="bytes"/> bytes in hex, for logs.</summary>
    public string ToShortString(int bytes = 5) => Convert.ToHexStringLower(Span[..Math.Clamp(bytes, 1, Length)]);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Convert.TryToHexStringLower(Span, destination, out charsWritten);

    /// <inheritdoc/>
    public bool Equals(Hash32 other) => _bytes == other._bytes;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => MemoryMarshal.Read<int>(Span);

    /// <summary>Lexicographic order of the bytes.</summary>
    public int CompareTo(Hash32 other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Byte equality.</summary>
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    /// <summary>Byte inequality.</summary>
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);

    /// <summary>Lexicographic order.</summary>
    public static bool operator <(Hash32 left, Hash32 right) => left.CompareTo(right) < 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >(Hash32 left, Hash32 right) => left.CompareTo(right) > 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator <=(Hash32 left, Hash32 right) => left.CompareTo(right) <= 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >=(Hash32 left, Hash32 right) => left.CompareTo(right) >= 0;
}
