using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Prover.Verifier;

/// <summary>
/// Scalar reference BLAKE3 (unkeyed hash mode) with an extendable output of any length: the verifier's own oracle for
/// commitments, the proving AES keys and the K3 subset generator. Written for clarity, not speed; the fast paths use
/// the Blake3 package through <c>Prover.Core.Crypto.Blake3</c>, and a Core test holds the two equal.
/// </summary>
public static class Blake3Reference
{
    internal const int BlockLength = 64;
    internal const int ChunkLength = 1024;

    internal const uint ChunkStart = 1;
    internal const uint ChunkEnd = 2;
    internal const uint Parent = 4;
    internal const uint Root = 8;

    internal static ReadOnlySpan<uint> IV =>
    [
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
    ];

    // Message word order of each of the 7 rounds (the permutation applied round after round, pre-composed).
    private static ReadOnlySpan<byte> Schedule =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
        3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
        10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
        12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
        9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
        11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
    ];

    /// <summary>Hashes <paramref name="input"/> and writes <paramref name="output"/>.Length bytes (32 for the default hash).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var hasher = CreateHasher();
        hasher.Update(input);
        hasher.Finalize(output);
    }

    /// <summary>Returns the default 32-byte hash of the concatenation of <paramref name="parts"/>.</summary>
    public static byte[] HashParts(params ReadOnlySpan<byte[]> parts)
    {
        var hasher = CreateHasher();
        foreach (var part in parts)
        {
            hasher.Update(part);
        }

        var output = new byte[32];
        hasher.Finalize(output);
        return output;
    }

    public static Hasher CreateHasher() => new();

    /// <summary>Incremental BLAKE3 hasher. Update any number of times, then Finalize (XOF: any output length).</summary>
    public sealed class Hasher
    {
        // Stack of chaining values of completed subtrees (at most 54 for 2^64 bytes).
        private readonly uint[] _cvStack = new uint[54 * 8];
        private int _cvStackLength;

        private readonly uint[] _chunkCv = new uint[8];
        private readonly byte[] _block = new byte[BlockLength];
        private int _blockLength;
        private int _blocksCompressed;
        private ulong _chunkCounter;

        internal Hasher()
        {
            IV.CopyTo(_chunkCv);
        }

        public void Update(ReadOnlySpan<byte> input)
        {
            Span<uint> cv = stackalloc uint[8];
            Span<uint> words = stackalloc uint[16];
            while (!input.IsEmpty)
            {
                if (ChunkBytes == ChunkLength)
                {
                    // The current chunk is complete and more input follows: it is not the root, push its CV.
                    ChunkOutput().ChainingValue(cv);
                    AddChunkChainingValue(cv, _chunkCounter + 1);
                    ResetChunk(_chunkCounter + 1);
                }

                if (_blockLength == BlockLength)
                {
                    LoadWords(_block, words);
                    Compress(_chunkCv, words, _chunkCounter, BlockLength, StartFlag, _chunkCv);
                    _blocksCompressed++;
                    _blockLength = 0;
                }

                int take = Math.Min(BlockLength - _blockLength, ChunkLength - ChunkBytes);
                take = Math.Min(take, input.Length);
                input[..take].CopyTo(_block.AsSpan(_blockLength));
                _blockLength += take;
                input = input[take..];
            }
        }

        public void Finalize(Span<byte> output)
        {
            var node = ChunkOutput();
            Span<uint> right = stackalloc uint[8];
            for (int i = _cvStackLength - 1; i >= 0; i--)
            {
                node.ChainingValue(right);
                node = Output.ParentNode(_cvStack.AsSpan(i * 8, 8), right);
            }

            node.RootBytes(output);
        }

        private int ChunkBytes => _blocksCompressed * BlockLength + _blockLength;

        private uint StartFlag => _blocksCompressed == 0 ? ChunkStart : 0;

        private Output ChunkOutput()
        {
            var words = new uint[16];
            Span<byte> padded = stackalloc byte[BlockLength];
            _block.AsSpan(0, _blockLength).CopyTo(padded);
            LoadWords(padded, words);
            return new Output(_chunkCv, words, _chunkCounter, (uint)_blockLength, StartFlag | ChunkEnd);
        }

        private void ResetChunk(ulong counter)
        {
            IV.CopyTo(_chunkCv);
            _chunkCounter = counter;
            _blockLength = 0;
            _blocksCompressed = 0;
            Array.Clear(_block);
        }

        // Merge completed subtrees: after totalChunks chunks, the number of trailing zero bits says how many merges.
        private void AddChunkChainingValue(ReadOnlySpan<uint> cv, ulong totalChunks)
        {
            Span<uint> merged = stackalloc uint[8];
            cv.CopyTo(merged);
            while ((totalChunks & 1) == 0)
            {
                _cvStackLength--;
                Output.ParentNode(_cvStack.AsSpan(_cvStackLength * 8, 8), merged).ChainingValue(merged);
                totalChunks >>= 1;
            }

            merged.CopyTo(_cvStack.AsSpan(_cvStackLength * 8, 8));
            _cvStackLength++;
        }
    }

    /// <summary>The inputs of a final compression, kept so the root can be expanded to any length.</summary>
    private readonly struct Output
    {
        private readonly uint[] _inputCv;
        private readonly uint[] _blockWords;
        private readonly ulong _counter;
        private readonly uint _blockLength;
        private readonly uint _flags;

        public Output(ReadOnlySpan<uint> inputCv, uint[] blockWords, ulong counter, uint blockLength, uint flags)
        {
            _inputCv = inputCv.ToArray();
            _blockWords = blockWords;
            _counter = counter;
            _blockLength = blockLength;
            _flags = flags;
        }

        public static Output ParentNode(ReadOnlySpan<uint> left, ReadOnlySpan<uint> right)
        {
            var words = new uint[16];
            left.CopyTo(words);
            right.CopyTo(words.AsSpan(8));
            return new Output(IV, words, 0, BlockLength, Parent);
        }

        public void ChainingValue(Span<uint> cv)
        {
            Compress(_inputCv, _blockWords, _counter, _blockLength, _flags, cv);
        }

        public void RootBytes(Span<byte> output)
        {
            Span<uint> full = stackalloc uint[16];
            Span<byte> bytes = stackalloc byte[BlockLength];
            ulong blockCounter = 0;
            while (!output.IsEmpty)
            {
                CompressFull(_inputCv, _blockWords, blockCounter, _blockLength, _flags | Root, full);
                for (int i = 0; i < 16; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes[(i * 4)..], full[i]);
                }

                int take = Math.Min(BlockLength, output.Length);
                bytes[..take].CopyTo(output);
                output = output[take..];
                blockCounter++;
            }
        }
    }

    private static void LoadWords(ReadOnlySpan<byte> block, Span<uint> words)
    {
        for (int i = 0; i < 16; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }
    }

    private static void Compress(ReadOnlySpan<uint> cv, ReadOnlySpan<uint> m, ulong counter, uint blockLength, uint flags,
        Span<uint> outCv)
    {
        Span<uint> full = stackalloc uint[16];
        CompressFull(cv, m, counter, blockLength, flags, full);
        full[..8].CopyTo(outCv);
    }

    // The full 16-word output: first half = state[i] ^ state[i+8], second half = state[i+8] ^ cv[i].
    private static void CompressFull(ReadOnlySpan<uint> cv, ReadOnlySpan<uint> m, ulong counter, uint blockLength,
        uint flags, Span<uint> output)
    {
        Span<uint> s = stackalloc uint[16];
        cv[..8].CopyTo(s);
        IV[..4].CopyTo(s[8..]);
        s[12] = (uint)counter;
        s[13] = (uint)(counter >> 32);
        s[14] = blockLength;
        s[15] = flags;

        var schedule = Schedule;
        for (int round = 0; round < 7; round++)
        {
            var order = schedule.Slice(round * 16, 16);
            G(s, 0, 4, 8, 12, m[order[0]], m[order[1]]);
            G(s, 1, 5, 9, 13, m[order[2]], m[order[3]]);
            G(s, 2, 6, 10, 14, m[order[4]], m[order[5]]);
            G(s, 3, 7, 11, 15, m[order[6]], m[order[7]]);
            G(s, 0, 5, 10, 15, m[order[8]], m[order[9]]);
            G(s, 1, 6, 11, 12, m[order[10]], m[order[11]]);
            G(s, 2, 7, 8, 13, m[order[12]], m[order[13]]);
            G(s, 3, 4, 9, 14, m[order[14]], m[order[15]]);
        }

        for (int i = 0; i < 8; i++)
        {
            output[i] = s[i] ^ s[i + 8];
            output[i + 8] = s[i + 8] ^ cv[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(Span<uint> s, int a, int b, int c, int d, uint mx, uint my)
    {
        s[a] = s[a] + s[b] + mx;
        s[d] = uint.RotateRight(s[d] ^ s[a], 16);
        s[c] = s[c] + s[d];
        s[b] = uint.RotateRight(s[b] ^ s[c], 12);
        s[a] = s[a] + s[b] + my;
        s[d] = uint.RotateRight(s[d] ^ s[a], 8);
        s[c] = s[c] + s[d];
        s[b] = uint.RotateRight(s[b] ^ s[c], 7);
    }
}
