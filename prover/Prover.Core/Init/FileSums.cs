using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// Block checksums of one finished <c>postdata_N.bin</c>, kept beside it in <c>.postdata_N.bin.sums</c>: an XXH3-64
/// of every 1 MiB block, written once when <c>init</c> completes the file. Labels are deterministic, so the sums of a
/// correct file never change: a later <c>init</c> finds a damaged, truncated or flipped block by comparing, and
/// recomputes only that block instead of everything after it. The size and modification time recorded with them let
/// an untouched file pass without being read.
/// </summary>
internal sealed record FileSums
{
    public const int BlockBytes = 1 << 20;

    public int Format { get; init; } = 1;
    public required string Commitment { get; init; }
    public required ulong ScryptN { get; init; }
    public required int File { get; init; }
    public required long Length { get; init; }
    public required long ModifiedTicks { get; init; }

    /// <summary>The little-endian XXH3-64 of each block, base64.</summary>
    public required string Blocks { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static string PathFor(string dataDir, int file) =>
        Path.Combine(dataDir, string.Create(CultureInfo.InvariantCulture, $".postdata_{file}.bin.sums"));

    public int BlockCount => (int)((Length + BlockBytes - 1) / BlockBytes);

    /// <summary>The recorded sums for this file and these parameters; null when absent, unreadable or for other data.</summary>
    public static FileSums? TryLoad(string dataDir, int file, string commitment, ulong scryptN, long length)
    {
        var path = PathFor(dataDir, file);
        try
        {
            if (!System.IO.File.Exists(path))
            {
                return null;
            }

            var sums = JsonSerializer.Deserialize<FileSums>(System.IO.File.ReadAllText(path), Json);
            if (sums is null || sums.Format != 1 || sums.File != file || sums.Length != length || sums.ScryptN != scryptN
                || !string.Equals(sums.Commitment, commitment, StringComparison.Ordinal)
                || Convert.FromBase64String(sums.Blocks).Length != sums.BlockCount * sizeof(ulong))
            {
                return null;
            }

            return sums;
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads a finished file and records its sums.</summary>
    public static FileSums Compute(string dataPath, int file, string commitment, ulong scryptN, CancellationToken ct)
    {
        using var fs = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        long length = fs.Length;
        var blocks = new byte[(int)((length + BlockBytes - 1) / BlockBytes) * sizeof(ulong)];
        var buffer = new byte[BlockBytes];
        for (int b = 0; b * (long)BlockBytes < length; b++)
        {
            ct.ThrowIfCancellationRequested();
            int n = (int)Math.Min(BlockBytes, length - b * (long)BlockBytes);
            fs.ReadExactly(buffer, 0, n);
            BinaryPrimitives.WriteUInt64LittleEndian(blocks.AsSpan(b * sizeof(ulong)), XxHash3.HashToUInt64(buffer.AsSpan(0, n)));
        }

        return new FileSums
        {
            Commitment = commitment,
            ScryptN = scryptN,
            File = file,
            Length = length,
            ModifiedTicks = System.IO.File.GetLastWriteTimeUtc(dataPath).Ticks,
            Blocks = Convert.ToBase64String(blocks),
        };
    }

    public void Save(string dataDir) => AtomicFile.WriteAllText(PathFor(dataDir, File), JsonSerializer.Serialize(this, Json));

    /// <summary>Whether the file still has the size and modification time recorded with the sums.</summary>
    public bool Untouched(FileInfo info) => info.Exists && info.Length == Length && info.LastWriteTimeUtc.Ticks == ModifiedTicks;

    /// <summary>
    /// The blocks that do not hold what was recorded: blocks that differ, and blocks not wholly present in a file
    /// that was cut short. Reads the file once.
    /// </summary>
    public List<int> FindDamagedBlocks(string dataPath, CancellationToken ct)
    {
        var expected = Convert.FromBase64String(Blocks);
        var damaged = new List<int>();
        long present = System.IO.File.Exists(dataPath) ? new FileInfo(dataPath).Length : 0;
        using var fs = present > 0
            ? new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan)
            : null;
        var buffer = new byte[BlockBytes];
        for (int b = 0; b < BlockCount; b++)
        {
            ct.ThrowIfCancellationRequested();
            long start = b * (long)BlockBytes;
            int n = (int)Math.Min(BlockBytes, Length - start);
            if (fs is null || start + n > present)
            {
                damaged.Add(b);
                continue;
            }

            fs.ReadExactly(buffer, 0, n);
            if (XxHash3.HashToUInt64(buffer.AsSpan(0, n)) != BinaryPrimitives.ReadUInt64LittleEndian(expected.AsSpan(b * sizeof(ulong))))
            {
                damaged.Add(b);
            }
        }

        return damaged;
    }
}
