namespace Prover.Storage;

/// <summary>Orders byte keys as RocksDB's default comparator does: unsigned bytes, lexicographic, prefix first.</summary>
public sealed class ByteKeyComparer : IComparer<byte[]>
{
    /// <summary>The single instance.</summary>
    public static ByteKeyComparer Instance { get; } = new();

    private ByteKeyComparer() { }

    /// <inheritdoc/>
    public int Compare(byte[]? x, byte[]? y) =>
        x is null ? (y is null ? 0 : -1) : y is null ? 1 : x.AsSpan().SequenceCompareTo(y);
}
