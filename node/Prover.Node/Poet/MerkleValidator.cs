namespace Prover.Node.Poet;

/// <summary>A partial tree that cannot be validated at all (spacemeshos/merkle-tree's <c>newValidator</c> errors).</summary>
public sealed class MerkleValidationException(string message) : Exception(message);

/// <summary>
/// Checks a partial Merkle tree (proven leaves plus proof nodes) against a root, as spacemeshos/merkle-tree's
/// <c>ValidatePartialTree</c> does: the proof nodes are consumed left to right, bottom up; a sibling that is an ancestor
/// of the next proven leaf is computed from the leaves instead; hashing stops when the proof nodes run out. The
/// parking-snapshot variant also returns, for every proven leaf, the left siblings on its path (low layer first, null
/// where the path turns left) — the nodes that were parked when that leaf was appended, which the PoET's labels hash.
/// </summary>
public static class MerkleValidator
{
    /// <summary>True when the leaves and proof hash to <paramref name="expectedRoot"/>.</summary>
    /// <exception cref="MerkleValidationException">Counts differ, no leaf, indices unsorted or repeated.</exception>
    public static bool ValidatePartialTree(
        IReadOnlyList<ulong> leafIndices, IReadOnlyList<byte[]> leaves, IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> expectedRoot, MerkleNodeHash hash)
    {
        var walk = new Walk(leafIndices, leaves, proof, hash, snapshots: false);
        var root = walk.CalcRoot(int.MaxValue, out _);
        return root.AsSpan().SequenceEqual(expectedRoot);
    }

    /// <summary>As <see cref="ValidatePartialTree"/>, and the parking snapshot of every proven leaf.</summary>
    public static bool ValidatePartialTreeWithParkingSnapshots(
        IReadOnlyList<ulong> leafIndices, IReadOnlyList<byte[]> leaves, IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> expectedRoot, MerkleNodeHash hash, out IReadOnlyList<IReadOnlyList<byte[]?>> snapshots)
    {
        var walk = new Walk(leafIndices, leaves, proof, hash, snapshots: true);
        var root = walk.CalcRoot(int.MaxValue, out var found);
        snapshots = found!;
        return root.AsSpan().SequenceEqual(expectedRoot);
    }

    private sealed class Walk
    {
        private readonly IReadOnlyList<ulong> _indices;
        private readonly IReadOnlyList<byte[]> _leaves;
        private readonly IReadOnlyList<byte[]> _proof;
        private readonly MerkleNodeHash _hash;
        private readonly bool _snapshots;
        private int _nextLeaf;
        private int _nextProof;

        public Walk(IReadOnlyList<ulong> indices, IReadOnlyList<byte[]> leaves, IReadOnlyList<byte[]> proof, MerkleNodeHash hash, bool snapshots)
        {
            ArgumentNullException.ThrowIfNull(indices);
            ArgumentNullException.ThrowIfNull(leaves);
            ArgumentNullException.ThrowIfNull(proof);
            ArgumentNullException.ThrowIfNull(hash);
            if (indices.Count != leaves.Count)
            {
                throw new MerkleValidationException($"number of leaves ({leaves.Count}) must equal number of indices ({indices.Count})");
            }

            if (leaves.Count == 0)
            {
                throw new MerkleValidationException("at least one leaf is required for validation");
            }

            for (var i = 1; i < indices.Count; i++)
            {
                if (indices[i] < indices[i - 1])
                {
                    throw new MerkleValidationException("leafIndices are not sorted");
                }
            }

            for (var i = 1; i < indices.Count; i++)
            {
                if (indices[i] == indices[i - 1])
                {
                    throw new MerkleValidationException("leafIndices contain duplicates");
                }
            }

            (_indices, _leaves, _proof, _hash, _snapshots) = (indices, leaves, proof, hash, snapshots);
        }

        public byte[] CalcRoot(int stopAtHeight, out List<List<byte[]?>>? snapshots)
        {
            var index = _indices[_nextLeaf];
            var node = _leaves[_nextLeaf];
            _nextLeaf++;
            var height = 0;
            snapshots = _snapshots ? [[]] : null;
            List<List<byte[]?>>? subtree = null;
            while (height != stopAtHeight)
            {
                byte[] sibling;
                if (_nextLeaf < _indices.Count && IsAncestor(index ^ 1, height, _indices[_nextLeaf]))
                {
                    sibling = CalcRoot(height, out subtree);
                }
                else if (_nextProof < _proof.Count)
                {
                    sibling = _proof[_nextProof++];
                }
                else
                {
                    break;
                }

                byte[] left, right;
                if ((index & 1) == 1)
                {
                    (left, right) = (sibling, node);
                    AddToAll(snapshots, left);
                }
                else
                {
                    (left, right) = (node, sibling);
                    AddToAll(snapshots, null);
                    if (subtree is { Count: > 0 })
                    {
                        AddToAll(subtree, node);
                        snapshots!.AddRange(subtree);
                        subtree = null;
                    }
                }

                node = _hash(left, right);
                index >>= 1;
                height++;
            }

            return node;
        }

        // Is the node (height, index) an ancestor of (or equal to) the leaf? Shifts of 64 or more give 0, as in Go.
        private static bool IsAncestor(ulong index, int height, ulong leaf) =>
            index == (height >= 64 ? 0 : leaf >> height);

        private static void AddToAll(List<List<byte[]?>>? snapshots, byte[]? node)
        {
            if (snapshots is null)
            {
                return;
            }

            foreach (var snapshot in snapshots)
            {
                snapshot.Add(node);
            }
        }
    }
}
