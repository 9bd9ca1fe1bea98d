using System.Buffers.Binary;
using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>
/// The PoET's sequential work (poet <c>prover/prover.go</c>): appends leaves <c>label(i)</c> to a Merkle tree keyed on
/// the statement, each label hashing the nodes parked in the tree when it is appended; after the last leaf it takes the
/// root, draws T leaf ids by Fiat–Shamir and opens them.
/// <para>
/// Memory is one parked node per layer. Every finished node is appended to a file per layer in
/// <see cref="Directory"/> (64 bytes of disk per leaf in all, as poet's layer cache), so the openings are read back, not
/// recomputed. <see cref="Checkpoint"/> flushes the files and writes the leaf count and parked nodes atomically;
/// <see cref="Resume"/> truncates the files to that count and continues where the checkpoint stopped.
/// </para>
/// </summary>
public sealed class PoswProver : IDisposable
{
    private const string CheckpointFile = "checkpoint.bin";
    private const int MaxLayers = 64;
    private readonly byte[] _statement;
    private readonly byte[] _parked = new byte[MaxLayers * PoswHash.NodeSize];
    private readonly List<FileStream> _layers = [];
    private ulong _leafCount;

    private PoswProver(string directory, Hash32 statement)
    {
        Directory = directory;
        _statement = statement.ToArray();
        Statement = statement;
    }

    /// <summary>Where the layer files and the checkpoint live.</summary>
    public string Directory { get; }

    /// <summary>The statement (membership root) the work is keyed on.</summary>
    public Hash32 Statement { get; }

    /// <summary>The number of leaves appended so far.</summary>
    public ulong LeafCount => _leafCount;

    /// <summary>Starts fresh work in <paramref name="directory"/> (any earlier files there are discarded).</summary>
    public static PoswProver Create(string directory, Hash32 statement)
    {
        System.IO.Directory.CreateDirectory(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory))
        {
            File.Delete(file);
        }

        return new PoswProver(directory, statement);
    }

    /// <summary>
    /// Continues the work checkpointed in <paramref name="directory"/>, or starts fresh when there is no usable checkpoint
    /// for <paramref name="statement"/> (none, another statement, or layer files shorter than it says).
    /// </summary>
    public static PoswProver Resume(string directory, Hash32 statement)
    {
        var path = Path.Combine(directory, CheckpointFile);
        if (!File.Exists(path))
        {
            return Create(directory, statement);
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 40 || !bytes.AsSpan(0, 32).SequenceEqual(statement.Span))
        {
            return Create(directory, statement);
        }

        var count = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32));
        var parkedCount = System.Numerics.BitOperations.PopCount(count);
        if (bytes.Length != 40 + parkedCount * PoswHash.NodeSize)
        {
            return Create(directory, statement);
        }

        var prover = new PoswProver(directory, statement) { _leafCount = count };
        var offset = 40;
        for (var h = 0; h < MaxLayers; h++)
        {
            if (((count >> h) & 1) == 1)
            {
                bytes.AsSpan(offset, PoswHash.NodeSize).CopyTo(prover.ParkedSpan(h));
                offset += PoswHash.NodeSize;
            }
        }

        for (var h = 0; h < MaxLayers && (count >> h) > 0; h++)
        {
            var layer = prover.Layer(h);
            var expected = (long)(count >> h) * PoswHash.NodeSize;
            if (layer.Length < expected)
            {
                prover.Dispose();
                return Create(directory, statement);
            }

            layer.SetLength(expected);
            layer.Seek(0, SeekOrigin.End);
        }

        return prover;
    }

    /// <summary>
    /// Appends leaves until <paramref name="stop"/> says so (checked after every leaf with the count so far), checkpointing
    /// every <paramref name="checkpointEvery"/> leaves; returns the leaf count.
    /// </summary>
    public ulong Run(Func<ulong, bool> stop, ulong checkpointEvery = 1UL << 22, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var maxInput = _statement.Length + 8 + MaxLayers * PoswHash.NodeSize;
        var input = new byte[maxInput];
        _statement.CopyTo(input, 0);
        Span<byte> node = stackalloc byte[PoswHash.NodeSize];
        Span<byte> parentInput = stackalloc byte[_statement.Length + 2 * PoswHash.NodeSize];
        _statement.CopyTo(parentInput);
        var leftSlot = parentInput.Slice(_statement.Length, PoswHash.NodeSize);
        var rightSlot = parentInput.Slice(_statement.Length + PoswHash.NodeSize, PoswHash.NodeSize);
        while (!stop(_leafCount))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = _leafCount;

            // label(id) = sha256^400(statement ‖ u64 BE id ‖ parked nodes, low layer first); layer h has a parked node
            // exactly when bit h of the leaf count is set.
            var length = _statement.Length;
            BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(length), id);
            length += 8;
            for (var bits = id; bits != 0; bits &= bits - 1)
            {
                var h = System.Numerics.BitOperations.TrailingZeroCount(bits);
                ParkedSpan(h).CopyTo(input.AsSpan(length));
                length += PoswHash.NodeSize;
            }

            PoswHash.Nest(input.AsSpan(0, length), node);

            // Append: the leaf climbs while the layer it reaches has a parked left sibling.
            var height = 0;
            Layer(0).Write(node);
            while (((id >> height) & 1) == 1)
            {
                ParkedSpan(height).CopyTo(leftSlot);
                node.CopyTo(rightSlot);
                System.Security.Cryptography.SHA256.HashData(parentInput, node);
                height++;
                Layer(height).Write(node);
            }

            node.CopyTo(ParkedSpan(height));
            _leafCount++;
            if (_leafCount % checkpointEvery == 0)
            {
                Checkpoint();
            }
        }

        return _leafCount;
    }

    /// <summary>Flushes the layer files to disk and writes the checkpoint (temporary file, then rename).</summary>
    public void Checkpoint()
    {
        foreach (var layer in _layers)
        {
            layer.Flush(flushToDisk: true);
        }

        var bytes = new byte[40 + System.Numerics.BitOperations.PopCount(_leafCount) * PoswHash.NodeSize];
        _statement.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), _leafCount);
        var offset = 40;
        for (var bits = _leafCount; bits != 0; bits &= bits - 1)
        {
            ParkedSpan(System.Numerics.BitOperations.TrailingZeroCount(bits)).CopyTo(bytes.AsSpan(offset));
            offset += PoswHash.NodeSize;
        }

        AtomicFile.Write(Path.Combine(Directory, CheckpointFile), bytes);
    }

    /// <summary>The root of the tree over the leaves so far (zero-node padding up to the next power of two).</summary>
    public Hash32 Root()
    {
        if (_leafCount == 0)
        {
            throw new InvalidOperationException("no leaf yet");
        }

        Span<byte> ephemeral = stackalloc byte[PoswHash.NodeSize];
        var hasEphemeral = false;
        var top = 63 - System.Numerics.BitOperations.LeadingZeroCount(_leafCount);
        for (var h = 0; h <= top; h++)
        {
            var parked = ((_leafCount >> h) & 1) == 1;
            if (h == top && !hasEphemeral)
            {
                return new Hash32(ParkedSpan(h));
            }

            if (parked && hasEphemeral)
            {
                PoswHash.Node(_statement, ParkedSpan(h), ephemeral, ephemeral);
            }
            else if (parked)
            {
                PoswHash.Node(_statement, ParkedSpan(h), MerkleTree.Padding, ephemeral);
                hasEphemeral = true;
            }
            else if (hasEphemeral)
            {
                PoswHash.Node(_statement, ephemeral, MerkleTree.Padding, ephemeral);
            }
        }

        return new Hash32(ephemeral);
    }

    /// <summary>
    /// The proof over the leaves so far: the root, the Fiat–Shamir ids' leaves and the proof nodes in the order
    /// spacemeshos/merkle-tree's validator consumes them.
    /// </summary>
    public PoetProof GenerateProof(int securityParam = PoswHash.SecurityParam)
    {
        var root = Root();
        foreach (var layer in _layers)
        {
            layer.Flush();
        }

        var ids = PoswHash.FiatShamir(root.Span, _leafCount, securityParam);
        var rootHeight = _leafCount <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount(_leafCount - 1);
        var nodes = new List<Hash32>();
        var next = 0;

        // Mirrors the validator's walk: from each proven leaf upwards, a sibling that leads to the next proven leaf is
        // descended into (its nodes come first), any other sibling is a proof node.
        void Walk(int stopHeight)
        {
            var index = ids[next++];
            for (var h = 0; h < stopHeight; h++, index >>= 1)
            {
                if (next < ids.Length && (ids[next] >> h) == (index ^ 1))
                {
                    Walk(h);
                }
                else
                {
                    nodes.Add(NodeAt(h, index ^ 1));
                }
            }
        }

        while (next < ids.Length)
        {
            Walk(rootHeight);
        }

        var leaves = ids.Select(id => NodeAt(0, id)).ToArray();
        foreach (var layer in _layers)
        {
            layer.Seek(0, SeekOrigin.End);
        }

        return new PoetProof(root, leaves, nodes, _leafCount);
    }

    /// <summary>Closes the layer files.</summary>
    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }

        _layers.Clear();
    }

    // Node (height, index) of the padded tree: stored when complete, zero when wholly past the last leaf, hashed from
    // its children when it straddles the end.
    private Hash32 NodeAt(int height, ulong index)
    {
        var first = height >= 64 ? (index == 0 ? 0 : ulong.MaxValue) : index << height;
        var span = height >= 64 ? ulong.MaxValue : 1UL << height;
        if (first >= _leafCount)
        {
            return Hash32.Zero;
        }

        if (_leafCount - first >= span)
        {
            var layer = Layer(height);
            layer.Seek((long)index * PoswHash.NodeSize, SeekOrigin.Begin);
            Span<byte> value = stackalloc byte[PoswHash.NodeSize];
            layer.ReadExactly(value);
            return new Hash32(value);
        }

        var left = NodeAt(height - 1, 2 * index);
        var right = NodeAt(height - 1, 2 * index + 1);
        Span<byte> parent = stackalloc byte[PoswHash.NodeSize];
        PoswHash.Node(_statement, left.Span, right.Span, parent);
        return new Hash32(parent);
    }

    private Span<byte> ParkedSpan(int height) => _parked.AsSpan(height * PoswHash.NodeSize, PoswHash.NodeSize);

    private FileStream Layer(int height)
    {
        while (_layers.Count <= height)
        {
            var path = Path.Combine(Directory, $"layer_{_layers.Count}.bin");
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
            stream.Seek(0, SeekOrigin.End);
            _layers.Add(stream);
        }

        return _layers[height];
    }
}

/// <summary>Whole-file writes that a crash leaves either old or new: a temporary file, flushed, then renamed over.</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
