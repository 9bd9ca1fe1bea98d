using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Prover.Core.Primitives;
using Prover.Node.Genesis;

namespace Prover.Node.Consensus.Wire;

/// <summary>
/// A ballot's id (go-spacemesh <c>types.BallotID</c>): the first 20 bytes of <c>blake3(scale(InnerBallot))</c>.
/// Encoded as a raw 20-byte array.
/// </summary>
public readonly record struct BallotId : IComparable<BallotId>
{
    private readonly Hash20 _value;

    /// <summary>Wraps 20 bytes.</summary>
    public BallotId(Hash20 value) => _value = value;

    /// <summary>The 20 bytes.</summary>
    public Hash20 Value => _value;

    /// <summary>The all-zero id (go-spacemesh <c>EmptyBallotID</c>).</summary>
    public static BallotId Empty => default;

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>Parses 40 hex digits.</summary>
    public static BallotId Parse(string hex) => new(Hash20.Parse(hex));

    /// <inheritdoc/>
    public int CompareTo(BallotId other) => Value.CompareTo(other.Value);

    /// <summary>Byte-wise order.</summary>
    public static bool operator <(BallotId left, BallotId right) => left.CompareTo(right) < 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >(BallotId left, BallotId right) => left.CompareTo(right) > 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator <=(BallotId left, BallotId right) => left.CompareTo(right) <= 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >=(BallotId left, BallotId right) => left.CompareTo(right) >= 0;

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Value.ToString();
}

/// <summary>
/// A proposal's id (go-spacemesh <c>types.ProposalID</c>): the first 20 bytes of <c>blake3(scale(InnerProposal))</c>.
/// Encoded as a raw 20-byte array; ordered byte-wise, as hare sorts them.
/// </summary>
public readonly record struct ProposalId : IComparable<ProposalId>
{
    private readonly Hash20 _value;

    /// <summary>Wraps 20 bytes.</summary>
    public ProposalId(Hash20 value) => _value = value;

    /// <summary>The 20 bytes.</summary>
    public Hash20 Value => _value;

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>Parses 40 hex digits.</summary>
    public static ProposalId Parse(string hex) => new(Hash20.Parse(hex));

    /// <inheritdoc/>
    public int CompareTo(ProposalId other) => Value.CompareTo(other.Value);

    /// <summary>Byte-wise order.</summary>
    public static bool operator <(ProposalId left, ProposalId right) => left.CompareTo(right) < 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >(ProposalId left, ProposalId right) => left.CompareTo(right) > 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator <=(ProposalId left, ProposalId right) => left.CompareTo(right) <= 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >=(ProposalId left, ProposalId right) => left.CompareTo(right) >= 0;

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Value.ToString();

    /// <summary>
    /// go-spacemesh <c>CalcProposalHash32Presorted(ids, nil)</c>: blake3 over each id widened to 32 bytes (right-padded
    /// with zeros, <c>ProposalID.Bytes()</c>), in the order given. Hare commit and notify messages reference a proposal
    /// set by this hash.
    /// </summary>
    public static Hash32 HashPresorted(IReadOnlyList<ProposalId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new byte[ids.Count * Hash32.Length];
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i].Span.CopyTo(buffer.AsSpan(i * Hash32.Length));
        }

        Span<byte> hash = stackalloc byte[Hash32.Length];
        Core.Crypto.Blake3.Hash(buffer, hash);
        return new Hash32(hash);
    }
}

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
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
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

/// <summary>
/// An epoch's 4-byte beacon (go-spacemesh <c>types.Beacon</c>): the VRF input that ties ballot and hare eligibility
/// to the epoch. Stored as the 4 bytes in order; <see cref="ToString"/> is their lowercase hex.
/// </summary>
public readonly record struct Beacon
{
    /// <summary>Bytes of a beacon.</summary>
    public const int Length = 4;

    private readonly uint _bigEndian;

    /// <summary>The beacon made of the first 4 bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 4 bytes.</exception>
    public Beacon(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException($"a beacon is {Length} bytes, got {bytes.Length}", nameof(bytes));
        }

        _bigEndian = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>The beacon of exactly 4 raw bytes.</summary>
    /// <exception cref="ArgumentException">Not 4 bytes.</exception>
    public static Beacon FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length ? new(bytes) : throw new ArgumentException($"a beacon is {Length} bytes, got {bytes.Length}", nameof(bytes));

    /// <summary>The empty (all-zero) beacon, which go-spacemesh treats as "no beacon".</summary>
    public static Beacon Empty => default;

    /// <summary>True for the all-zero beacon.</summary>
    public bool IsEmpty => _bigEndian == 0;

    /// <summary>Parses 8 hex digits.</summary>
    /// <exception cref="FormatException">Not 8 hex digits.</exception>
    public static Beacon Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 2 * Length)
        {
            throw new FormatException($"a beacon is {2 * Length} hex digits, got {hex.Length}");
        }

        return new Beacon(Convert.FromHexString(hex));
    }

    /// <summary>Writes the 4 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, _bigEndian);

    /// <summary>The 4 bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(ToArray());
}

/// <summary>
/// An 80-byte ECVRF proof π (go-spacemesh <c>types.VrfSignature</c>), encoded as a raw 80-byte array. Ordered as a
/// little-endian number (last byte most significant), as go-spacemesh's <c>Cmp</c>; hare's weak coin is the lowest bit
/// of byte 0 of the smallest one.
/// </summary>
public readonly struct VrfSignature : IEquatable<VrfSignature>, IComparable<VrfSignature>
{
    /// <summary>The number of bytes.</summary>
    public const int Length = 80;

    private readonly Bytes80 _bytes;

    /// <summary>Copies exactly 80 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 80 bytes long.</exception>
    public VrfSignature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a VRF signature is {Length} bytes, got {bytes.Length}", nameof(bytes));
        }

        bytes.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Bytes80, byte>(ref _bytes), Length));
    }

    /// <summary>The bytes, in place.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<byte> Span =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<Bytes80, byte>(ref Unsafe.AsRef(in _bytes)), Length);

    /// <summary>The least significant bit (bit 0 of byte 0): 0 or 1.</summary>
    public byte Lsb => (byte)(Span[0] & 1);

    /// <summary>A new array with the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Compares as little-endian numbers: from the last byte down.</summary>
    public int CompareTo(VrfSignature other)
    {
        var a = Span;
        var b = other.Span;
        for (var i = Length - 1; i >= 0; i--)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i] ? -1 : 1;
            }
        }

        return 0;
    }

    /// <inheritdoc/>
    public bool Equals(VrfSignature other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VrfSignature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => MemoryMarshal.Read<int>(Span);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <summary>Byte equality.</summary>
    public static bool operator ==(VrfSignature left, VrfSignature right) => left.Equals(right);

    /// <summary>Byte inequality.</summary>
    public static bool operator !=(VrfSignature left, VrfSignature right) => !left.Equals(right);

    /// <summary>Little-endian order.</summary>
    public static bool operator <(VrfSignature left, VrfSignature right) => left.CompareTo(right) < 0;

    /// <summary>Little-endian order.</summary>
    public static bool operator >(VrfSignature left, VrfSignature right) => left.CompareTo(right) > 0;

    /// <summary>Little-endian order.</summary>
    public static bool operator <=(VrfSignature left, VrfSignature right) => left.CompareTo(right) <= 0;

    /// <summary>Little-endian order.</summary>
    public static bool operator >=(VrfSignature left, VrfSignature right) => left.CompareTo(right) >= 0;

    [InlineArray(Length)]
    private struct Bytes80
    {
        private byte _element0;
    }
}
