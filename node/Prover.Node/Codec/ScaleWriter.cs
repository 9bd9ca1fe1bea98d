using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using Prover.Core.Primitives;

namespace Prover.Node.Codec;

/// <summary>
/// Writes SCALE the way go-scale's encoder does (always the canonical, smallest compact form), into a caller's span
/// (e.g. <c>stackalloc</c>) that grows into <see cref="ArrayPool{T}"/> buffers when it fills. Dispose to return them.
/// Limits are enforced on encode too: a collection over its <c>max</c> and nesting deeper than allowed throw
/// <see cref="ScaleEncodeException"/> instead of producing bytes that go-spacemesh would refuse.
/// </summary>
public ref struct ScaleWriter
{
    /// <summary>Largest value in single-byte mode (2^6-1).</summary>
    public const ulong MaxSingleByte = (1UL << 6) - 1;

    /// <summary>Largest value in two-byte mode (2^14-1).</summary>
    public const ulong MaxTwoBytes = (1UL << 14) - 1;

    /// <summary>Largest value in four-byte mode (2^30-1).</summary>
    public const ulong MaxFourBytes = (1UL << 30) - 1;

    private Span<byte> _span;
    private byte[]? _rented;
    private int _position;
    private uint _nestingLeft;

    /// <summary>Writes into <paramref name="initial"/> first, renting larger buffers when it is full.</summary>
    public ScaleWriter(Span<byte> initial, uint maxNested = ScaleCodec.MaxNested)
    {
        _span = initial;
        _rented = null;
        _position = 0;
        _nestingLeft = maxNested;
    }

    /// <summary>Writes into a pooled buffer of at least <paramref name="initialCapacity"/> bytes.</summary>
    public ScaleWriter(int initialCapacity, uint maxNested = ScaleCodec.MaxNested)
    {
        _rented = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
        _span = _rented;
        _position = 0;
        _nestingLeft = maxNested;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _position;

    /// <summary>The bytes written so far (valid until the next write or <see cref="Dispose"/>).</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => _span[.._position];

    /// <summary>A new array with the bytes written.</summary>
    public readonly byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Returns any rented buffer to the pool.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }

        _span = default;
        _position = 0;
    }

    /// <summary>Consumes one nesting level (go-scale <c>enterNested</c>); pair with <see cref="LeaveNested"/>.</summary>
    public void EnterNested()
    {
        if (_nestingLeft == 0)
        {
            throw new ScaleEncodeException("nested level is too deep");
        }

        _nestingLeft--;
    }

    /// <summary>Gives back the level taken by <see cref="EnterNested"/>.</summary>
    public void LeaveNested() => _nestingLeft++;

    /// <summary>Raw bytes (fixed arrays).</summary>
    public void WriteFixed(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Take(bytes.Length));
    }

    /// <summary>A 32-byte array.</summary>
    public void WriteHash32(Hash32 value) => WriteFixed(value.Span);

    /// <summary>One raw byte.</summary>
    public void WriteByte(byte value) => Take(1)[0] = value;

    /// <summary>A bool as 0x01 / 0x00.</summary>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Fixed-width little-endian uint16.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    /// <summary>Fixed-width little-endian uint32.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    /// <summary>Fixed-width little-endian uint64.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    /// <summary>go-scale <c>EncodeCompact8</c>: one byte up to 63, else the two-byte mode.</summary>
    public void WriteCompact8(byte value)
    {
        if (value <= MaxSingleByte)
        {
            WriteByte((byte)(value << 2));
        }
        else
        {
            WriteUInt16((ushort)((value << 2) | 1));
        }
    }

    /// <summary>go-scale <c>EncodeCompact16</c>: above 16383 the four-byte mode (never big-int).</summary>
    public void WriteCompact16(ushort value)
    {
        if (value <= MaxTwoBytes)
        {
            WriteCompact64(value);
        }
        else
        {
            WriteUInt32(((uint)value << 2) | 2);
        }
    }

    /// <summary>go-scale <c>EncodeCompact32</c>.</summary>
    public void WriteCompact32(uint value) => WriteCompact64(value);

    /// <summary>go-scale <c>EncodeCompact64</c>: the smallest mode; big-int mode with no leading zero bytes.</summary>
    public void WriteCompact64(ulong value)
    {
        if (value <= MaxSingleByte)
        {
            WriteByte((byte)(value << 2));
        }
        else if (value <= MaxTwoBytes)
        {
            WriteUInt16((ushort)((value << 2) | 1));
        }
        else if (value <= MaxFourBytes)
        {
            WriteUInt32((uint)((value << 2) | 2));
        }
        else
        {
            var needed = 8 - (BitOperations.LeadingZeroCount(value) / 8);
            var dst = Take(needed + 1);
            dst[0] = (byte)(((needed - 4) << 2) | 3);
            for (var i = 1; i <= needed; i++)
            {
                dst[i] = (byte)value;
                value >>= 8;
            }
        }
    }

    /// <summary>go-scale <c>EncodeCompact64Ptr</c>: a bool tag, then the compact64 when present (no nesting level).</summary>
    public void WriteCompact64Option(ulong? value)
    {
        WriteBool(value.HasValue);
        if (value is { } v)
        {
            WriteCompact64(v);
        }
    }

    /// <summary>A collection length, refused above <paramref name="max"/>.</summary>
    public void WriteLength(int count, uint max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((uint)count > max)
        {
            throw new ScaleEncodeException(
                $"too many elements to encode in collection with scale limit set: {max} (got {count})");
        }

        WriteCompact32((uint)count);
    }

    /// <summary>A byte slice: compact length, then the bytes.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> bytes, uint max = ScaleCodec.MaxElements)
    {
        WriteLength(bytes.Length, max);
        WriteFixed(bytes);
    }

    /// <summary>An option: one nesting level (even when absent), tag 0x00/0x01, then the value.</summary>
    public void WriteOption<T>(T? value)
        where T : class, IScaleEncodable
    {
        EnterNested();
        WriteBool(value is not null);
        value?.Encode(ref this);
        LeaveNested();
    }

    /// <summary>An option of a 32-byte array: one nesting level, tag, 32 bytes.</summary>
    public void WriteOptionalHash32(Hash32? value)
    {
        EnterNested();
        WriteBool(value.HasValue);
        if (value is { } v)
        {
            WriteHash32(v);
        }

        LeaveNested();
    }

    /// <summary>A struct slice: compact length (refused above <paramref name="max"/>), then the elements, inside one nesting level.</summary>
    public void WriteVector<T>(IReadOnlyList<T> items, uint max)
        where T : IScaleEncodable
    {
        ArgumentNullException.ThrowIfNull(items);
        WriteLength(items.Count, max);
        EnterNested();
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Encode(ref this);
        }

        LeaveNested();
    }

    /// <summary>A slice of 32-byte arrays (a struct slice: one nesting level).</summary>
    public void WriteHash32Vector(scoped ReadOnlySpan<Hash32> items, uint max)
    {
        WriteLength(items.Length, max);
        EnterNested();
        foreach (var item in items)
        {
            WriteHash32(item);
        }

        LeaveNested();
    }

    private Span<byte> Take(int count)
    {
        if (_span.Length - _position < count)
        {
            Grow(count);
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private void Grow(int count)
    {
        var size = Math.Max(_span.Length * 2, _position + count);
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(size, 64));
        _span[.._position].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }

        _rented = next;
        _span = next;
    }
}
