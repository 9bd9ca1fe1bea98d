using System.Globalization;

namespace Prover.Core.Init;

/// <summary>
/// One shard of an initialization split across workers: shard <see cref="Index"/> of <see cref="Count"/> (numbered from
/// 0). Every worker is given the same count; the index says which contiguous run of files it writes
/// (<see cref="ShardPlan.FileRange"/>).
/// </summary>
/// <param name="Index">This shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">How many shards the job is split into.</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>Slurm sets it in each task of a job array (<c>sbatch --array=0-N</c>).</summary>
    public const string SlurmIndexVariable = "SLURM_ARRAY_TASK_ID";

    /// <summary>Kubernetes sets it in each pod of an Indexed Job (<c>completionMode: Indexed</c>).</summary>
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>"shard 2 of 4".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"shard {Index} of {Count}");

    /// <summary>
    /// The shard a worker runs: <paramref name="count"/> with <paramref name="index"/> when given, else the index the
    /// scheduler put in the environment (<see cref="SlurmIndexVariable"/>, then <see cref="KubernetesIndexVariable"/>).
    /// Null when neither a count nor an index is given (the job is not sharded).
    /// </summary>
    /// <param name="count">The number of shards; null: not sharded.</param>
    /// <param name="index">This worker's shard; null: from the environment.</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <exception cref="InvalidInputException">an index without a count, no index anywhere, an index out of range, or an
    /// environment variable that is not a whole number.</exception>
    public static ShardSpec? Resolve(int? count, int? index, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (count is null)
        {
            return index is null
                ? null
                : throw new InvalidInputException(InputField.ShardIndex,
                    "shardIndex needs shardCount: give the number of shards the job is split into");
        }

        if (count < 1)
        {
            throw new InvalidInputException(InputField.ShardCount, string.Create(CultureInfo.InvariantCulture,
                $"shardCount must be at least 1, got {count}"));
        }

        string source = InputField.ShardIndex;
        if (index is null)
        {
            foreach (var variable in new[] { SlurmIndexVariable, KubernetesIndexVariable })
            {
                var text = environment(variable);
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                {
                    throw new InvalidInputException(InputField.ShardIndex,
                        $"the environment variable {variable} is '{text}', not a shard number: give shardIndex");
                }

                index = value;
                source = $"{variable}={value}";
                break;
            }

            if (index is null)
            {
                throw new InvalidInputException(InputField.ShardIndex,
                    $"shardIndex is needed with shardCount: give it, or run as a task of a Slurm job array ({SlurmIndexVariable}) or a pod of a Kubernetes Indexed Job ({KubernetesIndexVariable})");
            }
        }

        if (index < 0 || index >= count)
        {
            throw new InvalidInputException(InputField.ShardIndex, string.Create(CultureInfo.InvariantCulture,
                $"shard {index} ({source}) does not exist: with shardCount {count} the shards are numbered 0..{count - 1}"));
        }

        return new ShardSpec(index.Value, count.Value);
    }
}

/// <summary>
/// How the files of one data set are split into shards: contiguous runs, in order, whose sizes differ by at most one
/// file (the first <c>numFiles mod count</c> shards take one more). A pure function of its arguments, so every worker
/// and <c>post init merge</c> agree on it without talking to each other.
/// </summary>
public static class ShardPlan
{
    /// <summary>The files shard <paramref name="index"/> of <paramref name="count"/> writes (both inclusive).</summary>
    /// <param name="numFiles">Files of the whole data set (at least <paramref name="count"/>).</param>
    /// <param name="count">Number of shards.</param>
    /// <param name="index">The shard, 0 ≤ index &lt; count.</param>
    public static (int FromFile, int ToFile) FileRange(int numFiles, int count, int index)
    {
        Check(numFiles, count);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        int size = numFiles / count;
        int larger = numFiles % count;
        int from = index * size + Math.Min(index, larger);
        int files = size + (index < larger ? 1 : 0);
        return (from, from + files - 1);
    }

    /// <summary>The shard that writes <paramref name="file"/>.</summary>
    public static int ShardOf(int numFiles, int count, int file)
    {
        Check(numFiles, count);
        ArgumentOutOfRangeException.ThrowIfNegative(file);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(file, numFiles);
        int size = numFiles / count;
        int larger = numFiles % count;
        int inLarger = larger * (size + 1);
        return file < inLarger ? file / (size + 1) : larger + (file - inLarger) / size;
    }

    /// <summary>
    /// Refuses a shard count the data cannot be split into (in the domain's words: <c>shardCount</c>,
    /// <c>maxFileSize</c>).
    /// </summary>
    /// <exception cref="InvalidInputException">more shards than files.</exception>
    public static void Validate(int numFiles, int count)
    {
        if (count > numFiles)
        {
            throw new InvalidInputException(InputField.ShardCount, string.Create(CultureInfo.InvariantCulture,
                $"shardCount {count} is more than the {numFiles} {(numFiles == 1 ? "file" : "files")} of the data: each shard writes whole files. Use at most {numFiles} shards, or smaller files (maxFileSize)"));
        }
    }

    private static void Check(int numFiles, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numFiles, count);
    }
}
