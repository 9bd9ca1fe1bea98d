using Prover.Core.Crypto;

namespace Prover.Node.Atx;

/// <summary>
/// The root computation of <c>spacemeshos/merkle-tree</c> with go-spacemesh's ATX V2 node hash
/// <c>blake3(0x01 ‖ L ‖ R)</c>: leaves are raw (not hashed) and may have any length; every layer parks one node;
/// an unbalanced level is padded with the 32-byte zero node (not a hash of zero subtrees); a nil/empty leaf added
/// when nothing is parked on the leaf layer is dropped, and one arriving as a right sibling is hashed as
/// <c>H(left ‖ "")</c>. A single-leaf tree's root is the leaf itself; an empty tree has no root (null).
/// </summary>
internal sealed class AtxMerkleTree
{
    private static readonly byte[] Padding = new byte[32];

    // ZeroRoots[h] is the root of 2^h zero leaves: what AddZeros carries up in one step.
    private static readonly byte[][] ZeroRoots = BuildZeroRoots(24);

    private readonly List<byte[]?> _parking = [null];

    /// <summary>Adds a leaf; null or empty is Go's nil leaf.</summary>
    public void Add(byte[]? leaf) => Carry(0, leaf is { Length: > 0 } ? leaf : null);

    private void Carry(int layer, byte[]? node)
    {
        while (_parking.Count <= layer)
        {
            _parking.Add(null);
        }

        for (; ; layer++)
        {
            if (_parking[layer] is null)
            {
                _parking[layer] = node;
                return;
            }

            node = Hash(_parking[layer]!, node ?? []);
            _parking[layer] = null;
            if (layer + 1 == _parking.Count)
            {
                _parking.Add(null);
            }
        }
    }

    /// <summary>Adds <paramref name="count"/> 32-byte zero leaves (the fixed-size padding go-spacemesh adds).</summary>
    public void AddZeros(int count)
    {
        // 2^h zero leaves added while nothing is parked below layer h end as one node, the zero-subtree root, carried
        // in at layer h: the same state leaf-by-leaf insertion reaches, in O(log n) hashes instead of O(n).
        while (count > 0)
        {
            var h = 0;
            while (h + 1 < ZeroRoots.Length
                && (1 << (h + 1)) <= count
                && (h >= _parking.Count || _parking[h] is null))
            {
                h++;
            }

            Carry(h, ZeroRoots[h]);
            count -= 1 << h;
        }
    }

    private static byte[][] BuildZeroRoots(int levels)
    {
        var roots = new byte[levels][];
        roots[0] = Padding;
        for (var i = 1; i < levels; i++)
        {
            roots[i] = Hash(roots[i - 1], roots[i - 1]);
        }

        return roots;
    }

    /// <summary>The root (null when the tree is empty or holds only nil leaves).</summary>
    public byte[]? Root()
    {
        byte[]? ephemeral = null;
        for (var height = 0; height < _parking.Count; height++)
        {
            var parked = _parking[height];
            if (height == _parking.Count - 1 && ephemeral is null)
            {
                return parked;
            }

            ephemeral = (parked, ephemeral) switch
            {
                ({ } p, { } e) => Hash(p, e),
                ({ } p, null) => Hash(p, Padding),
                (null, { } e) => Hash(e, Padding),
                _ => null,
            };
        }

        return ephemeral;
    }

    /// <summary>The root of <paramref name="leaves"/>.</summary>
    public static byte[]? RootOf(params byte[]?[] leaves)
    {
        var tree = new AtxMerkleTree();
        foreach (var leaf in leaves)
        {
            tree.Add(leaf);
        }

        return tree.Root();
    }

    private static byte[] Hash(byte[] left, byte[] right)
    {
        var output = new byte[32];
        var length = 1 + left.Length + right.Length;
        var rented = length > 256 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        var message = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        message[0] = 0x01;
        left.CopyTo(message[1..]);
        right.CopyTo(message[(1 + left.Length)..]);
        Blake3.Hash(message, output);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return output;
    }
}
