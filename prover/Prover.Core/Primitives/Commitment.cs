using System.Diagnostics.CodeAnalysis;

namespace Prover.Core.Primitives;

/// <summary>The PoST commitment: BLAKE3(node id ‖ commitment ATX id) (POST spec §2). A typed <see cref="Hash32"/>.</summary>
public readonly record struct Commitment
{
    private readonly Hash32 _value;

    /// <summary>Wraps a 32-byte value.</summary>
    public Commitment(Hash32 value) => _value = value;

    /// <summary>Copies exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Commitment(ReadOnlySpan<byte> bytes) => _value = new Hash32(bytes);

    /// <summary>The untyped value.</summary>
    public Hash32 Value => _value;

    /// <summary>All zero bytes.</summary>
    public static Commitment Zero => default;

    /// <summary>The commitment of an identity to an ATX: BLAKE3(node id ‖ commitment ATX id).</summary>
    public static Commitment Of(NodeId nodeId, AtxId commitmentAtxId)
    {
        Span<byte> hash = stackalloc byte[Hash32.Length];
        using var hasher = Crypto.Blake3.CreateHasher();
        hasher.Update(nodeId.Span);
        hasher.Update(commitmentAtxId.Span);
        hasher.Finalize(hash);

        return new Commitment(hash);
    }

    /// <summary>Parses 64 hex digits (optionally <c>0x</c>-prefixed).</summary>
    /// <exception cref="FormatException">The text is not 32 bytes of hex.</exception>
    public static Commitment Parse(string hex) => new(Hash32.Parse(hex));

    /// <summary>The bytes, in place.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => _value.ToArray();

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => _value.ToString();
}
