using System.Buffers.Binary;
using System.Security.Cryptography;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Tests.Poet;

public class MerkleTreeTests
{
    private static byte[] Sha256Parent(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => SHA256.HashData([.. left, .. right]);

    // merkle_test.go's concatLeaves: a 32-byte child stands for its first byte.
    private static byte[] ConcatParent(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        [.. left.Length == 32 ? left[..1] : left, .. right.Length == 32 ? right[..1] : right];

    private static MerkleNodeHash HashOf(string name) => name switch
    {
        "sha256" => Sha256Parent,
        "concat_test" => ConcatParent,
        "blake3_01" => MembershipTree.HashNode,
        _ => throw new ArgumentException(name),
    };

    private static byte[][] Leaves(System.Text.Json.JsonElement v)
    {
        if (v.TryGetProperty("leaves_u64", out var count))
        {
            return [.. Enumerable.Range(0, count.GetInt32()).Select(i =>
            {
                var leaf = new byte[32];
                BinaryPrimitives.WriteUInt64LittleEndian(leaf, (ulong)i);
                return leaf;
            })];
        }

        return v.HexList("leaves");
    }

    [Fact]
    public void Roots_match_merkle_tree_vectors_with_zero_node_padding_and_min_height()
    {
        var vectors = Vectors.Of("merkle.json", "root").ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var tree = new MerkleTree(HashOf(v.GetProperty("hash").GetString()!), minHeight: v.GetProperty("min_height").GetInt32());
            foreach (var leaf in Leaves(v))
            {
                tree.AddLeaf(leaf);
            }

            Assert.Equal(v.GetProperty("root").GetString(), Convert.ToHexStringLower(tree.Root()));
        }
    }

    [Fact]
    public void Proofs_match_merkle_tree_vectors_node_for_node_and_validate()
    {
        var vectors = Vectors.Of("merkle.json", "proof").ToList();
        Assert.True(vectors.Count >= 10);
        foreach (var v in vectors)
        {
            var hash = HashOf(v.GetProperty("hash").GetString()!);
            var indices = v.U64List("indices");
            var leaves = Leaves(v);
            var tree = new MerkleTree(hash, indices);
            foreach (var leaf in leaves)
            {
                tree.AddLeaf(leaf);
            }

            var (root, proof) = tree.RootAndProof();
            Assert.Equal(v.GetProperty("root").GetString(), Convert.ToHexStringLower(root));
            Assert.Equal(v.HexList("nodes").Select(Convert.ToHexStringLower), proof.Select(Convert.ToHexStringLower));
            Assert.True(MerkleValidator.ValidatePartialTree(indices, [.. indices.Select(i => leaves[i])], proof, root, hash));
        }
    }

    [Fact]
    public void Validator_matches_vectors_including_parking_snapshots_and_unsorted_indices()
    {
        var vectors = Vectors.Of("merkle.json", "validate").ToList();
        Assert.True(vectors.Count >= 3);
        foreach (var v in vectors)
        {
            var hash = HashOf(v.GetProperty("hash").GetString()!);
            var indices = v.U64List("indices");
            if (v.TryGetProperty("error", out var error))
            {
                var e = Assert.Throws<MerkleValidationException>(() =>
                    MerkleValidator.ValidatePartialTree(indices, v.HexList("leaves"), v.HexList("nodes"), v.Hex("root"), hash));
                Assert.Equal(error.GetString(), e.Message);
                continue;
            }

            var valid = MerkleValidator.ValidatePartialTreeWithParkingSnapshots(
                indices, v.HexList("leaves"), v.HexList("nodes"), v.Hex("root"), hash, out var snapshots);
            Assert.Equal(v.GetProperty("valid").GetBoolean(), valid);
            if (v.TryGetProperty("snapshots", out var expected))
            {
                var want = expected.EnumerateArray()
                    .Select(s => string.Join(",", s.EnumerateArray().Select(n => n.ValueKind == System.Text.Json.JsonValueKind.Null ? "nil" : n.GetString())));
                var got = snapshots.Select(s => string.Join(",", s.Select(n => n is null ? "nil" : Convert.ToHexStringLower(n))));
                Assert.Equal(want, got);
            }
        }
    }

    [Fact]
    public void Validator_rejects_a_changed_leaf_node_or_root()
    {
        var leaves = Enumerable.Range(0, 11).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToArray();
        ulong[] indices = [2, 7, 10];
        var tree = new MerkleTree(Sha256Parent, indices);
        foreach (var leaf in leaves)
        {
            tree.AddLeaf(leaf);
        }

        var (root, proof) = tree.RootAndProof();
        byte[][] proven = [.. indices.Select(i => leaves[i])];
        Assert.True(MerkleValidator.ValidatePartialTree(indices, proven, proof, root, Sha256Parent));
        for (var k = 0; k < proof.Count; k++)
        {
            var nodes = proof.Select(n => (byte[])n.Clone()).ToArray();
            nodes[k][0] ^= 1;
            Assert.False(MerkleValidator.ValidatePartialTree(indices, proven, nodes, root, Sha256Parent));
        }

        var changed = proven.Select(n => (byte[])n.Clone()).ToArray();
        changed[1][31] ^= 0x80;
        Assert.False(MerkleValidator.ValidatePartialTree(indices, changed, proof, root, Sha256Parent));
        Assert.False(MerkleValidator.ValidatePartialTree([2, 6, 10], proven, proof, root, Sha256Parent));
        Assert.Throws<MerkleValidationException>(() => MerkleValidator.ValidatePartialTree([2, 2, 10], proven, proof, root, Sha256Parent));
    }
}
