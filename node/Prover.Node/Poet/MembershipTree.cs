using Prover.Core.Crypto;
using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>
/// The PoET's membership tree (NODE.md §1.4): the registered challenges as leaves, ordered by the registering node ID
/// ascending, nodes <c>blake3(0x01 ‖ L ‖ R)</c>, zero-node padding. Its root is the statement the round's sequential
/// work is keyed on; a node proves its own challenge with a path of siblings.
/// </summary>
public static class MembershipTree
{
    /// <summary><c>blake3(0x01 ‖ left ‖ right)</c> (poet <c>shared.HashMembershipTreeNode</c>).</summary>
    public static byte[] HashNode(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var output = new byte[32];
        using var hasher = Blake3.CreateHasher();
        ReadOnlySpan<byte> prefix = [0x01];
        hasher.Update(prefix);
        hasher.Update(left);
        hasher.Update(right);
        hasher.Finalize(output);
        return output;
    }

    /// <summary>The root over <paramref name="members"/> in the order given (a single member is its own root).</summary>
    /// <exception cref="ArgumentException">No member: the tree has no root.</exception>
    public static Hash32 Root(IReadOnlyList<Hash32> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("a membership tree needs at least one member", nameof(members));
        }

        var tree = new MerkleTree(HashNode);
        foreach (var member in members)
        {
            tree.AddLeaf(member.Span);
        }

        return new Hash32(tree.Root());
    }

    /// <summary>The sibling path that proves member <paramref name="leafIndex"/> (go-spacemesh <c>constructMerkleProof</c>).</summary>
    public static IReadOnlyList<Hash32> Prove(IReadOnlyList<Hash32> members, ulong leafIndex)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, (ulong)members.Count);
        var tree = new MerkleTree(HashNode, [leafIndex]);
        foreach (var member in members)
        {
            tree.AddLeaf(member.Span);
        }

        return [.. tree.RootAndProof().Proof.Select(n => new Hash32(n))];
    }

    /// <summary>
    /// True when <paramref name="leaf"/> at <paramref name="leafIndex"/> with <paramref name="nodes"/> hashes to
    /// <paramref name="root"/> (go-spacemesh's ATX check: <c>ValidatePartialTree([index], [leaf], nodes, statement)</c>).
    /// </summary>
    public static bool Verify(Hash32 leaf, ulong leafIndex, IReadOnlyList<Hash32> nodes, Hash32 root)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return MerkleValidator.ValidatePartialTree(
            [leafIndex], [leaf.ToArray()], [.. nodes.Select(n => n.ToArray())], root.Span, HashNode);
    }
}
