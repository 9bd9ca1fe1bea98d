using System.Buffers.Binary;
using Prover.Storage;

namespace Prover.Node.Storage;

/// <summary>
/// Key building and prefix scans shared by the node's RocksDB stores: numbers in keys are big-endian so that the
/// store's byte order is their numeric order.
/// </summary>
internal static class StoreKeys
{
    /// <summary>Every key of <paramref name="column"/> that starts with <paramref name="prefix"/>, in key order.</summary>
    public static List<byte[]> KeysWithPrefix(IColumnFamily column, ReadOnlySpan<byte> prefix)
    {
        var keys = new List<byte[]>();
        using var it = column.CreateIterator();
        for (it.Seek(prefix); it.Valid && it.Key.StartsWith(prefix); it.Next()) keys.Add(it.Key.ToArray());
        return keys;
    }

    /// <summary>The 4 big-endian bytes of <paramref name="value"/>.</summary>
    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>The 8 big-endian bytes of <paramref name="value"/>.</summary>
    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
