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
    private readonly List<byte[]?> _parking = [null];

    /// <summary>Adds a leaf; null or empty is Go's nil leaf.</summary>
    public void Add(byte[]? leaf)
    {
        var node = leaf is { Length: > 0 } ? leaf : null;
        for (var layer = 0; ; layer++)
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
        for (var i = 0; i < count; i++)
        {
            Add(Padding);
        }
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
        using var hasher = Blake3.CreateHasher();
        hasher.Update([0x01]);
        hasher.Update(left);
        hasher.Update(right);
        hasher.Finalize(output);
        return output;
    }
}
