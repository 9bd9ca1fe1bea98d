using System.Globalization;
using System.Text.RegularExpressions;
using Prover.Core.Crypto;
using Prover.Core.Data;
using Prover.Core.Primitives;

namespace Prover.Core.Init;

/// <summary>A corrupt label or file: the first one found in a data directory.</summary>
public sealed record DataProblem(int File, string Path, long Offset, ulong? LabelIndex, string Message);

/// <summary>The verdict of <see cref="DataVerification.Run"/>, worst first.</summary>
public enum DataVerdict
{
    /// <summary>Every sampled label matches, the data is complete and its VRF nonce meets the difficulty.</summary>
    Ok,

    /// <summary>What is there matches, but something is not there yet: short or missing files, no VRF nonce, an
    /// initialization that did not finish. Running the same <c>post init</c> again completes it.</summary>
    Incomplete,

    /// <summary>The labels match but the VRF nonce in the metadata does not meet the difficulty.</summary>
    NonceInvalid,

    /// <summary>A label on disk differs from its recomputation, or a file is not what the metadata describes.</summary>
    Corrupt,
}

/// <summary>The outcome of <see cref="DataVerification.Run"/>.</summary>
public sealed record DataVerificationResult(
    int FilesChecked,
    ulong LabelsChecked,
    DataProblem? FirstProblem,
    ulong? Nonce,
    bool? NonceValid,
    string? NonceMessage)
{
    /// <summary>What keeps the data from being complete (short or missing files, no VRF nonce, an unfinished
    /// initialization), in words; empty when complete.</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    public DataVerdict Verdict =>
        FirstProblem is not null ? DataVerdict.Corrupt
        : NonceValid == false ? DataVerdict.NonceInvalid
        : Missing.Count > 0 ? DataVerdict.Incomplete
        : DataVerdict.Ok;

    public bool Ok => Verdict == DataVerdict.Ok;
}

/// <summary>
/// Recomputes a random sample of the labels of each file (spec §3.6) and the VRF nonce, and reports the first
/// mismatch by file and byte offset. Samples are taken in runs of consecutive labels so SIMD lanes are used fully.
/// Missing or short files, a missing nonce and an unfinished initialization make the data incomplete, not corrupt:
/// the labels that are there are still checked.
/// </summary>
public static partial class DataVerification
{
    public const int RunLength = 16;

    /// <summary>The scrypt N assumed when neither the flag nor an init state names one (mainnet's).</summary>
    public const ulong DefaultScryptN = 8192;

    /// <summary>
    /// The scrypt N to check <paramref name="dataDir"/> with, and where it came from (in the domain's words: a host
    /// renames fields with <see cref="InvalidInputException.Rename"/>): <paramref name="given"/> when given,
    /// else the N recorded by <c>post init</c> in its state files (<c>.post-init-A-B.json</c>) of this identity, else
    /// <see cref="DefaultScryptN"/>. Neither post-rs's nor postcli's metadata records N.
    /// </summary>
    /// <exception cref="InvalidInputException">the metadata is unreadable, or the state files disagree on N.</exception>
    public static (ulong ScryptN, string Source) ResolveScryptN(string dataDir, ulong? given)
    {
        if (given is { } n)
        {
            return (n, InputField.ScryptN);
        }

        var metadata = PostMetadata.Load(dataDir);
        var recorded = MatchingStates(dataDir, metadata)
            .GroupBy(s => s.State.ScryptN)
            .Select(g => (ScryptN: g.Key, Files: g.Select(s => Path.GetFileName(s.Path)).Order(StringComparer.Ordinal).ToList()))
            .ToList();
        return recorded.Count switch
        {
            0 => (DefaultScryptN, string.Create(CultureInfo.InvariantCulture,
                $"the default: no init state in {dataDir} records N; give scryptN if the data was made with another")),
            1 => (recorded[0].ScryptN, $"the init state {string.Join(", ", recorded[0].Files)}"),
            _ => throw new InvalidInputException(InputField.ScryptN, string.Create(CultureInfo.InvariantCulture,
                $"the init states in {dataDir} disagree on scrypt N ({string.Join("; ", recorded.Select(r => $"{r.ScryptN} in {string.Join(", ", r.Files)}"))}); give scryptN")),
        };
    }

    /// <summary>The readable init state files of <paramref name="dataDir"/> made for the metadata's identity.</summary>
    private static List<(string Path, InitState State)> MatchingStates(string dataDir, PostMetadata metadata)
    {
        string commitment = Commitment.Of(metadata.NodeId, metadata.CommitmentAtxId).ToString();
        var states = new List<(string, InitState)>();
        foreach (var path in Directory.EnumerateFiles(dataDir, ".post-init-*"))
        {
            if (!StatePattern().IsMatch(Path.GetFileName(path)))
            {
                continue;
            }

            InitState? state;
            try
            {
                state = InitState.TryLoad(path);
            }
            catch (Exception e) when (e is InvalidInputException or IOException or UnauthorizedAccessException)
            {
                continue; // unreadable: it tells nothing about the data (post init says so when it resumes)
            }

            if (state is not null && string.Equals(state.Commitment, commitment, StringComparison.OrdinalIgnoreCase))
            {
                states.Add((path, state));
            }
        }

        return states;
    }

    [GeneratedRegex(@"^\.post-init-\d+-\d+\.json$")]
    private static partial Regex StatePattern();

    public static DataVerificationResult Run(string dataDir, ILabelProvider provider, ulong scryptN, double fractionPercent,
        byte[]? vrfDifficulty = null, int? seed = null, IProgress<(ulong Done, ulong Total)>? progress = null,
        CancellationToken ct = default)
    {
        if (fractionPercent is <= 0 or > 100 || double.IsNaN(fractionPercent))
        {
            throw new InvalidInputException(InputField.FractionPercent, $"fractionPercent must be in (0, 100], got {fractionPercent}");
        }

        var metadata = PostMetadata.Load(dataDir);
        var layout = metadata.Layout;
        var commitment = Commitment.Of(metadata.NodeId, metadata.CommitmentAtxId).ToArray();
        var random = seed is { } s ? new Random(s) : new Random();
        var missing = new List<string>();
        DataProblem? problem = null;
        ulong done = 0;
        int filesChecked = 0;

        // Plan: per file, which runs of labels to check. A short file is checked up to its last whole label.
        var plan = new List<(int File, ulong Offset, int Count)>();
        var absent = new List<int>();
        for (int f = 0; f < layout.NumFiles; f++)
        {
            ulong inFile = layout.LabelsInFile(f);
            var path = Path.Combine(dataDir, PostDataLayout.FileName(f));
            long expected = (long)(inFile * PostDataLayout.LabelSize);
            if (Directory.Exists(path))
            {
                problem ??= new DataProblem(f, path, 0, null, $"{path} is a directory, not a data file");
                continue;
            }

            if (!File.Exists(path))
            {
                absent.Add(f);
                continue;
            }

            long size = new FileInfo(path).Length;
            if (size > expected)
            {
                problem ??= new DataProblem(f, path, expected, null,
                    $"{path} is {size} bytes, longer than the {expected} bytes ({inFile} labels) the metadata describes");
                continue;
            }

            if (size < expected)
            {
                missing.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{path} is {size} bytes, expected {expected} ({size / PostDataLayout.LabelSize} of {inFile} labels)"));
                inFile = (ulong)size / PostDataLayout.LabelSize;
                if (inFile == 0)
                {
                    continue;
                }
            }

            // The file is cut into aligned runs of RunLength labels; a random subset of distinct runs covers the
            // fraction, so 100% checks every label and smaller fractions never check a label twice.
            filesChecked++;
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

        if (absent.Count > 0)
        {
            missing.Insert(0, $"{Ranges(absent)} of {layout.NumFiles} files {(absent.Count == 1 ? "is" : "are")} missing in {dataDir}");
        }

        foreach (var (path, state) in MatchingStates(dataDir, metadata).Where(s => !s.State.Complete))
        {
            missing.Add(string.Create(CultureInfo.InvariantCulture,
                $"the initialization of files {state.FromFile}..{state.ToFile} did not finish ({Path.GetFileName(path)}: labels durable up to {state.Next} of {state.TotalLabels}{(state.SearchedBeyond is { } b ? $", VRF nonce search past the data at {b}" : "")})"));
        }

        ulong total = (ulong)plan.Sum(p => p.Count);
        var outputs = new byte[RunLength * 32];
        var onDisk = new byte[RunLength * PostDataLayout.LabelSize];
        foreach (var group in plan.GroupBy(p => p.File))
        {
            if (problem is not null)
            {
                break;
            }

            var path = Path.Combine(dataDir, PostDataLayout.FileName(group.Key));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            foreach (var (file, offset, count) in group.OrderBy(g => g.Offset))
            {
                ct.ThrowIfCancellationRequested();
                ulong first = layout.FirstLabel(file) + offset;
                provider.ComputeOutputs(commitment, scryptN, first, count, outputs, ct);
                fs.Position = (long)(offset * PostDataLayout.LabelSize);
                fs.ReadExactly(onDisk.AsSpan(0, count * PostDataLayout.LabelSize));
                for (int i = 0; i < count && problem is null; i++)
                {
                    var expected = outputs.AsSpan(i * 32, PostDataLayout.LabelSize);
                    var actual = onDisk.AsSpan(i * PostDataLayout.LabelSize, PostDataLayout.LabelSize);
                    if (!expected.SequenceEqual(actual))
                    {
                        long byteOffset = (long)((offset + (ulong)i) * PostDataLayout.LabelSize);
                        problem = new DataProblem(file, path, byteOffset, first + (ulong)i,
                            $"{path} offset {byteOffset} (label {first + (ulong)i}): on disk {Hex.Format(actual)}, expected {Hex.Format(expected)} at scrypt N = {scryptN}");
                    }
                }

                if (problem is not null)
                {
                    break;
                }

                done += (ulong)count;
                progress?.Report((done, total));
            }
        }

        // The VRF nonce must have an output below the difficulty nodes check (go-spacemesh: PowDifficulty(numLabels)).
        bool? nonceValid = null;
        string nonceMessage;
        if (metadata.Nonce is { } nonce)
        {
            var difficulty = vrfDifficulty ?? VrfDifficulty.ForLabels(layout.TotalLabels);
            string source = vrfDifficulty is null
                ? string.Create(CultureInfo.InvariantCulture, $"go-spacemesh's for {layout.TotalLabels} labels")
                : "from vrfDifficulty";
            var output = new byte[32];
            provider.ComputeOutputs(commitment, scryptN, nonce, 1, output, ct);
            nonceValid = VrfDifficulty.IsBelow(output, difficulty);
            nonceMessage = string.Create(CultureInfo.InvariantCulture,
                $"VRF nonce {nonce}: output {Hex.Format(output)} is {(nonceValid.Value ? "" : "NOT ")}below the difficulty {Hex.Format(difficulty)} ({source})");
        }
        else
        {
            nonceMessage = "no VRF nonce in the metadata";
            missing.Add($"{Path.Combine(dataDir, PostMetadata.FileName)} has no VRF nonce");
        }

        return new DataVerificationResult(filesChecked, done, problem, metadata.Nonce, nonceValid, nonceMessage)
        {
            Missing = missing,
        };
    }

    /// <summary>"postdata_3.bin, postdata_5.bin..postdata_7.bin" for files 3, 5, 6, 7.</summary>
    private static string Ranges(List<int> files)
    {
        var parts = new List<string>();
        for (int i = 0; i < files.Count;)
        {
            int j = i;
            while (j + 1 < files.Count && files[j + 1] == files[j] + 1)
            {
                j++;
            }

            parts.Add(i == j
                ? PostDataLayout.FileName(files[i])
                : $"{PostDataLayout.FileName(files[i])}..{PostDataLayout.FileName(files[j])}");
            i = j + 1;
        }

        return string.Join(", ", parts);
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
