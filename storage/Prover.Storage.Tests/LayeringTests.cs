using System.Xml.Linq;
using Xunit;

namespace Prover.Storage.Tests;

/// <summary>
/// Enforces the layering rules of ARCHITECTURE.md ("Dependencies point inward") by reading every
/// <c>.csproj</c> in the repository: a forbidden <c>ProjectReference</c> or <c>PackageReference</c> fails the build's
/// test run, naming the file and the reference. It lives here rather than in a project of its own because the
/// top-level folders are fixed and it needs no product code: it reads files, so it runs in milliseconds.
/// </summary>
public sealed class LayeringTests
{
    private const string Core = "Prover.Core", Contracts = "Prover.Contracts", Verifier = "Prover.Verifier",
        Kernels = "Prover.Kernels", Storage = "Prover.Storage", StorageRocks = "Prover.Storage.Rocks",
        Node = "Prover.Node", NodeHost = "Prover.Node.Host", Service = "Prover.Service", Cli = "Prover.Cli",
        BenchCore = "Prover.Bench.Core", Bench = "Prover.Bench";

    /// <summary>
    /// The product projects and the projects each may reference directly. A product project missing from this table
    /// fails the test: a new project states its layer here first. Test projects (<c>*.Tests</c>) may reference what
    /// they test; only the package rules apply to them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedReferences = new Dictionary<string, string[]>
    {
        [Core] = [],                                   // depends on nothing of ours
        [Contracts] = [],                              // .proto files only
        [Verifier] = [Core],                           // the independent oracle: never Kernels
        [Kernels] = [Core],
        [Storage] = [Core],                            // abstractions: nothing, Core at most
        [StorageRocks] = [Storage],
        [Node] = [Core, Verifier, Storage, Contracts], // domain: abstractions only
        [NodeHost] = [Node, Core, Verifier, Kernels, Contracts, Storage, StorageRocks], // wires the concrete pieces
        [Service] = [Core, Kernels, Contracts, Verifier],
        [Cli] = [Core, Kernels, Contracts, Verifier, NodeHost, BenchCore],
        [BenchCore] = [Core, Kernels, Verifier],
        [Bench] = [BenchCore, Core, Kernels, Verifier, Node], // Node: consensus eligibility benchmarks
    };

    /// <summary>
    /// References the current tree has that the rules above do not allow, each with its reason. Shrink this list;
    /// never grow it without a note in the commit.
    /// </summary>
    public static readonly IReadOnlyList<(string From, string To, string Why)> KnownExceptions =
    [
        // `post serve` runs the remote prover in-process, so the CLI links the service. The rules want the CLI on
        // Core, Kernels and Contracts, the service started through a host; until then this edge stays.
        (Cli, Service, "post serve hosts Prover.Service in-process"),
    ];

    /// <summary>Projects that must never be reachable, even transitively, from the key project.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> NeverReaches = new Dictionary<string, string[]>
    {
        [Core] = [Kernels, Verifier, Storage, StorageRocks, Node, NodeHost, Service, Cli, Contracts, BenchCore, Bench],
        [Verifier] = [Kernels, BenchCore, Bench],
        [Kernels] = [BenchCore, Bench, Cli, Service],  // hot paths: the bench measures them, never the other way
        [Storage] = [StorageRocks, Kernels, Verifier, Node, NodeHost, Service, Cli],
        [Node] = [Kernels, StorageRocks, Service, Cli, NodeHost, BenchCore],
        [Service] = [BenchCore, Bench, Cli],           // in prover/ only the CLI takes the bench library
        [BenchCore] = [Cli, Service, Bench],           // a library: no command line, no service
    };

    /// <summary>Packages only some projects may reference (tests included): native code stays in its one home.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> PackageOwners =
        new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["RocksDB"] = [StorageRocks],
            ["ZstdSharp.Port"] = [StorageRocks],
            ["ILGPU"] = [Kernels, "Prover.Kernels.Tests"],
            ["ILGPU.Algorithms"] = [Kernels, "Prover.Kernels.Tests"],
        };

    /// <summary>One parsed project file.</summary>
    public sealed record ProjectFile(string Name, string Path, IReadOnlyList<string> Projects, IReadOnlyList<string> Packages)
    {
        public bool IsTest => Name.EndsWith(".Tests", StringComparison.Ordinal);
    }

    [Fact]
    public void Every_project_reference_and_package_reference_follows_the_layering_rules()
    {
        var projects = ReadRepository();
        Assert.Contains(projects, p => p.Name == Core);       // the scan found the tree, so passing means something
        Assert.Contains(projects, p => p.Name == StorageRocks);
        Assert.Contains(projects, p => p.Name == Node);
        var violations = Check(projects);
        Assert.True(violations.Count == 0, "layering violations:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Every_project_is_in_the_solution_so_the_test_command_builds_and_runs_it()
    {
        var root = RepositoryRoot();
        var solution = File.ReadAllText(System.IO.Path.Combine(root, "Prover.sln")).Replace('\\', '/');
        var missing = ReadRepository().Where(p => !solution.Contains($"\"{p.Path}\"", StringComparison.Ordinal))
            .Select(p => p.Path).ToList();
        Assert.True(missing.Count == 0, "not in Prover.sln: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData(Node, Kernels, "Prover.Node -> Prover.Kernels")]
    [InlineData(Node, StorageRocks, "Prover.Node -> Prover.Storage.Rocks")]
    [InlineData(Verifier, Kernels, "Prover.Verifier -> Prover.Kernels")]
    [InlineData(Core, Storage, "Prover.Core -> Prover.Storage")]
    [InlineData(Storage, StorageRocks, "Prover.Storage -> Prover.Storage.Rocks")]
    [InlineData(Service, BenchCore, "Prover.Service -> Prover.Bench.Core")]
    [InlineData(Kernels, BenchCore, "Prover.Kernels -> Prover.Bench.Core")]
    [InlineData(BenchCore, Cli, "Prover.Bench.Core -> Prover.Cli")]
    public void A_forbidden_project_reference_is_reported(string from, string to, string expected)
    {
        var projects = ReadRepository().Select(p => p.Name == from ? p with { Projects = [.. p.Projects, to] } : p);
        Assert.Contains(Check([.. projects]), v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_path_through_an_allowed_project_to_a_forbidden_one_is_reported()
    {
        // Node -> Core and Verifier -> Core are allowed; if Core then took Kernels, both would reach Kernels through it.
        var projects = ReadRepository().Select(p => p.Name == Core ? p with { Projects = [Kernels] } : p).ToList();
        var violations = Check(projects);
        Assert.Contains(violations, v => v.Contains("Prover.Node reaches Prover.Kernels", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Prover.Verifier reaches Prover.Kernels", StringComparison.Ordinal));
    }

    [Fact]
    public void The_kernels_never_drive_the_initializer_or_the_prover()
    {
        // Kernels implements Core's interfaces (label providers, proving scanners); running a whole Initializer or
        // PostProver is the bench's job (bench/Prover.Bench.Core, SampleProof), not a hot path's.
        var root = RepositoryRoot();
        var kernels = System.IO.Path.Combine(root, "kernels", Kernels);
        var offenders = Directory.EnumerateFiles(kernels, "*.cs", SearchOption.AllDirectories)
            .Where(file => !System.IO.Path.GetRelativePath(kernels, file).Replace('\\', '/').Split('/').Any(part => part is "bin" or "obj"))
            .Where(file => System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(file), @"\b(Initializer|PostProver)\b"))
            .Select(file => System.IO.Path.GetRelativePath(root, file))
            .ToList();
        Assert.NotEmpty(Directory.EnumerateFiles(kernels, "*.cs", SearchOption.AllDirectories)); // the scan found sources
        Assert.True(offenders.Count == 0, "Kernels uses Initializer or PostProver in: " + string.Join(", ", offenders));
    }

    [Theory]
    [InlineData(Node, "RocksDB")]
    [InlineData("Prover.Storage.Tests", "RocksDB")]
    [InlineData(Verifier, "ILGPU")]
    public void A_forbidden_package_reference_is_reported(string from, string package)
    {
        var projects = ReadRepository().Select(p => p.Name == from ? p with { Packages = [.. p.Packages, package] } : p);
        Assert.Contains(Check([.. projects]), v => v.Contains($"{from} -> package {package}", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unlisted_product_project_is_reported()
    {
        var projects = ReadRepository().Append(new ProjectFile("Prover.Stray", "stray/Prover.Stray.csproj", [Core], []));
        Assert.Contains(Check([.. projects]), v => v.Contains("Prover.Stray", StringComparison.Ordinal));
    }

    /// <summary>Every rule broken by <paramref name="projects"/>, one line each, naming the file and the reference.</summary>
    public static List<string> Check(IReadOnlyList<ProjectFile> projects)
    {
        var violations = new List<string>();
        var byName = projects.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var project in projects)
        {
            foreach (var package in project.Packages)
            {
                if (PackageOwners.TryGetValue(package, out var owners) && !owners.Contains(project.Name))
                    violations.Add($"{project.Path}: {project.Name} -> package {package} (only {string.Join(", ", owners)} may)");
            }

            foreach (var reference in project.Projects)
            {
                if (byName.TryGetValue(reference, out var target) && target.IsTest)
                    violations.Add($"{project.Path}: {project.Name} -> {reference} (test projects are never referenced)");
            }

            if (project.IsTest) continue;
            if (!AllowedReferences.TryGetValue(project.Name, out var allowed))
            {
                violations.Add($"{project.Path}: {project.Name} has no layering rule (add it to LayeringTests.AllowedReferences)");
                continue;
            }

            foreach (var reference in project.Projects)
            {
                if (allowed.Contains(reference) || KnownExceptions.Any(e => e.From == project.Name && e.To == reference)) continue;
                violations.Add($"{project.Path}: {project.Name} -> {reference} is forbidden (allowed: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))})");
            }
        }

        foreach (var (from, forbidden) in NeverReaches)
        {
            if (!byName.ContainsKey(from)) continue;
            foreach (var (reached, via) in Reachable(from, byName))
            {
                if (forbidden.Contains(reached))
                    violations.Add($"{byName[from].Path}: {from} reaches {reached} (via {via})");
            }
        }

        return violations;
    }

    private static IEnumerable<(string Name, string Via)> Reachable(string from, Dictionary<string, ProjectFile> byName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var queue = new Queue<(string Name, string Path)>([(from, from)]);
        while (queue.Count > 0)
        {
            var (name, path) = queue.Dequeue();
            if (!byName.TryGetValue(name, out var project)) continue;
            foreach (var next in project.Projects)
            {
                if (!seen.Add(next)) continue;
                var nextPath = path + " -> " + next;
                yield return (next, nextPath);
                queue.Enqueue((next, nextPath));
            }
        }
    }

    /// <summary>Parses every <c>.csproj</c> under the repository root (build outputs skipped).</summary>
    public static List<ProjectFile> ReadRepository()
    {
        var root = RepositoryRoot();
        return Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Select(file => System.IO.Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(relative => !relative.Split('/').Any(part => part is "bin" or "obj" or ".git" or "shared"))
            .Order(StringComparer.Ordinal)
            .Select(relative => Parse(root, relative))
            .ToList();
    }

    private static ProjectFile Parse(string root, string relative)
    {
        var xml = XDocument.Load(System.IO.Path.Combine(root, relative));
        IEnumerable<string> Items(string kind) => xml.Descendants()
            .Where(e => e.Name.LocalName == kind)
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update"))
            .OfType<string>();
        return new ProjectFile(
            System.IO.Path.GetFileNameWithoutExtension(relative),
            relative,
            [.. Items("ProjectReference").Select(r => System.IO.Path.GetFileNameWithoutExtension(r.Replace('\\', '/')))],
            [.. Items("PackageReference")]);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Prover.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Prover.sln above {AppContext.BaseDirectory}");
    }
}
