using Microsoft.Win32.SafeHandles;
using Prover.Core.Data;

namespace Prover.Core.Proving;

/// <summary>One read batch of labels handed to a scanning thread.</summary>
public sealed class DataBatch
{
    private readonly Action<DataBatch>? _release;

    internal DataBatch(ReadOnlyMemory<byte> data, ulong firstLabelIndex, long position, byte[]? buffer, Action<DataBatch>? release)
    {
        Data = data;
        FirstLabelIndex = firstLabelIndex;
        Position = position;
        Buffer = buffer;
        _release = release;
    }

    /// <summary>The labels (whole labels; a trailing partial 128-byte chunk is skipped by the scanner).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Global index of the first label of <see cref="Data"/>.</summary>
    public ulong FirstLabelIndex { get; }

    /// <summary>Offset of the batch in the concatenation of all data read (for progress).</summary>
    public long Position { get; }

    internal byte[]? Buffer { get; }

    /// <summary>Returns the batch's buffer to its pool once the batch is scanned.</summary>
    public void Release() => _release?.Invoke(this);
}

/// <summary>Where proving reads labels from: the postdata files of a directory, or memory (profiling, benchmarks, tests).</summary>
public abstract class PostDataSource
{
    /// <summary>Bytes one pass reads.</summary>
    public abstract long TotalBytes { get; }

    /// <summary>
    /// Produces the batches of one pass in data order, each at most <paramref name="batchSize"/> bytes (a multiple
    /// of 128) and never spanning two files. Buffers come from <paramref name="buffers"/>; the call blocks while all
    /// are in use, which bounds how far the reader runs ahead of the scanning threads.
    /// </summary>
    public abstract IEnumerable<DataBatch> ReadBatches(int batchSize, BufferPool buffers, CancellationToken cancellationToken);

    /// <summary>The postdata files of <paramref name="dataDir"/> described by <paramref name="metadata"/>.</summary>
    public static PostDataSource FromDirectory(string dataDir, PostMetadata metadata) => new DirectorySource(dataDir, metadata);

    /// <summary>The first <paramref name="maxBytes"/> bytes of one file of labels (profiling); its first label is index 0.</summary>
    public static PostDataSource FromFile(string path, long maxBytes) => new DirectorySource([path], (ulong)maxBytes);

    /// <summary>Labels already in memory; <paramref name="firstLabelIndex"/> is the index of the first one.</summary>
    public static PostDataSource FromMemory(ReadOnlyMemory<byte> labels, ulong firstLabelIndex = 0) => new MemorySource(labels, firstLabelIndex);

    private sealed class MemorySource(ReadOnlyMemory<byte> labels, ulong firstLabelIndex) : PostDataSource
    {
        public override long TotalBytes => labels.Length;

        public override IEnumerable<DataBatch> ReadBatches(int batchSize, BufferPool buffers, CancellationToken cancellationToken)
        {
            for (int at = 0; at < labels.Length; at += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int length = Math.Min(batchSize, labels.Length - at);
                yield return new DataBatch(labels.Slice(at, length), firstLabelIndex + ((ulong)at / ProvingConstants.LabelSize), at, null, null);
            }
        }
    }

    /// <summary>
    /// post-rs's reader (spec §4.5): files <c>postdata_N.bin</c> sorted by N; the file at enumeration position k starts
    /// at byte k × max_file_size, so its first label is k × max_file_size / 16; at most max_file_size bytes are read
    /// from each file.
    /// </summary>
    private sealed class DirectorySource : PostDataSource
    {
        private readonly IReadOnlyList<string> _files;
        private readonly ulong _maxFileSize;

        public DirectorySource(string dataDir, PostMetadata metadata)
            : this(ListFiles(dataDir), metadata.MaxFileSize)
        {
        }

        public DirectorySource(IReadOnlyList<string> files, ulong maxFileSize)
        {
            _files = files;
            _maxFileSize = maxFileSize;
            long total = 0;
            foreach (string path in _files)
            {
                total += (long)Math.Min((ulong)new FileInfo(path).Length, _maxFileSize);
            }

            TotalBytes = total;
        }

        public override long TotalBytes { get; }

        private static string[] ListFiles(string dataDir)
        {
            var files = PostDataLayout.ListFiles(dataDir);
            return files.Count == 0
                ? throw new InvalidInputException(InputField.DataDir, $"no postdata_N.bin files in '{dataDir}'")
                : files.Select(f => f.Path).ToArray();
        }

        public override IEnumerable<DataBatch> ReadBatches(int batchSize, BufferPool buffers, CancellationToken cancellationToken)
        {
            long position = 0;
            for (int id = 0; id < _files.Count; id++)
            {
                string path = _files[id];
                ulong fileStart = (ulong)id * _maxFileSize;
                using SafeFileHandle handle = OpenRead(path);
                long limit = (long)Math.Min((ulong)RandomAccess.GetLength(handle), _maxFileSize);
                long offset = 0;
                while (offset < limit)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    byte[] buffer = buffers.Rent(cancellationToken);
                    int want = (int)Math.Min(batchSize, limit - offset);
                    int read = ReadFully(handle, buffer.AsMemory(0, want), offset, path);
                    if (read == 0)
                    {
                        buffers.Return(buffer);
                        break;
                    }

                    ulong firstLabel = (fileStart + (ulong)offset) / ProvingConstants.LabelSize;
                    yield return new DataBatch(buffer.AsMemory(0, read), firstLabel, position, buffer, b => buffers.Return(b.Buffer!));
                    offset += read;
                    position += read;
                }
            }
        }

        private static SafeFileHandle OpenRead(string path)
        {
            try
            {
                return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            }
            catch (IOException e)
            {
                throw new InvalidInputException(InputField.File, $"cannot open {path}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new InvalidInputException(InputField.File, $"cannot open {path}: {e.Message}", e);
            }
        }

        private static int ReadFully(SafeFileHandle handle, Memory<byte> target, long offset, string path)
        {
            int total = 0;
            try
            {
                while (total < target.Length)
                {
                    int n = RandomAccess.Read(handle, target.Span[total..], offset + total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            catch (IOException e)
            {
                throw new InvalidInputException(InputField.File, $"cannot read {path} at byte {offset + total}: {e.Message}", e);
            }

            return total;
        }
    }
}

/// <summary>At most <c>count</c> equally sized read buffers, allocated on first use; renting blocks while all are out.</summary>
public sealed class BufferPool : IDisposable
{
    private readonly System.Collections.Concurrent.BlockingCollection<byte[]> _free = [];
    private readonly int _count;
    private readonly int _size;
    private int _created;

    public BufferPool(int count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _count = count;
        _size = size;
    }

    public byte[] Rent(CancellationToken cancellationToken)
    {
        if (_free.TryTake(out byte[]? buffer))
        {
            return buffer;
        }

        if (Interlocked.Increment(ref _created) <= _count)
        {
            return GC.AllocateUninitializedArray<byte>(_size);
        }

        return _free.Take(cancellationToken);
    }

    public void Return(byte[] buffer) => _free.Add(buffer);

    public void Dispose() => _free.Dispose();
}
