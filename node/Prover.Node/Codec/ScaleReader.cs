using System.Buffers.Binary;
using Prover.Core.Primitives;

namespace Prover.Node.Codec;

/// <summary>
/// Reads SCALE from a span with go-scale's exact acceptance rules:
/// compact integers must use the smallest of the 1/2/4-byte modes (big-int mode accepts leading zero bytes),
/// an option is present only when its tag byte is 0x01, collections are checked against their <c>max</c> before any
/// element is read, and options and struct slices each consume a nesting level (6 by default, as go-spacemesh).
/// Reads return slices of the input where they can; nothing is allocated beyond what the input can fill.
/// </summary>
public ref struct ScaleReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private uint _nestingLeft;

    /// <summary>Reads <paramref name="buffer"/> from its start.</summary>
    /// <param name="buffer">The encoded bytes.</param>
    /// <param name="maxNested">Nesting levels allowed (go-spacemesh: 6; go-scale's default: 4).</param>
    public ScaleReader(ReadOnlySpan<byte> buffer, uint maxNested = ScaleCodec.MaxNested)
    {
        _buffer = buffer;
        _position = 0;
        _nestingLeft = maxNested;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool IsAtEnd => _position == _buffer.Length;

    /// <summary>Throws <c>not all bytes were consumed</c> unless the whole input was read.</summary>
    public readonly void EnsureEnd()
    {
        if (!IsAtEnd)
        {
            throw new ScaleDecodeException(ScaleError.TrailingBytes, "not all bytes were consumed", _position);
        }
    }

    /// <summary>Consumes one nesting level (go-scale <c>enterNested</c>); pair with <see cref="LeaveNested"/>.</summary>
    public void EnterNested()
    {
        if (_nestingLeft == 0)
        {
            throw new ScaleDecodeException(ScaleError.NestingTooDeep, "nested level is too deep", _position);
        }

        _nestingLeft--;
    }

    /// <summary>Gives back the level taken by <see cref="EnterNested"/>.</summary>
    public void LeaveNested() => _nestingLeft++;

    /// <summary>Takes <paramref name="count"/> bytes, failing like Go's <c>io.ReadFull</c> (EOF / unexpected EOF).</summary>
    public ReadOnlySpan<byte> ReadFixed(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var left = _buffer.Length - _position;
        if (left < count)
        {
            throw new ScaleDecodeException(
                ScaleError.EndOfInput, left == 0 ? "EOF" : "unexpected EOF", _position);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Copies exactly <paramref name="destination"/>.Length bytes.</summary>
    public void ReadFixed(Span<byte> destination) => ReadFixed(destination.Length).CopyTo(destination);

    /// <summary>A fixed 32-byte array (hashes, IDs).</summary>
    public Hash32 ReadHash32() => new(ReadFixed(Hash32.Length));

    /// <summary>One raw byte.</summary>
    public byte ReadByte() => ReadFixed(1)[0];

    /// <summary>A bool: only 0x01 is true; 0x00 and 0x02..0xff are false (go-scale <c>DecodeBool</c>).</summary>
    public bool ReadBool() => ReadByte() == 1;

    /// <summary>Fixed-width little-endian uint16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadFixed(2));

    /// <summary>Fixed-width little-endian uint32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadFixed(4));

    /// <summary>Fixed-width little-endian uint64.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadFixed(8));

    /// <summary>A compact uint8 (modes 00 and 01 only).</summary>
    public byte ReadCompact8()
    {
        var start = _position;
        var head = ReadByte();
        switch (head & 3)
        {
            case 0:
                return (byte)(head >> 2);
            case 1:
                var v = ReadMode1(head);
                if (v <= ScaleWriter.MaxSingleByte || v > byte.MaxValue)
                {
                    throw OutOfRange(v, start);
                }

                return (byte)v;
            default:
                throw new ScaleDecodeException(ScaleError.Overflow, "value will overflow uint8", start);
        }
    }

    /// <summary>A compact uint16 (modes 00, 01 and 10).</summary>
    public ushort ReadCompact16()
    {
        var start = _position;
        var head = ReadByte();
        switch (head & 3)
        {
            case 0:
                return (ushort)(head >> 2);
            case 1:
                var v1 = ReadMode1(head);
                if (v1 <= ScaleWriter.MaxSingleByte)
                {
                    throw OutOfRange(v1, start);
                }

                return (ushort)v1;
            case 2:
                var v2 = ReadMode2(head);
                if (v2 <= ScaleWriter.MaxTwoBytes || v2 > ushort.MaxValue)
                {
                    throw OutOfRange(v2, start);
                }

                return (ushort)v2;
            default:
                throw new ScaleDecodeException(ScaleError.Overflow, "value will overflow uint16", start);
        }
    }

    /// <summary>A compact uint32; big-int mode must carry exactly 4 bytes.</summary>
    public uint ReadCompact32() => (uint)ReadCompact(4, "compact32");

    /// <summary>A compact uint64; big-int mode may carry 4..8 bytes, leading zeros accepted.</summary>
    public ulong ReadCompact64() => ReadCompact(8, "compact64");

    /// <summary>go-scale's <c>EncodeCompact64Ptr</c> form: a bool tag, then a compact64 when the tag is 0x01.</summary>
    public ulong? ReadCompact64Option() => ReadBool() ? ReadCompact64() : null;

    /// <summary>A collection length (compact32), checked against <paramref name="max"/> before anything else is read.</summary>
    public int ReadLength(uint max)
    {
        var start = _position;
        var n = ReadCompact32();
        if (n > max)
        {
            throw new ScaleDecodeException(
                ScaleError.TooManyElements,
                $"too many elements to decode in collection with scale limit set: ({n} > {max})",
                start);
        }

        return (int)Math.Min(n, int.MaxValue);
    }

    /// <summary>A byte slice (compact length, then the bytes), returned as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBytes(uint max = ScaleCodec.MaxElements) => ReadFixed(ReadLength(max));

    /// <summary>A byte slice copied into a new array (an empty slice decodes to an empty array, Go's nil).</summary>
    public byte[] ReadByteArray(uint max = ScaleCodec.MaxElements)
    {
        var bytes = ReadBytes(max);
        return bytes.IsEmpty ? [] : bytes.ToArray();
    }

    /// <summary>An option: enters one nesting level, reads the tag, then the value when the tag is 0x01.</summary>
    public T? ReadOption<T>()
        where T : class, IScaleDecodable<T>
    {
        EnterNested();
        var value = ReadBool() ? T.Decode(ref this) : null;
        LeaveNested();
        return value;
    }

    /// <summary>An option of a 32-byte array (e.g. <c>*types.ATXID</c>): one nesting level, tag, 32 bytes.</summary>
    public Hash32? ReadOptionalHash32()
    {
        EnterNested();
        Hash32? value = ReadBool() ? ReadHash32() : null;
        LeaveNested();
        return value;
    }

    /// <summary>A struct slice: compact length (checked against <paramref name="max"/>), then the elements, inside one nesting level.</summary>
    public T[] ReadVector<T>(uint max)
        where T : IScaleDecodable<T>
    {
        var n = ReadLength(max);
        EnterNested();
        // Never trust the announced count beyond what the input can hold: each element takes at least one byte.
        var items = new T[Math.Min(n, Remaining)];
        var list = n <= items.Length ? null : new List<T>(items.Length);
        for (var i = 0; i < n; i++)
        {
            var item = T.Decode(ref this);
            if (list is null)
            {
                items[i] = item;
            }
            else
            {
                list.Add(item);
            }
        }

        LeaveNested();
        return list is null ? items : [.. list];
    }

    /// <summary>A slice of 32-byte arrays (<c>[]types.Hash32</c>): a struct slice, so it takes one nesting level.</summary>
    public Hash32[] ReadHash32Vector(uint max)
    {
        var n = ReadLength(max);
        EnterNested();
        if (n == 0)
        {
            LeaveNested();
            return [];
        }

        if ((long)n * Hash32.Length > Remaining)
        {
            // The input cannot hold them: read one by one so the failure is reported where Go's would be.
            for (var i = 0; i < n; i++)
            {
                ReadHash32();
            }
        }

        var result = new Hash32[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = ReadHash32();
        }

        LeaveNested();
        return result;
    }

    private ulong ReadCompact(int maxBigIntBytes, string name)
    {
        var start = _position;
        if (maxBigIntBytes == 8 && IsAtEnd)
        {
            throw new ScaleDecodeException(ScaleError.EndOfInput, "read compact header: EOF", start);
        }

        var head = ReadByte();
        switch (head & 3)
        {
            case 0:
                return (ulong)(head >> 2);
            case 1:
                var v1 = ReadMode1(head);
                if (v1 <= ScaleWriter.MaxSingleByte)
                {
                    throw OutOfRange(v1, start);
                }

                return v1;
            case 2:
                var v2 = ReadMode2(head);
                if (v2 <= ScaleWriter.MaxTwoBytes || v2 > ScaleWriter.MaxFourBytes)
                {
                    throw OutOfRange(v2, start);
                }

                return v2;
            default:
                var needed = (head >> 2) + 4;
                if (needed > maxBigIntBytes)
                {
                    throw new ScaleDecodeException(
                        ScaleError.InvalidLength, $"invalid {name} needs {needed} bytes", start);
                }

                var bytes = ReadFixed(needed);
                ulong value = 0;
                for (var i = 0; i < needed; i++)
                {
                    value |= (ulong)bytes[i] << (8 * i);
                }

                if (value <= ScaleWriter.MaxFourBytes)
                {
                    throw OutOfRange(value, start);
                }

                return value;
        }
    }

    private ulong ReadMode1(byte head) => (ulong)(head | (ReadByte() << 8)) >> 2;

    private ulong ReadMode2(byte head)
    {
        var rest = ReadFixed(3);
        return (ulong)(head | ((uint)rest[0] << 8) | ((uint)rest[1] << 16) | ((uint)rest[2] << 24)) >> 2;
    }

    private static ScaleDecodeException OutOfRange(ulong value, int offset) =>
        new(ScaleError.OutOfRange, $"value {value} is out of range", offset);
}
