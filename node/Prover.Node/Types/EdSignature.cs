using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a 64-byte signature was expected, got {bytes.Length} bytes", nameof(bytes));
        }

        bytes.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Bytes64, byte>(ref _bytes), Length));
    }

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<Bytes64, byte>(ref Unsafe.AsRef(in _bytes)), Length);

    /// <summary>All zero bytes.</summary>
    public static EdSignature Zero => default;

    /// <summary>Parses 128 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 64 bytes of hex.</exception>
    public static EdSignature Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var text = hex.AsSpan().Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (text.Length != 2 * Length
            || Convert.FromHexString(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Length)
        {
            throw new FormatException($"expected a 64-byte signature as 128 hex digits, got '{hex}'");
        }

        return new EdSignature(bytes);
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
