using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;

namespace Prover.Cli.Cluster;

/// <summary>The scheduler a plan is written for.</summary>
public enum PlanFormat
{
    /// <summary>A Slurm job array (one task per shard) and the merge as a dependent job.</summary>
    Slurm,

    /// <summary>A Kubernetes Indexed Job (one completion index per shard), its volume claim and the merge Job.</summary>
    K8s,
}

/// <summary>What <c>post init plan</c> was asked for: the identity, its layout, the shards and the scheduler's settings.</summary>
public sealed record InitPlanRequest
{
    /// <summary>The scheduler.</summary>
    public required PlanFormat Format { get; init; }

    /// <summary>The smesher id (Ed25519 public key).</summary>
    public required NodeId NodeId { get; init; }

    /// <summary>The commitment ATX id.</summary>
    public required AtxId CommitmentAtxId { get; init; }

    /// <summary>Space units of the identity.</summary>
    public required uint NumUnits { get; init; }

    /// <summary>Labels per unit.</summary>
    public required ulong LabelsPerUnit { get; init; }

    /// <summary>Largest postdata file, in bytes.</summary>
    public required ulong MaxFileSize { get; init; }

    /// <summary>scrypt's N.</summary>
    public required ulong ScryptN { get; init; }

    /// <summary>How many shards (Slurm array tasks, Kubernetes completion indexes).</summary>
    public required int Shards { get; init; }

    /// <summary>The data directory as the workers see it: a shared file system path (Slurm) or the claim's mount path (Kubernetes).</summary>
    public required string DataDir { get; init; }

    /// <summary>GPUs per task (0: none requested).</summary>
    public int GpusPerTask { get; init; }

    /// <summary>The <c>--provider</c> passed to every shard (null: post's default).</summary>
    public string? Provider { get; init; }

    /// <summary>The post executable on the workers (a path or a name on PATH).</summary>
    public string PostCommand { get; init; } = "post";

    /// <summary>The job's name; the merge job is called <c>{JobName}-merge</c>.</summary>
    public string JobName { get; init; } = "post-init";

    /// <summary>Slurm: the partition (null: the cluster's default).</summary>
    public string? Partition { get; init; }

    /// <summary>Slurm: CPUs per task (0: not requested).</summary>
    public int CpusPerTask { get; init; }

    /// <summary>Slurm: the time limit per task, in Slurm's syntax (null: the partition's).</summary>
    public string? TimeLimit { get; init; }

    /// <summary>Slurm: the directory of the per-task output files (null: the directory sbatch is run from).</summary>
    public string? LogDir { get; init; }

    /// <summary>Kubernetes: the container image that holds <see cref="PostCommand"/>.</summary>
    public string? Image { get; init; }

    /// <summary>Kubernetes: the namespace (null: kubectl's current one).</summary>
    public string? Namespace { get; init; }

    /// <summary>Kubernetes: an existing claim to use; null creates <c>{JobName}-data</c>.</summary>
    public string? ClaimName { get; init; }

    /// <summary>Kubernetes: the storage class of the created claim (null: the cluster's default).</summary>
    public string? StorageClass { get; init; }

    /// <summary>Kubernetes: retries of each completion index (backoffLimitPerIndex).</summary>
    public int RetriesPerShard { get; init; } = 3;
}

/// <summary>One shard: a contiguous range of files.</summary>
/// <param name="Index">the shard index (Slurm's SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX).</param>
/// <param name="FromFile">first file, inclusive.</param>
/// <param name="ToFile">last file, inclusive.</param>
/// <param name="Labels">labels in these files.</param>
public sealed record PlanShard(int Index, int FromFile, int ToFile, ulong Labels);

/// <summary>Expected duration of a plan, from a <c>post bench</c> init measurement.</summary>
/// <param name="Provider">the benchmarked provider the estimate is based on.</param>
/// <param name="BenchLabelsPerSecond">its measured rate, at <paramref name="BenchScryptN"/>.</param>
/// <param name="BenchScryptN">the bench's scrypt N.</param>
/// <param name="TaskLabelsPerSecond">the rate assumed for one task at the plan's N (scaled by N, times the GPUs per task for a GPU provider).</param>
/// <param name="HoursPerShard">hours of each shard, by index.</param>
/// <param name="WallClockHours">hours until the last shard is done when every shard runs at once.</param>
/// <param name="TotalTaskHours">the sum over all shards (what the allocation is charged).</param>
public sealed record PlanEstimate(string Provider, double BenchLabelsPerSecond, ulong BenchScryptN, double TaskLabelsPerSecond,
    IReadOnlyList<double> HoursPerShard, double WallClockHours, double TotalTaskHours)
{
    /// <summary>One line for people.</summary>
    public string Describe(int gpusPerTask) => string.Create(CultureInfo.InvariantCulture,
        $"expected with {Provider} ({BenchLabelsPerSecond:F0} labels/s at N={BenchScryptN} in the bench → {TaskLabelsPerSecond:F0} labels/s per task{(gpusPerTask > 1 ? $" with {gpusPerTask} GPUs" : "")}): " +
        $"{HoursPerShard.Max():F2} h for the largest shard, {WallClockHours:F2} h wall-clock with all {HoursPerShard.Count} shards at once, {TotalTaskHours:F2} task-hours in total");
}

/// <summary>
/// The job definitions of <c>post init plan</c>: one identity split into shards of contiguous files, each initialized
/// by <c>post init --shards N --shard-index I</c> on its own worker, then <c>post init merge</c> once all succeeded.
/// Slurm gets a submit script (the job array and the dependent merge job); Kubernetes gets typed objects (a
/// PersistentVolumeClaim, an Indexed Job, a suspended merge Job) serialized with KubernetesYaml.
/// </summary>
public sealed class InitPlan
{
    /// <summary>The data volume's name inside the pods.</summary>
    public const string VolumeName = "postdata";

    /// <summary>The resource name of NVIDIA's device plugin.</summary>
    public const string GpuResource = "nvidia.com/gpu";

    private InitPlan(InitPlanRequest request, PostDataLayout layout, IReadOnlyList<PlanShard> shards)
    {
        Request = request;
        Layout = layout;
        Shards = shards;
    }

    /// <summary>What was asked for.</summary>
    public InitPlanRequest Request { get; }

    /// <summary>The identity's files.</summary>
    public PostDataLayout Layout { get; }

    /// <summary>Every shard's files, by index.</summary>
    public IReadOnlyList<PlanShard> Shards { get; }

    /// <summary>The Indexed Job's (or array job's) name.</summary>
    public string InitJobName => Request.JobName;

    /// <summary>The merge job's name.</summary>
    public string MergeJobName => Request.JobName + "-merge";

    /// <summary>The claim the pods mount.</summary>
    public string ClaimName => Request.ClaimName ?? Request.JobName + "-data";

    /// <summary>Checks the request (the same rules as <c>post init</c>, plus the scheduler's) and splits the files.</summary>
    /// <exception cref="InvalidInputException">a value is out of range or a setting the format needs is missing.</exception>
    public static InitPlan Create(InitPlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Initializer.ValidateOptions(new InitOptions
        {
            DataDir = request.DataDir,
            NodeId = request.NodeId,
            CommitmentAtxId = request.CommitmentAtxId,
            NumUnits = request.NumUnits,
            LabelsPerUnit = request.LabelsPerUnit,
            MaxFileSize = request.MaxFileSize,
            ScryptN = request.ScryptN,
        });
        var layout = new PostDataLayout(request.LabelsPerUnit * request.NumUnits, request.MaxFileSize / PostDataLayout.LabelSize);
        if (request.Shards < 1 || request.Shards > layout.NumFiles)
        {
            throw new InvalidInputException("--shards", string.Create(CultureInfo.InvariantCulture,
                $"--shards must be in 1..{layout.NumFiles} (the identity has {layout.NumFiles} {(layout.NumFiles == 1 ? "file" : "files")} and a shard is at least one file), got {request.Shards}"));
        }

        if (request.GpusPerTask < 0)
        {
            throw new InvalidInputException("--gpus-per-task", "--gpus-per-task must be 0 or more");
        }

        if (string.IsNullOrWhiteSpace(request.DataDir))
        {
            throw new InvalidInputException("--datadir", "--datadir must not be empty");
        }

        if (request.Format == PlanFormat.K8s)
        {
            if (string.IsNullOrWhiteSpace(request.Image))
            {
                throw new InvalidInputException("--image", "--format k8s needs --image: the container image that holds the post command");
            }

            if (!request.DataDir.StartsWith('/'))
            {
                throw new InvalidInputException("--datadir", $"--format k8s: --datadir is the claim's mount path in the container and must be absolute, got '{request.DataDir}'");
            }

            if (request.RetriesPerShard < 0)
            {
                throw new InvalidInputException("--retries", "--retries must be 0 or more");
            }
        }

        return new InitPlan(request, layout, Split(layout, request.Shards));
    }

    /// <summary>
    /// Shard <paramref name="shards"/> ways as <c>post init --shards</c> does (<see cref="ShardPlan.FileRange"/>):
    /// contiguous file ranges whose sizes differ by at most one file, the larger ranges first.
    /// </summary>
    public static IReadOnlyList<PlanShard> Split(PostDataLayout layout, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var list = new List<PlanShard>(shards);
        for (int i = 0; i < shards; i++)
        {
            var (from, to) = ShardPlan.FileRange(layout.NumFiles, shards, i);
            ulong labels = 0;
            for (int f = from; f <= to; f++)
            {
                labels += layout.LabelsInFile(f);
            }

            list.Add(new PlanShard(i, from, to, labels));
        }

        return list;
    }

    /// <summary>
    /// <c>post init</c>'s arguments for one shard; <paramref name="shardIndex"/> is what the scheduler puts there
    /// (<c>$SLURM_ARRAY_TASK_ID</c>, <c>$(JOB_COMPLETION_INDEX)</c>). Every parameter is spelled out, so the job does not
    /// depend on presets or defaults of the post version on the workers.
    /// </summary>
    public IReadOnlyList<string> InitArguments(string shardIndex)
    {
        var r = Request;
        var args = new List<string>
        {
            "init",
            "--datadir", r.DataDir,
            "--node-id", Hex.Format(r.NodeId.Span),
            "--commitment-atx-id", Hex.Format(r.CommitmentAtxId.Span),
            "--num-units", Num(r.NumUnits),
            "--labels-per-unit", Num(r.LabelsPerUnit),
            "--max-file-size", Num(r.MaxFileSize),
            "--scrypt-n", Num(r.ScryptN),
        };
        if (r.Provider is { } provider)
        {
            args.AddRange(["--provider", provider]);
        }

        args.AddRange(["--shards", Num(r.Shards), "--shard-index", shardIndex]);
        return args;
    }

    /// <summary><c>post init merge</c>'s arguments.</summary>
    public IReadOnlyList<string> MergeArguments() => ["init", "merge", "--datadir", Request.DataDir];

    /// <summary>A summary for the top of the generated file: identity, layout, shards, the estimate if any.</summary>
    public IReadOnlyList<string> Summary(PlanEstimate? estimate)
    {
        var r = Request;
        var lines = new List<string>
        {
            $"node id {Hex.Format(r.NodeId.Span)}, commitment ATX {Hex.Format(r.CommitmentAtxId.Span)}",
            string.Create(CultureInfo.InvariantCulture,
                $"{r.NumUnits} {(r.NumUnits == 1 ? "unit" : "units")} × {r.LabelsPerUnit} labels = {Layout.TotalLabels} labels ({Sizes.Format(Layout.TotalLabels * PostDataLayout.LabelSize)}) in {Layout.NumFiles} files, scrypt N={r.ScryptN}"),
        };
        foreach (var s in Shards)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"shard {s.Index}: files {s.FromFile}..{s.ToFile} ({s.Labels} labels){(estimate is null ? "" : $", ≈ {estimate.HoursPerShard[s.Index]:F2} h")}"));
        }

        if (estimate is not null)
        {
            lines.Add(estimate.Describe(r.GpusPerTask));
        }

        return lines;
    }

    /// <summary>
    /// The expected hours from a <c>post bench</c> report: the init rate of <paramref name="provider"/> (or of the
    /// fastest provider measured), scaled from the bench's N to the plan's (scrypt's work grows linearly with N) and,
    /// for a GPU provider, times the GPUs per task (one provider per GPU).
    /// </summary>
    /// <exception cref="InvalidInputException">the report is not a bench.json or has no usable init measurement.</exception>
    public PlanEstimate Estimate(string benchJson, string source, string? provider)
    {
        var rates = BenchInitRates.Read(benchJson, source);
        var pick = provider is null
            ? rates.MaxBy(x => x.LabelsPerSecond)
            : rates.FirstOrDefault(x => string.Equals(x.Provider, provider, StringComparison.OrdinalIgnoreCase))
              ?? throw new InvalidInputException("--bench", $"{source} has no successful init measurement of provider '{provider}' (it has: {string.Join(", ", rates.Select(x => x.Provider))})");
        if (pick is null)
        {
            throw new InvalidInputException("--bench", $"{source} has no successful init measurement");
        }

        double perTask = pick.LabelsPerSecond * pick.ScryptN / Request.ScryptN;
        if (pick.IsGpu && Request.GpusPerTask > 1)
        {
            perTask *= Request.GpusPerTask;
        }

        var hours = Shards.Select(s => s.Labels / perTask / 3600).ToList();
        return new PlanEstimate(pick.Provider, pick.LabelsPerSecond, pick.ScryptN, perTask, hours, hours.Max(), hours.Sum());
    }

    /// <summary>
    /// The Slurm submit script: runs <c>sbatch</c> for the job array (tasks 0..N-1, one shard each, requeued when a
    /// node fails, one output file per task, <c>--gres=gpu:G</c> when GPUs are asked for), captures its job id, and
    /// submits the merge with <c>--dependency=afterok</c> on the whole array. Prints the two job ids.
    /// </summary>
    public string SlurmSubmitScript(PlanEstimate? estimate = null)
    {
        var r = Request;
        string logPrefix = r.LogDir is null ? "" : r.LogDir.TrimEnd('/') + "/";
        var array = new StringBuilder();
        array.Append("#!/bin/bash\n");
        array.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={r.JobName}\n");
        array.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{r.Shards - 1}\n");
        array.Append("#SBATCH --ntasks=1\n");
        array.Append("#SBATCH --requeue\n");
        array.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={logPrefix}{r.JobName}-%A_%a.out\n");
        if (r.GpusPerTask > 0)
        {
            array.Append(CultureInfo.InvariantCulture, $"#SBATCH --gres=gpu:{r.GpusPerTask}\n");
        }

        AppendCommon(array, r);
        array.Append("# One shard per array task: SLURM_ARRAY_TASK_ID picks the files. A re-run task resumes its files.\n");
        array.Append("set -euo pipefail\n");
        var init = InitArguments("$SLURM_ARRAY_TASK_ID");
        array.Append("exec ").Append(ShellCommand(r.PostCommand, init.Take(init.Count - 1)))
            .Append(" \"$SLURM_ARRAY_TASK_ID\"\n");

        var merge = new StringBuilder();
        merge.Append("#!/bin/bash\n");
        merge.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={MergeJobName}\n");
        merge.Append("#SBATCH --ntasks=1\n");
        merge.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={logPrefix}{MergeJobName}-%j.out\n");
        AppendCommon(merge, r);
        merge.Append("# Checks every file of every shard and writes postdata_metadata.json with the best VRF nonce.\n");
        merge.Append("set -euo pipefail\n");
        merge.Append("exec ").Append(ShellCommand(r.PostCommand, MergeArguments())).Append('\n');

        var s = new StringBuilder();
        s.Append("#!/usr/bin/env bash\n");
        s.Append("# Generated by `post init plan --format slurm`. Run it where sbatch reaches the cluster: bash THIS_FILE\n");
        foreach (var line in Summary(estimate))
        {
            s.Append("#   ").Append(line).Append('\n');
        }

        s.Append(CultureInfo.InvariantCulture, $"# Progress: post init status --datadir {Quote(r.DataDir)}\n");
        s.Append("# A failed shard: fix the cause, then `scontrol requeue ARRAY_JOB_INDEX`; it resumes, and the merge runs once all succeeded.\n");
        s.Append("set -euo pipefail\n");
        s.Append("array_job=$(sbatch --parsable <<'POST_INIT_SHARDS'\n").Append(array).Append("POST_INIT_SHARDS\n)\n");
        s.Append("array_job=${array_job%%;*}\n");
        s.Append("merge_job=$(sbatch --parsable --dependency=afterok:\"$array_job\" <<'POST_INIT_MERGE'\n").Append(merge).Append("POST_INIT_MERGE\n)\n");
        s.Append("merge_job=${merge_job%%;*}\n");
        s.Append(CultureInfo.InvariantCulture, $"echo \"array job: $array_job (tasks 0-{r.Shards - 1}, one shard each)\"\n");
        s.Append("echo \"merge job: $merge_job (after every task succeeded)\"\n");
        return s.ToString();
    }

    /// <summary>
    /// The Kubernetes objects: the claim (unless an existing one was named), the Indexed Job of the shards and the merge
    /// Job, created suspended (Kubernetes has no job dependencies: resume it once the shards' Job is complete).
    /// </summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> KubernetesObjects()
    {
        var r = Request;
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        if (r.ClaimName is null)
        {
            // Every shard writes into the one claim from its own node: ReadWriteMany. Room for the labels, rounded up to
            // GiB, plus one GiB for the metadata, progress files and the file system's own use.
            ulong bytes = Layout.TotalLabels * PostDataLayout.LabelSize;
            ulong gib = (bytes + (1UL << 30) - 1 >> 30) + 1;
            objects.Add(new V1PersistentVolumeClaim
            {
                ApiVersion = "v1",
                Kind = "PersistentVolumeClaim",
                Metadata = Meta(ClaimName, "data"),
                Spec = new V1PersistentVolumeClaimSpec
                {
                    AccessModes = ["ReadWriteMany"],
                    StorageClassName = r.StorageClass,
                    Resources = new V1VolumeResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(Num(gib) + "Gi") },
                    },
                },
            });
        }

        V1ResourceRequirements? gpus = r.GpusPerTask > 0
            ? new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { [GpuResource] = new(Num(r.GpusPerTask)) },
                Limits = new Dictionary<string, ResourceQuantity> { [GpuResource] = new(Num(r.GpusPerTask)) },
            }
            : null;
        objects.Add(new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(InitJobName, "init-shard"),
            Spec = new V1JobSpec
            {
                CompletionMode = "Indexed",
                Completions = r.Shards,
                Parallelism = r.Shards,
                // Each index (shard) is retried on its own; a retried index resumes its files.
                BackoffLimitPerIndex = r.RetriesPerShard,
                Template = PodTemplate("init-shard", new V1Container
                {
                    Name = "post-init",
                    Image = r.Image,
                    Command = [r.PostCommand],
                    // Kubernetes sets JOB_COMPLETION_INDEX in every pod of an Indexed Job and expands $(VAR) in args.
                    Args = [.. InitArguments("$(JOB_COMPLETION_INDEX)")],
                    Resources = gpus,
                    VolumeMounts = [new V1VolumeMount { Name = VolumeName, MountPath = r.DataDir }],
                }),
            },
        });
        objects.Add(new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(MergeJobName, "merge"),
            Spec = new V1JobSpec
            {
                Suspend = true,
                Completions = 1,
                Parallelism = 1,
                BackoffLimit = 1,
                Template = PodTemplate("merge", new V1Container
                {
                    Name = "post-merge",
                    Image = r.Image,
                    Command = [r.PostCommand],
                    Args = [.. MergeArguments()],
                    VolumeMounts = [new V1VolumeMount { Name = VolumeName, MountPath = r.DataDir }],
                }),
            },
        });
        return objects;
    }

    /// <summary>The manifest: a comment with the kubectl steps, then every object as a YAML document.</summary>
    public string KubernetesManifest(PlanEstimate? estimate = null)
    {
        var r = Request;
        string ns = r.Namespace is null ? "" : $" -n {r.Namespace}";
        var s = new StringBuilder();
        s.Append("# Generated by `post init plan --format k8s`.\n");
        foreach (var line in Summary(estimate))
        {
            s.Append("#   ").Append(line).Append('\n');
        }

        s.Append("# Steps (the merge Job is created suspended: Kubernetes has no job dependencies):\n");
        s.Append(CultureInfo.InvariantCulture, $"#   kubectl apply{ns} -f THIS_FILE\n");
        s.Append(CultureInfo.InvariantCulture, $"#   kubectl wait{ns} --for=condition=complete --timeout=-1s job/{InitJobName}\n");
        s.Append(CultureInfo.InvariantCulture, $"#   kubectl patch{ns} job/{MergeJobName} --type=merge -p '{{\"spec\":{{\"suspend\":false}}}}'\n");
        s.Append(CultureInfo.InvariantCulture, $"#   kubectl wait{ns} --for=condition=complete --timeout=-1s job/{MergeJobName} && kubectl logs{ns} job/{MergeJobName}\n");
        bool first = true;
        foreach (var o in KubernetesObjects())
        {
            if (!first)
            {
                s.Append("---\n");
            }

            first = false;
            string yaml = KubernetesYaml.Serialize(o);
            s.Append(yaml);
            if (!yaml.EndsWith('\n'))
            {
                s.Append('\n');
            }
        }

        return s.ToString();
    }

    private V1ObjectMeta Meta(string name, string component) => new()
    {
        Name = name,
        NamespaceProperty = Request.Namespace,
        Labels = Labels(component),
    };

    private Dictionary<string, string> Labels(string component) => new()
    {
        ["app.kubernetes.io/name"] = "post",
        ["app.kubernetes.io/instance"] = Request.JobName,
        ["app.kubernetes.io/component"] = component,
    };

    private V1PodTemplateSpec PodTemplate(string component, V1Container container) => new()
    {
        Metadata = new V1ObjectMeta { Labels = Labels(component) },
        Spec = new V1PodSpec
        {
            // backoffLimitPerIndex needs Never: a failed pod is replaced by a new one, counted against its index.
            RestartPolicy = "Never",
            Containers = [container],
            Volumes =
            [
                new V1Volume
                {
                    Name = VolumeName,
                    PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = ClaimName },
                },
            ],
        },
    };

    private static void AppendCommon(StringBuilder script, InitPlanRequest r)
    {
        if (r.Partition is { } partition)
        {
            script.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={partition}\n");
        }

        if (r.CpusPerTask > 0)
        {
            script.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={r.CpusPerTask}\n");
        }

        if (r.TimeLimit is { } time)
        {
            script.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={time}\n");
        }
    }

    /// <summary>A command line for bash: each argument single-quoted unless it is plainly safe.</summary>
    public static string ShellCommand(string program, IEnumerable<string> args) =>
        string.Join(' ', new[] { program }.Concat(args).Select(Quote));

    /// <summary>One argument for bash: unchanged when it holds only safe characters, otherwise single-quoted.</summary>
    public static string Quote(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        return arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static string Num<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
