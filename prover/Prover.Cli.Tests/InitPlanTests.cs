using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Prover.Bench.Core;
using Prover.Cli.Cluster;
using Prover.Core.Data;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary><c>post init plan</c>: shard ranges, the Slurm submit script, the Kubernetes objects and the bench estimate.</summary>
public class InitPlanTests
{
    // The dev preset's identity (post-rs initializer's default).
    private static readonly NodeId Node = NodeId.Parse("8411931ece38b5abfb611f3bb1155a7eecd9c0e6c26672b567f7b1629c70a924");
    private static readonly AtxId Atx = AtxId.Parse("66ec687158c86167efec0fcad4b9a6f3e98db07cc065a595a5b979f8a20dc7e2");

    internal static InitPlanRequest Request(PlanFormat format, int shards = 4, int gpus = 0) => new()
    {
        Format = format,
        NodeId = Node,
        CommitmentAtxId = Atx,
        NumUnits = 4,
        LabelsPerUnit = 256,
        MaxFileSize = 1024, // 64 labels per file: 16 files
        ScryptN = 16,
        Shards = shards,
        GpusPerTask = gpus,
        DataDir = format == PlanFormat.K8s ? "/data" : "/shared/post data",
        Image = format == PlanFormat.K8s ? "registry.local/post:0.1.0" : null,
    };

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 4)]
    [InlineData(16, 5)]
    [InlineData(17, 16)]
    [InlineData(1000, 7)]
    public void Shards_are_contiguous_in_order_cover_every_file_once_and_differ_by_at_most_one_file(int files, int shards)
    {
        // The last file is partial (one label short) whenever there is more than one file.
        var layout = new PostDataLayout((ulong)files * 64 - (files > 1 ? 1UL : 0), 64);
        var split = InitPlan.Split(layout, shards);
        Assert.Equal(shards, split.Count);
        Assert.Equal(0, split[0].FromFile);
        Assert.Equal(files - 1, split[^1].ToFile);
        for (int i = 0; i < shards; i++)
        {
            Assert.Equal(i, split[i].Index);
            Assert.True(split[i].ToFile >= split[i].FromFile);
            if (i > 0)
            {
                Assert.Equal(split[i - 1].ToFile + 1, split[i].FromFile);
            }
        }

        var sizes = split.Select(s => s.ToFile - s.FromFile + 1).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
        Assert.Equal(layout.TotalLabels, split.Aggregate(0UL, (sum, s) => sum + s.Labels));
    }

    [Fact]
    public void More_shards_than_files_is_refused_naming_the_flag_and_the_file_count()
    {
        var e = Assert.Throws<Prover.Core.InvalidInputException>(() => InitPlan.Create(Request(PlanFormat.Slurm, shards: 17)));
        Assert.Contains("--shards", e.Message);
        Assert.Contains("16 files", e.Message);
    }

    [Fact]
    public void Slurm_script_submits_one_array_task_per_shard_and_the_merge_after_all_of_them()
    {
        var plan = InitPlan.Create(Request(PlanFormat.Slurm, shards: 4, gpus: 2) with { LogDir = "/shared/logs", Partition = "gpu" });
        string script = plan.SlurmSubmitScript();
        Assert.Contains("#SBATCH --array=0-3\n", script);
        Assert.Contains("#SBATCH --requeue\n", script);
        Assert.Contains("#SBATCH --gres=gpu:2\n", script);
        Assert.Contains("#SBATCH --partition=gpu\n", script);
        Assert.Contains("#SBATCH --output=/shared/logs/post-init-%A_%a.out\n", script);
        Assert.Contains("--dependency=afterok:\"$array_job\"", script);
        Assert.Contains("exec post init --datadir '/shared/post data' ", script);
        Assert.Contains("--shards 4 --shard-index \"$SLURM_ARRAY_TASK_ID\"\nPOST_INIT_SHARDS\n", script);
        Assert.Contains("exec post init merge --datadir '/shared/post data'\n", script);
        Assert.Contains($"--node-id {Hex.Format(Node.Span)} --commitment-atx-id {Hex.Format(Atx.Span)} --num-units 4 --labels-per-unit 256 --max-file-size 1024 --scrypt-n 16", script);

        var noGpu = InitPlan.Create(Request(PlanFormat.Slurm, shards: 4, gpus: 0)).SlurmSubmitScript();
        Assert.DoesNotContain("--gres", noGpu);
        AssertBashSyntax(script);
        AssertBashSyntax(noGpu);
    }

    [Fact]
    public void Slurm_script_hands_each_array_task_its_own_shard_through_sbatch()
    {
        // Run the submit script against a stand-in sbatch that keeps each job script it is given on stdin; then run the
        // array's job script as task 2 with a stand-in post that prints its arguments.
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/bash"))
        {
            return;
        }

        using var dir = new TempDir();
        string bin = dir.Sub("bin");
        Directory.CreateDirectory(bin);
        WriteExecutable(Path.Combine(bin, "sbatch"), $$"""
            #!/bin/bash
            n=$(ls {{dir.Path}}/job-*.sh 2>/dev/null | wc -l)
            cat > {{dir.Path}}/job-$n.sh
            echo "$*" > {{dir.Path}}/args-$n.txt
            echo "$((1000 + n));posttest"
            """);
        WriteExecutable(Path.Combine(bin, "fake-post"), "#!/bin/bash\nprintf '%s\\n' \"$@\"\n");
        var plan = InitPlan.Create(Request(PlanFormat.Slurm) with { PostCommand = Path.Combine(bin, "fake-post") });
        File.WriteAllText(dir.Sub("submit.sh"), plan.SlurmSubmitScript());

        var (code, stdout, stderr) = Bash(dir.Sub("submit.sh"), new() { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(code == 0, stderr);
        Assert.Contains("array job: 1000 ", stdout);
        Assert.Contains("merge job: 1001 ", stdout);
        Assert.Equal("--parsable", File.ReadAllText(dir.Sub("args-0.txt")).Trim());
        Assert.Equal("--parsable --dependency=afterok:1000", File.ReadAllText(dir.Sub("args-1.txt")).Trim());

        var (taskCode, taskOut, taskErr) = Bash(dir.Sub("job-0.sh"), new() { ["SLURM_ARRAY_TASK_ID"] = "2" });
        Assert.True(taskCode == 0, taskErr);
        Assert.Equal([.. plan.InitArguments("2")], taskOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var (mergeCode, mergeOut, mergeErr) = Bash(dir.Sub("job-1.sh"), []);
        Assert.True(mergeCode == 0, mergeErr);
        Assert.Equal(["init", "merge", "--datadir", "/shared/post data"], mergeOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Kubernetes_manifest_is_an_indexed_job_per_shard_on_one_claim_and_a_suspended_merge_job(int gpus)
    {
        var plan = InitPlan.Create(Request(PlanFormat.K8s, shards: 4, gpus: gpus) with { RetriesPerShard = 5, Namespace = "smeshing" });
        string yaml = plan.KubernetesManifest();
        var objects = KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type>
        {
            ["v1/PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
            ["batch/v1/Job"] = typeof(V1Job),
        });
        Assert.Equal(3, objects.Count);
        var claim = Assert.IsType<V1PersistentVolumeClaim>(objects[0]);
        var init = Assert.IsType<V1Job>(objects[1]);
        var merge = Assert.IsType<V1Job>(objects[2]);

        Assert.Equal(["ReadWriteMany"], claim.Spec.AccessModes);
        Assert.Equal("smeshing", claim.Metadata.NamespaceProperty);
        Assert.True(claim.Spec.Resources.Requests["storage"].ToInt64() >= 4 * 256 * 16);

        Assert.Equal("Indexed", init.Spec.CompletionMode);
        Assert.Equal(4, init.Spec.Completions);
        Assert.Equal(4, init.Spec.Parallelism);
        Assert.Equal(5, init.Spec.BackoffLimitPerIndex);
        Assert.Equal("Never", init.Spec.Template.Spec.RestartPolicy);
        var container = Assert.Single(init.Spec.Template.Spec.Containers);
        Assert.Equal("registry.local/post:0.1.0", container.Image);
        Assert.Equal(["post", .. plan.InitArguments("$(JOB_COMPLETION_INDEX)")], [.. container.Command, .. container.Args]);
        Assert.Equal("/data", Assert.Single(container.VolumeMounts).MountPath);
        Assert.Equal(claim.Metadata.Name, Assert.Single(init.Spec.Template.Spec.Volumes).PersistentVolumeClaim.ClaimName);
        if (gpus > 0)
        {
            Assert.Equal(gpus, container.Resources.Limits[InitPlan.GpuResource].ToInt32());
            Assert.Equal(gpus, container.Resources.Requests[InitPlan.GpuResource].ToInt32());
        }
        else
        {
            Assert.Null(container.Resources);
        }

        Assert.True(merge.Spec.Suspend);
        var mergeContainer = Assert.Single(merge.Spec.Template.Spec.Containers);
        Assert.Equal(["post", "init", "merge", "--datadir", "/data"], [.. mergeContainer.Command, .. mergeContainer.Args]);
        Assert.Null(mergeContainer.Resources);
        Assert.Equal(claim.Metadata.Name, Assert.Single(merge.Spec.Template.Spec.Volumes).PersistentVolumeClaim.ClaimName);
        Assert.Contains($"kubectl patch -n smeshing job/{merge.Metadata.Name}", yaml);
    }

    [Fact]
    public void Kubernetes_manifest_with_an_existing_claim_creates_no_claim_and_mounts_that_one()
    {
        var plan = InitPlan.Create(Request(PlanFormat.K8s) with { ClaimName = "fast-nfs" });
        var objects = plan.KubernetesObjects();
        Assert.DoesNotContain(objects, o => o is V1PersistentVolumeClaim);
        Assert.All(objects.OfType<V1Job>(), j => Assert.Equal("fast-nfs", j.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName));
    }

    [Fact]
    public void Kubernetes_plan_without_an_image_is_refused_naming_the_flag()
    {
        var e = Assert.Throws<Prover.Core.InvalidInputException>(() => InitPlan.Create(Request(PlanFormat.K8s) with { Image = null }));
        Assert.Contains("--image", e.Message);
    }

    [Fact]
    public void Bench_estimate_scales_the_measured_rate_to_the_plans_N_and_the_gpus_per_task()
    {
        string bench = BenchJsonWith(("cpu", "CpuSimd", 8192UL, 1000.0), ("cuda:0", "Cuda", 8192UL, 250_000.0), ("ilgpu-cpu", "IlgpuCpu", 8192UL, 50.0));
        // Mainnet-like sizes: 8 units, 4 GiB files (2^28 labels), 2 shards of 8 files; N 8192 in the bench and the plan.
        var request = Request(PlanFormat.Slurm, shards: 2, gpus: 2) with { NumUnits = 8, LabelsPerUnit = 1UL << 32, MaxFileSize = 4UL << 30, ScryptN = 8192 };
        var plan = InitPlan.Create(request);

        var fastest = plan.Estimate(bench, "bench.json", provider: null);
        Assert.Equal("cuda:0", fastest.Provider);
        double perTask = 250_000.0 * 2; // one provider per GPU
        Assert.Equal(perTask, fastest.TaskLabelsPerSecond, 6);
        // 2^35 labels in 128 files of 2^28: 64 files = 2^34 labels per shard.
        double shardHours = (1UL << 34) / perTask / 3600;
        Assert.Equal(shardHours, fastest.HoursPerShard[0], 9);
        Assert.Equal(shardHours, fastest.HoursPerShard[1], 9);
        Assert.Equal(shardHours, fastest.WallClockHours, 9);
        Assert.Equal(2 * shardHours, fastest.TotalTaskHours, 9);

        // A CPU provider is not multiplied by the GPUs; a smaller N in the plan is proportionally faster.
        var cpu = InitPlan.Create(request with { ScryptN = 2048 }).Estimate(bench, "bench.json", provider: "cpu");
        Assert.Equal(1000.0 * 8192 / 2048, cpu.TaskLabelsPerSecond, 6);

        var missing = Assert.Throws<Prover.Core.InvalidInputException>(() => plan.Estimate(bench, "bench.json", provider: "cuda:7"));
        Assert.Contains("cuda:7", missing.Message);
        Assert.Throws<Prover.Core.InvalidInputException>(() => plan.Estimate("{\"schema\":\"other\"}", "x.json", null));
    }

    [Fact]
    public void Plan_command_prints_the_script_and_with_bench_the_hours()
    {
        using var dir = new TempDir();
        string bench = dir.Sub("bench.json");
        File.WriteAllText(bench, BenchJsonWith(("cpu", "CpuSimd", 16UL, 100.0)));
        var (code, stdout, stderr) = PostCli.Run("init", "plan", "--format", "slurm", "--preset", "dev", "--scrypt-n", "16", "--shards", "4",
            "--datadir", dir.Sub("data"), "--bench", bench);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("#!/usr/bin/env bash\n", stdout);
        Assert.Contains("#SBATCH --array=0-3", stdout);
        // dev: 16384 labels in 16 files, 4 per shard: 4096 labels at 100 labels/s.
        string hours = (4096 / 100.0 / 3600).ToString("F2", CultureInfo.InvariantCulture);
        Assert.Contains($"{hours} h for the largest shard", stderr);
        Assert.Contains($"{hours} h for the largest shard", stdout);

        var (k8sCode, _, k8sErr) = PostCli.Run("init", "plan", "--format", "k8s", "--preset", "dev", "--shards", "4");
        Assert.Equal(ExitCodes.BadInput, k8sCode);
        Assert.Contains("--image", k8sErr);
        var (slurmCode, _, slurmErr) = PostCli.Run("init", "plan", "--format", "slurm", "--preset", "dev", "--shards", "4");
        Assert.Equal(ExitCodes.BadInput, slurmCode);
        Assert.Contains("--datadir", slurmErr);
    }

    /// <summary>A bench.json as <c>post bench --json</c> writes it, with the given init measurements.</summary>
    internal static string BenchJsonWith(params (string Provider, string Kind, ulong ScryptN, double LabelsPerSecond)[] init) =>
        new JsonObject
        {
            ["schema"] = BenchReport.SchemaName,
            ["init"] = new JsonArray([.. init.Select(i => (JsonNode)new JsonObject
            {
                ["provider"] = i.Provider,
                ["kind"] = i.Kind,
                ["status"] = BenchStatus.Ok,
                ["scrypt_n"] = i.ScryptN,
                ["labels_per_second"] = i.LabelsPerSecond,
            }), new JsonObject { ["provider"] = "opencl:0", ["kind"] = "OpenCL", ["status"] = BenchStatus.Failed("no device"), ["scrypt_n"] = 8192 }]),
        }.ToJsonString();

    private static void AssertBashSyntax(string script)
    {
        if (!File.Exists("/bin/bash"))
        {
            return;
        }

        using var dir = new TempDir();
        File.WriteAllText(dir.Sub("s.sh"), script);
        var (code, _, stderr) = Run("/bin/bash", ["-n", dir.Sub("s.sh")], []);
        Assert.True(code == 0, stderr);
    }

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static (int Code, string StdOut, string StdErr) Bash(string script, Dictionary<string, string> env) => Run("/bin/bash", [script], env);

    internal static (int Code, string StdOut, string StdErr) Run(string program, string[] args, Dictionary<string, string> env, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
        {
            p.Kill(true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish; output so far: {stdout.Result}{stderr.Result}");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
