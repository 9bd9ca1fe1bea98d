using System.CommandLine;
using Prover.Cli.Cluster;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post init plan</c>: prints the job definitions that initialize one identity as N shards on a scheduler — a Slurm
/// submit script (job array plus dependent merge job) or a Kubernetes manifest (claim, Indexed Job, merge Job) — and,
/// given a <c>post bench</c> report, the expected hours.
/// </summary>
public static class InitPlanCommand
{
    public static Command Create()
    {
        var format = Cli.Opt<string>("--format", "the scheduler: slurm (a submit script: job array + dependent merge job) or k8s (a manifest: claim, Indexed Job, merge Job)");
        format.Required = true;
        format.AcceptOnlyFromAmong("slurm", "k8s");
        var numUnits = Cli.Opt<uint?>("--num-units", "number of space units [required unless --preset dev]").InRange(1u, uint.MaxValue);
        var shards = Cli.Opt<int>("--shards", "number of shards (array tasks, completion indexes); each takes a contiguous range of files");
        shards.Required = true;
        shards.InRange(1, 1 << 20);
        var gpus = Cli.Opt("--gpus-per-task", "GPUs per task (Slurm --gres=gpu:G, Kubernetes nvidia.com/gpu); 0: none", 0).InRange(0, 1024);
        var image = Cli.Opt<string?>("--image", "k8s: the container image holding the post command [required for k8s]");
        var dataDir = Cli.Opt<string?>("--datadir", "the data directory as the workers see it: a path on the shared file system (slurm, required) or the claim's mount path (k8s) [default for k8s: /data]", "-d");
        var preset = Cli.Opt<string?>("--preset", "parameter preset for the identity's sizes and dev identity: mainnet or dev");
        preset.AcceptOnlyFromAmong("mainnet", "dev");
        var nodeId = Cli.Opt<string?>("--node-id", "smesher id (32-byte hex)");
        var atxId = Cli.Opt<string?>("--commitment-atx-id", "commitment ATX id (32-byte hex)");
        var labelsPerUnit = Cli.Opt<ulong?>("--labels-per-unit", "labels per unit [default: 4294967296 (mainnet), or the preset's]").InRange(1UL, ulong.MaxValue);
        var maxFileSize = Cli.Opt<ulong?>("--max-file-size", "maximum bytes per postdata file [default: 4294967296, or the preset's]")
            .InRange((ulong)PostDataLayout.LabelSize, ulong.MaxValue);
        var scryptN = Cli.Opt<ulong?>("--scrypt-n", "scrypt N, a power of two [default: 8192]", "-n").PowerOfTwo(2UL, InitOptions.MaxScryptN);
        var provider = Cli.Opt<string?>("--provider", "the --provider every shard runs with [default: post init's]");
        var bench = Cli.Opt<string?>("--bench", "a post bench --json result (bench.json): print the expected hours per shard and in total");
        var post = Cli.Opt("--post", "the post command on the workers (a path, or a name on PATH)", "post");
        var jobName = Cli.Opt("--job-name", "the job's name; the merge job is NAME-merge (and the k8s claim NAME-data)", "post-init");
        var partition = Cli.Opt<string?>("--partition", "slurm: the partition [default: the cluster's]");
        var cpus = Cli.Opt("--cpus-per-task", "slurm: CPUs per task; 0: not requested", 0).InRange(0, 1 << 16);
        var time = Cli.Opt<string?>("--time", "slurm: time limit per task (Slurm's syntax, e.g. 2-00:00:00)");
        var logDir = Cli.Opt<string?>("--log-dir", "slurm: directory of the per-task output files [default: where sbatch is run]");
        var ns = Cli.Opt<string?>("--namespace", "k8s: the namespace [default: kubectl's current one]");
        var claim = Cli.Opt<string?>("--claim", "k8s: an existing ReadWriteMany PersistentVolumeClaim to use [default: create NAME-data sized for the data]");
        var storageClass = Cli.Opt<string?>("--storage-class", "k8s: storage class of the created claim [default: the cluster's]");
        var retries = Cli.Opt("--retries", "k8s: retries per shard (backoffLimitPerIndex)", 3).InRange(0, 1000);

        var command = new Command("plan", "Print the job definitions that initialize one identity as N shards on Slurm (a submit script: job array + dependent merge job) " +
            "or Kubernetes (a manifest: claim, Indexed Job, suspended merge Job), and with --bench the expected hours.")
        {
            format, numUnits, shards, gpus, image, dataDir, preset, nodeId, atxId, labelsPerUnit, maxFileSize, scryptN, provider, bench,
            post, jobName, partition, cpus, time, logDir, ns, claim, storageClass, retries,
        };
        command.SetAction(parse =>
        {
            var planFormat = parse.GetValue(format) == "k8s" ? PlanFormat.K8s : PlanFormat.Slurm;
            var p = parse.GetValue(preset) is { } name ? InitCommand.Presets[name] : null;
            var mainnet = InitCommand.Presets["mainnet"];
            string? dir = parse.GetValue(dataDir);
            if (dir is null && planFormat == PlanFormat.Slurm)
            {
                throw new InvalidInputException("--datadir", "--format slurm needs --datadir: the data directory on the file system every node shares");
            }

            var request = new InitPlanRequest
            {
                Format = planFormat,
                NodeId = new NodeId(Hex.Parse32(parse.GetValue(nodeId) ?? p?.NodeId, InputField.NodeId)),
                CommitmentAtxId = new AtxId(Hex.Parse32(parse.GetValue(atxId) ?? p?.AtxId, InputField.CommitmentAtxId)),
                NumUnits = parse.GetValue(numUnits) ?? p?.NumUnits
                    ?? throw new InvalidInputException("numUnits", "--num-units is required (or use --preset dev)"),
                LabelsPerUnit = parse.GetValue(labelsPerUnit) ?? p?.LabelsPerUnit ?? mainnet.LabelsPerUnit,
                MaxFileSize = parse.GetValue(maxFileSize) ?? p?.MaxFileSize ?? mainnet.MaxFileSize,
                ScryptN = parse.GetValue(scryptN) ?? p?.ScryptN ?? mainnet.ScryptN,
                Shards = parse.GetValue(shards),
                // Slurm: the submit host and the nodes share the file system, so an absolute path means the same to all.
                DataDir = planFormat == PlanFormat.Slurm ? Path.GetFullPath(dir!) : dir ?? "/data",
                GpusPerTask = parse.GetValue(gpus),
                Provider = parse.GetValue(provider),
                PostCommand = parse.GetValue(post)!,
                JobName = parse.GetValue(jobName)!,
                Partition = parse.GetValue(partition),
                CpusPerTask = parse.GetValue(cpus),
                TimeLimit = parse.GetValue(time),
                LogDir = parse.GetValue(logDir) is { } logs ? Path.GetFullPath(logs) : null,
                Image = parse.GetValue(image),
                Namespace = parse.GetValue(ns),
                ClaimName = parse.GetValue(claim),
                StorageClass = parse.GetValue(storageClass),
                RetriesPerShard = parse.GetValue(retries),
            };
            var plan = InitPlan.Create(request);
            PlanEstimate? estimate = null;
            if (parse.GetValue(bench) is { } benchFile)
            {
                string text;
                try
                {
                    text = File.ReadAllText(benchFile);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InvalidInputException("--bench", $"cannot read {benchFile}: {e.Message}", e);
                }

                estimate = plan.Estimate(text, benchFile, request.Provider);
            }

            foreach (var line in plan.Summary(estimate))
            {
                Console.Error.WriteLine(line);
            }

            Console.Out.Write(planFormat == PlanFormat.K8s ? plan.KubernetesManifest(estimate) : plan.SlurmSubmitScript(estimate));
            return ExitCodes.Ok;
        });
        return command;
    }
}
