using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Prover.Node.Poet;

/// <summary>
/// The hashes of the PoET's proof of sequential work (poet <c>hash/hash.go</c>, <c>shared/shared.go</c>):
/// <list type="bullet">
/// <item>label = SHA-256 nested <see cref="LabelNestingDepth"/> times: the first round over
/// <c>statement ‖ u64 BE id ‖ left siblings</c>, each later one over the previous digest;</item>
/// <item>tree node = <c>sha256(statement ‖ L ‖ R)</c>;</item>
/// <item>Fiat–Shamir: <c>id_i = u64 BE(sha256(root ‖ u32 BE i)[0:8]) mod N</c> until T distinct ids.</item>
/// </list>
/// All of it runs on the BCL's SHA-256 (a reused <see cref="IncrementalHash"/> per thread for the label rounds) over
/// stack buffers: no allocation per label.
/// </summary>
public static class PoswHash
{
    /// <summary>The number of nested SHA-256 rounds per label.</summary>
    public const int LabelNestingDepth = 400;

    /// <summary>The security parameter T: proven leaves per proof.</summary>
    public const int SecurityParam = 150;

    /// <summary>The node size in bytes.</summary>
    public const int NodeSize = 32;

    /// <summary>Writes <c>sha256^400(statement ‖ data)</c> into <paramref name="label"/> (32 bytes).</summary>
    public static void Label(ReadOnlySpan<byte> statement, ReadOnlySpan<byte> data, Span<byte> label)
    {
        var length = statement.Length + data.Length;
        var rented = length > 2048 ? new byte[length] : null;
        Span<byte> input = rented ?? stackalloc byte[2048];
        statement.CopyTo(input);
        data.CopyTo(input[statement.Length..]);
        Nest(input[..length], label);
    }

    /// <summary>The label of leaf <paramref name="id"/> given its left siblings (empty entries are skipped).</summary>
    public static byte[] Label(ReadOnlySpan<byte> statement, ulong id, IEnumerable<byte[]?> leftSiblings)
    {
        var label = new byte[NodeSize];
        Label(statement, LabelData(id, leftSiblings), label);
        return label;
    }

    /// <summary><c>u64 BE id ‖ left siblings</c>, the data a label hashes (poet <c>MakeLabel</c>).</summary>
    public static byte[] LabelData(ulong id, IEnumerable<byte[]?> leftSiblings)
    {
        ArgumentNullException.ThrowIfNull(leftSiblings);
        var data = new List<byte>(8 + 64 * NodeSize);
        Span<byte> be = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(be, id);
        data.AddRange(be);
        foreach (var sibling in leftSiblings)
        {
            if (sibling is { Length: > 0 })
            {
                data.AddRange(sibling);
            }
        }

        return [.. data];
    }

    // One reusable SHA-256 context per thread: on this runtime (OpenSSL) an IncrementalHash reset is cheaper than a
    // one-shot HashData call, and the 399 inner rounds are all call overhead (32-byte inputs).
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>The 400 nested rounds over an already assembled first-round input.</summary>
    internal static void Nest(ReadOnlySpan<byte> firstInput, Span<byte> label)
    {
        var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[NodeSize];
        sha.AppendData(firstInput);
        sha.GetHashAndReset(digest);
        for (var i = 1; i < LabelNestingDepth; i++)
        {
            sha.AppendData(digest);
            sha.GetHashAndReset(digest);
        }

        digest.CopyTo(label);
    }

    /// <summary>Writes <c>sha256(statement ‖ left ‖ right)</c> into <paramref name="parent"/>.</summary>
    public static void Node(ReadOnlySpan<byte> statement, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> parent)
    {
        var length = statement.Length + left.Length + right.Length;
        var rented = length > 256 ? new byte[length] : null;
        Span<byte> input = rented ?? stackalloc byte[256];
        statement.CopyTo(input);
        left.CopyTo(input[statement.Length..]);
        right.CopyTo(input[(statement.Length + left.Length)..]);
        SHA256.HashData(input[..length], parent);
    }

    /// <summary>The tree's node hash keyed on <paramref name="statement"/>, for the generic tree and validator.</summary>
    public static MerkleNodeHash NodeHash(ReadOnlyMemory<byte> statement) => (left, right) =>
    {
        var parent = new byte[NodeSize];
        Node(statement.Span, left, right, parent);
        return parent;
    };

    /// <summary>
    /// The proven leaf ids, sorted ascending: all of 0..N−1 when N &lt; T, else the first T distinct
    /// <c>u64 BE(sha256(root ‖ u32 BE i)[0:8]) mod N</c>.
    /// </summary>
    public static ulong[] FiatShamir(ReadOnlySpan<byte> root, ulong leafCount, int securityParam = SecurityParam)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(securityParam);
        if ((ulong)securityParam > leafCount)
        {
            var all = new ulong[leafCount];
            for (var i = 0UL; i < leafCount; i++)
            {
                all[i] = i;
            }

            return all;
        }

        var ids = new HashSet<ulong>(securityParam);
        var rented = root.Length + 4 > 256 ? new byte[root.Length + 4] : null;
        Span<byte> input = rented ?? stackalloc byte[256];
        input = input[..(root.Length + 4)];
        root.CopyTo(input);
        Span<byte> digest = stackalloc byte[NodeSize];
        for (var i = 0U; ids.Count < securityParam; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input[root.Length..], i);
            SHA256.HashData(input, digest);
            ids.Add(BinaryPrimitives.ReadUInt64BigEndian(digest) % leafCount);
        }

        var sorted = ids.ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
