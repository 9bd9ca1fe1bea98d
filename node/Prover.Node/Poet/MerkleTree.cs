namespace Prover.Node.Poet;

/// <summary>Hashes two child nodes into their parent (spacemeshos/merkle-tree's <c>HashFunc</c>).</summary>
public delegate byte[] MerkleNodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right);

/// <summary>
/// A streaming Merkle tree with the rules of spacemeshos/merkle-tree: leaves are appended one at a time, each layer
/// parks one node until its right sibling arrives, an unbalanced tree is padded with the 32-byte zero node at every
/// level (not a hash of zero subtrees), and a proof for leaves chosen in advance is collected while the tree grows, in
/// the order the validator consumes it. A node whose value is empty counts as "no node" (an empty leaf that finds
/// nothing parked is dropped). Memory: one node per layer plus the proof.
/// </summary>
public sealed class MerkleTree
{
    /// <summary>The padding node: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> Padding => Zero;

    private static readonly byte[] Zero = new byte[32];

    private readonly MerkleNodeHash _hash;
    private readonly ulong[] _toProve;
    private readonly int _minHeight;
    private readonly List<Node> _parked = [default];
    private readonly List<byte[]> _proof = [];
    private int _nextToProve;
    private ulong _leafIndex;

    /// <summary>A tree with <paramref name="hash"/>, optionally proving <paramref name="leavesToProve"/> and padded up to
    /// <paramref name="minHeight"/>.</summary>
    public MerkleTree(MerkleNodeHash hash, IEnumerable<ulong>? leavesToProve = null, int minHeight = 0)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentOutOfRangeException.ThrowIfNegative(minHeight);
        _hash = hash;
        _toProve = leavesToProve is null ? [] : [.. leavesToProve.Distinct().Order()];
        _minHeight = minHeight;
    }

    /// <summary>The number of leaves appended so far.</summary>
    public ulong LeafCount => _leafIndex;

    /// <summary>Appends a leaf.</summary>
    public void AddLeaf(ReadOnlySpan<byte> value)
    {
        var proven = _nextToProve < _toProve.Length && _toProve[_nextToProve] == _leafIndex;
        if (proven)
        {
            _nextToProve++;
        }

        _leafIndex++;
        var node = new Node(value.ToArray(), proven);
        for (var layer = 0; ; layer++)
        {
            if (_parked[layer].IsEmpty)
            {
                _parked[layer] = node;
                return;
            }

            var left = _parked[layer];
            var parent = Parent(left, node);
            if (parent.OnProvenPath)
            {
                if (!left.OnProvenPath)
                {
                    _proof.Add(left.Value!);
                }

                if (!node.OnProvenPath)
                {
                    _proof.Add(node.Value ?? []);
                }
            }

            _parked[layer] = default;
            node = parent;
            if (_parked.Count == layer + 1)
            {
                _parked.Add(default);
            }
        }
    }

    /// <summary>The root (empty when no leaf was added and no minimum height is set).</summary>
    public byte[] Root() => RootAndProof().Root;

    /// <summary>The root and the proof of the leaves chosen at construction (the parked nodes are padded on the fly).</summary>
    public (byte[] Root, IReadOnlyList<byte[]> Proof) RootAndProof()
    {
        var proof = new List<byte[]>(_proof);
        Node ephemeral = default;
        for (var height = 0; height < _minHeight || height < _parked.Count; height++)
        {
            var onLastLayer = height == _parked.Count - 1;
            if (height >= _minHeight && onLastLayer && ephemeral.IsEmpty)
            {
                return (_parked[height].Value ?? [], proof);
            }

            var parking = height < _parked.Count ? _parked[height] : default;
            Node left, right;
            if (!parking.IsEmpty && !ephemeral.IsEmpty)
            {
                (left, right) = (parking, ephemeral);
            }
            else if (!parking.IsEmpty)
            {
                (left, right) = (parking, new Node(Zero, false));
            }
            else if (!ephemeral.IsEmpty)
            {
                (left, right) = (ephemeral, new Node(Zero, false));
            }
            else
            {
                ephemeral = default;
                continue;
            }

            var parent = Parent(left, right);
            if (parent.OnProvenPath)
            {
                if (!left.OnProvenPath)
                {
                    proof.Add(left.Value!);
                }

                if (!right.OnProvenPath)
                {
                    proof.Add(right.Value!);
                }
            }

            ephemeral = parent;
        }

        return (ephemeral.Value ?? [], proof);
    }

    private Node Parent(Node left, Node right) =>
        new(_hash(left.Value ?? [], right.Value ?? []), left.OnProvenPath || right.OnProvenPath);

    private readonly record struct Node(byte[]? Value, bool OnProvenPath)
    {
        public bool IsEmpty => Value is null || Value.Length == 0;
    }
}
