using Prover.Core.Crypto;
using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>The first problem found in a data directory.</summary>
public sealed record DataProblem(int File, string Path, long Offset, ulong? LabelIndex, string Message);

/// <summary>The outcome of <see cref="DataVerification.Run"/>.</summary>
public sealed record DataVerificationResult(
    int FilesChecked,
    ulong LabelsChecked,
    DataProblem? FirstProblem,
    ulong? Nonce,
    bool? NonceValid,
    string? NonceMessage)
{
    public bool Ok => FirstProblem is null && NonceValid != false;
}

/// <summary>
/// Recomputes a random sample of the labels of each file (spec §3.6) and the VRF nonce, and reports the first
/// mismatch by file and byte offset. Samples are taken in runs of consecutive labels so SIMD lanes are used fully.
/// </summary>
public static class DataVerification
{
    public const int RunLength = 16;

    public static DataVerificationResult Run(string dataDir, ILabelProvider provider, ulong scryptN, double fractionPercent,
        byte[]? vrfDifficulty = null, int? seed = null, IProgress<(ulong Done, ulong Total)>? progress = null,
        CancellationToken ct = default)
    {
        if (fractionPercent is <= 0 or > 100 || double.IsNaN(fractionPercent))
        {
            throw new PostDataException($"--fraction must be in (0, 100], got {fractionPercent}");
        }

        var metadata = PostMetadata.Load(dataDir);
        var layout = metadata.Layout;
        var commitment = Blake3.HashParts(metadata.NodeId, metadata.CommitmentAtxId);
        var random = seed is { } s ? new Random(s) : new Random();
        ulong done = 0;

        // Plan: per file, which runs of labels to check.
        var plan = new List<(int File, ulong Offset, int Count)>();
        var present = PostDataLayout.ListFiles(dataDir).ToDictionary(f => f.Index, f => f.Path);
        for (int f = 0; f < layout.NumFiles; f++)
        {
            ulong inFile = layout.LabelsInFile(f);
            var path = Path.Combine(dataDir, PostDataLayout.FileName(f));
            if (!present.ContainsKey(f))
            {
                return Fail(f, path, 0, null, $"{path} is missing");
            }

            long size = new FileInfo(path).Length;
            long expected = (long)(inFile * PostDataLayout.LabelSize);
            if (size != expected)
            {
                return Fail(f, path, Math.Min(size, expected), null,
                    $"{path} is {size} bytes, expected {expected} ({inFile} labels)");
            }

            // The file is cut into aligned runs of RunLength labels; a random subset of distinct runs covers the
            // fraction, so 100% checks every label and smaller fractions never check a label twice.
            ulong samples = Math.Max(1, (ulong)Math.Ceiling(inFile * fractionPercent / 100));
            long slots = (long)((inFile + RunLength - 1) / RunLength);
            long runs = Math.Min(slots, (long)((samples + RunLength - 1) / RunLength));
            long[] order = RandomSubset(slots, runs, random);
            for (long r = 0; r < runs; r++)
            {
                ulong offset = (ulong)order[r] * RunLength;
                plan.Add((f, offset, (int)Math.Min(RunLength, inFile - offset)));
            }
        }

        ulong total = (ulong)plan.Sum(p => p.Count);
        var outputs = new byte[RunLength * 32];
        var onDisk = new byte[RunLength * PostDataLayout.LabelSize];
        foreach (var group in plan.GroupBy(p => p.File))
        {
            var path = Path.Combine(dataDir, PostDataLayout.FileName(group.Key));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            foreach (var (file, offset, count) in group.OrderBy(g => g.Offset))
            {
                ct.ThrowIfCancellationRequested();
                ulong first = layout.FirstLabel(file) + offset;
                provider.ComputeOutputs(commitment, scryptN, first, count, outputs, ct);
                fs.Position = (long)(offset * PostDataLayout.LabelSize);
                fs.ReadExactly(onDisk.AsSpan(0, count * PostDataLayout.LabelSize));
                for (int i = 0; i < count; i++)
                {
                    var expected = outputs.AsSpan(i * 32, PostDataLayout.LabelSize);
                    var actual = onDisk.AsSpan(i * PostDataLayout.LabelSize, PostDataLayout.LabelSize);
                    if (!expected.SequenceEqual(actual))
                    {
                        long byteOffset = (long)((offset + (ulong)i) * PostDataLayout.LabelSize);
                        return Fail(file, path, byteOffset, first + (ulong)i,
                            $"{path} offset {byteOffset} (label {first + (ulong)i}): on disk {Hex.Format(actual)}, expected {Hex.Format(expected)}");
                    }
                }

                done += (ulong)count;
                progress?.Report((done, total));
            }
        }

        // The VRF nonce must have an output below the difficulty nodes check (go-spacemesh: PowDifficulty(numLabels)).
        bool? nonceValid = null;
        string? nonceMessage = null;
        if (metadata.Nonce is { } nonce)
        {
            var difficulty = vrfDifficulty ?? VrfDifficulty.ForLabels(layout.TotalLabels);
            var output = new byte[32];
            provider.ComputeOutputs(commitment, scryptN, nonce, 1, output, ct);
            nonceValid = VrfDifficulty.IsBelow(output, difficulty);
            nonceMessage = nonceValid.Value
                ? $"VRF nonce {nonce}: output {Hex.Format(output)} is below the difficulty {Hex.Format(difficulty)}"
                : $"VRF nonce {nonce}: output {Hex.Format(output)} is NOT below the difficulty {Hex.Format(difficulty)}";
        }
        else
        {
            nonceMessage = "no VRF nonce in the metadata (initialization incomplete?)";
        }

        return new DataVerificationResult(layout.NumFiles, done, null, metadata.Nonce, nonceValid, nonceMessage);

        DataVerificationResult Fail(int file, string path, long offset, ulong? index, string message) =>
            new(file, done, new DataProblem(file, path, offset, index, message), metadata.Nonce, null, null);
    }

    /// <summary>A uniformly random subset of <paramref name="take"/> slots out of 0..count-1, in ascending order
    /// (selection sampling: one pass, memory for the chosen slots only).</summary>
    private static long[] RandomSubset(long count, long take, Random random)
    {
        var result = new long[take];
        long chosen = 0;
        for (long slot = 0; slot < count && chosen < take; slot++)
        {
            if (random.NextInt64(count - slot) < take - chosen)
            {
                result[chosen++] = slot;
            }
        }

        return result;
    }

}
