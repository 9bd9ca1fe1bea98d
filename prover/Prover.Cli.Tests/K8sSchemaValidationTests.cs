using System.Text.Json.Nodes;
using k8s;
using Prover.Cli.Cluster;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// The manifests of <c>post init plan --format k8s</c> against the Kubernetes schema: tests/k8s-validate runs the
/// kubernetes-models package's validate() on every document (installed once with <c>npm ci</c> into that folder).
/// </summary>
public class K8sSchemaValidationTests
{
    [FactRequiresNode]
    public void Generated_manifests_pass_the_Kubernetes_schema_with_and_without_gpus_and_claim()
    {
        using var dir = new TempDir();
        var files = new List<string>();
        foreach (var (gpus, claim) in new[] { (0, (string?)null), (4, null), (1, "existing-claim") })
        {
            var plan = InitPlan.Create(InitPlanTests.Request(PlanFormat.K8s, shards: 3, gpus: gpus) with { ClaimName = claim, StorageClass = "nfs", Namespace = "post" });
            string path = dir.Sub($"plan-{gpus}-{claim ?? "new"}.yaml");
            File.WriteAllText(path, plan.KubernetesManifest());
            files.Add(path);
        }

        var (code, output) = Validator.Run(files);
        Assert.True(code == 0, output);
        // Every document was checked: two Jobs per plan, and a claim in the two plans that create one (3 + 3 + 2).
        Assert.Contains("8 valid, 0 invalid, 0 unreadable", output);
        Assert.Contains("ok Job/post-init (batch/v1)", output);
        Assert.Contains("ok PersistentVolumeClaim/post-init-data (v1)", output);
    }

    [FactRequiresNode]
    public void Schema_validation_rejects_a_broken_manifest()
    {
        var plan = InitPlan.Create(InitPlanTests.Request(PlanFormat.K8s, shards: 4, gpus: 1));
        var job = JsonNode.Parse(KubernetesJson.Serialize(plan.KubernetesObjects().Single(o => o.Metadata.Name == plan.InitJobName)))!;
        using var dir = new TempDir();

        // Three ways to break it: a count that is not an integer, a container without its required name, a claim volume
        // without its claim name.
        var badCount = job.DeepClone();
        badCount["spec"]!["completions"] = "four";
        var noName = job.DeepClone();
        noName["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("name");
        var noClaim = job.DeepClone();
        noClaim["spec"]!["template"]!["spec"]!["volumes"]![0]!["persistentVolumeClaim"]!.AsObject().Remove("claimName");
        var files = new List<string>();
        foreach (var (name, doc) in new[] { ("count", badCount), ("name", noName), ("claim", noClaim) })
        {
            string path = dir.Sub($"broken-{name}.json");
            File.WriteAllText(path, doc.ToJsonString());
            files.Add(path);
        }

        var (code, output) = Validator.Run(files);
        Assert.True(code == 1, output);
        Assert.Contains("0 valid, 3 invalid", output);
        Assert.Contains("completions must be integer", output);
        Assert.Contains("must have required property name", output);
        Assert.Contains("must have required property claimName", output);

        // The unbroken Job, serialized the same way, passes: the failures come from the breakage.
        string good = dir.Sub("good.json");
        File.WriteAllText(good, job.ToJsonString());
        var (goodCode, goodOutput) = Validator.Run([good]);
        Assert.True(goodCode == 0, goodOutput);
    }

    /// <summary>tests/k8s-validate: <c>npm ci</c> once (kept in its node_modules), then <c>node validate.js FILES</c>.</summary>
    internal static class Validator
    {
        private static readonly Lock Gate = new();
        private static bool _installed;

        public static string Folder => Path.Combine(RepoRoot.Path, "tests", "k8s-validate");

        public static (int Code, string Output) Run(IReadOnlyList<string> files)
        {
            EnsureInstalled();
            var (code, stdout, stderr) = InitPlanTests.Run("node", ["validate.js", .. files], [], TimeSpan.FromMinutes(2), Folder);
            return (code, stdout + stderr);
        }

        private static void EnsureInstalled()
        {
            lock (Gate)
            {
                if (_installed)
                {
                    return;
                }

                // Installed already at the pinned versions (package.json): keep it. Otherwise npm ci from the lock file.
                var pinned = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "package.json")))!["dependencies"]!.AsObject();
                bool present = pinned.All(p =>
                {
                    string manifest = Path.Combine(Folder, "node_modules", p.Key, "package.json");
                    return File.Exists(manifest)
                        && JsonNode.Parse(File.ReadAllText(manifest))!["version"]?.GetValue<string>() == p.Value!.GetValue<string>();
                });
                if (!present)
                {
                    var (code, stdout, stderr) = InitPlanTests.Run("npm", ["ci", "--no-audit", "--no-fund"], [], TimeSpan.FromMinutes(5), Folder);
                    Assert.True(code == 0, $"npm ci in {Folder} failed: {stdout}{stderr}");
                }

                _installed = true;
            }
        }
    }
}

/// <summary>A fact that needs node and npm on PATH (the Kubernetes schema validator); skipped with the reason otherwise.</summary>
public sealed class FactRequiresNodeAttribute : FactAttribute
{
    public FactRequiresNodeAttribute()
    {
        var missing = new[] { "node", "npm" }.Where(p => RepoRoot.FindOnPath(p) is null).ToList();
        if (missing.Count > 0)
        {
            Skip = $"{string.Join(" and ", missing)} not found on PATH: the Kubernetes schema validation (tests/k8s-validate) needs Node.js";
        }
    }
}

/// <summary>The repository's root (the folder of Prover.sln) and programs on PATH.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Prover.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Prover.sln above {AppContext.BaseDirectory}");
    }
}
