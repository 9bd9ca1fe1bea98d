using Prover.Core.Crypto;

namespace Prover.Verifier;

/// <summary>
/// The K3 random subset of a proof's indices (spec §6.1, post-rs <c>RandomValuesIterator</c>): a partial Fisher–Yates
/// shuffle driven by little-endian u16 values read from a BLAKE3 XOF, with rejection sampling.
/// </summary>
public static class RandomSubset
{
    /// <summary>
    /// The first <paramref name="take"/> items (at most all) of the shuffle of <paramref name="items"/> driven by
    /// BLAKE3_XOF(<paramref name="xofInput"/>). For the verifier, the input is seed ‖ node_id ‖ challenge.
    /// </summary>
    public static List<T> Select<T>(IReadOnlyList<T> items, int take, ReadOnlySpan<byte> xofInput)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        if (items.Count > ushort.MaxValue)
        {
            throw new ArgumentException("The u16 sampler supports at most 65535 items.", nameof(items));
        }

        var data = new List<T>(items);
        int count = Math.Min(take, data.Count);
        var selected = new List<T>(count);
        var stream = new XofStream(xofInput.ToArray(), (4 * count) + 64);
        for (int idx = 0; idx < count; idx++)
        {
            int remaining = data.Count - idx;
            int maxAllowed = ushort.MaxValue - (ushort.MaxValue % remaining);
            int r;
            do
            {
                r = stream.NextUInt16();
            }
            while (r >= maxAllowed);

            int swapWith = idx + (r % remaining);
            (data[idx], data[swapWith]) = (data[swapWith], data[idx]);
            selected.Add(data[idx]);
        }

        return selected;
    }

    /// <summary>The verifier's subset: XOF input = seed ‖ node_id ‖ challenge.</summary>
    public static List<T> ForVerifier<T>(IReadOnlyList<T> items, int k3, ReadOnlySpan<byte> seed, ReadOnlySpan<byte> nodeId, ReadOnlySpan<byte> challenge)
    {
        var input = new byte[seed.Length + nodeId.Length + challenge.Length];
        seed.CopyTo(input);
        nodeId.CopyTo(input.AsSpan(seed.Length));
        challenge.CopyTo(input.AsSpan(seed.Length + nodeId.Length));
        return Select(items, k3, input);
    }

    /// <summary>Reads the XOF two bytes at a time; the output is recomputed longer when exhausted (XOF outputs are prefix-consistent).</summary>
    private sealed class XofStream(byte[] input, int initialLength)
    {
        private byte[] _buffer = [];
        private int _position;

        public int NextUInt16()
        {
            if (_position + 2 > _buffer.Length)
            {
                var longer = new byte[Math.Max(initialLength, _buffer.Length * 2)];
                Blake3Reference.Hash(input, longer);
                _buffer = longer;
            }

            int value = _buffer[_position] | (_buffer[_position + 1] << 8);
            _position += 2;
            return value;
        }
    }
}
