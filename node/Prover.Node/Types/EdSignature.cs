using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;

namespace Prover.Node.Types;

/// <summary>
/// A 64-byte ed25519 signature as carried in ATXs, ballots and certificates (go-spacemesh <c>types.EdSignature</c>);
/// encoded in SCALE as a raw 64-byte array. Only the bytes: signing and verifying belong to <c>Prover.Node.Signing</c>.
/// </summary>
public readonly struct EdSignature : IEquatable<EdSignature>
{
    /// <summary>The number of bytes.</summary>
    public const int Length = 64;

    private readonly Bytes64 _bytes;

    /// <summary>Copies exactly 64 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 64 bytes long.</exception>
    public EdSignature(ReadOnlySpan<byte> bytes)
    {
        FixedBytes.CopyExact(bytes, _bytes, "signature", nameof(bytes));
    }

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), Length);

    /// <summary>All zero bytes.</summary>
    public static EdSignature Zero => default;

    /// <summary>Parses 128 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 64 bytes of hex.</exception>
    public static EdSignature Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        Span<byte> bytes = stackalloc byte[Length];
        return FixedBytes.TryParseHex(hex, bytes)
            ? new EdSignature(bytes)
            : throw new FormatException($"expected a 64-byte signature as 128 hex digits, got '{hex}'");
    }

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Lowercase hex, 128 digits.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <inheritdoc/>
    public bool Equals(EdSignature other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EdSignature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => MemoryMarshal.Read<int>(Span);

    /// <summary>Byte equality.</summary>
    public static bool operator ==(EdSignature left, EdSignature right) => left.Equals(right);

    /// <summary>Byte inequality.</summary>
    public static bool operator !=(EdSignature left, EdSignature right) => !left.Equals(right);

    [InlineArray(Length)]
    private struct Bytes64
    {
        private byte _element0;
    }
}
