using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Init;
using Prover.Kernels;
using Prover.Verifier;

namespace Prover.Cli.Commands;

/// <summary><c>post providers [--json]</c>: every label provider this machine can run (the scalar reference included),
/// and why missing backends are missing.</summary>
public static class ProvidersCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var json = Cli.Opt<bool>("--json", "print the list as JSON on stdout");
        var threads = Cli.Opt("--threads", "CPU threads of the CPU provider and the reference (0 = all)", 0, "-t")
            .InRange(0, Cli.MaxThreads);
        var command = new Command("providers",
            "List the label providers (CPU SIMD, CUDA and OpenCL devices, ILGPU CPU accelerator, the scalar reference) and their ids for --provider.")
        {
            json, threads,
        };
        command.SetAction(parse =>
        {
            int cpuThreads = parse.GetValue(threads);
            ProviderCatalog catalog = ProviderCatalog.Discover(cpuThreads);
            var providers = catalog.Providers.Select(p => (Entry: p, Kind: p.Kind.ToString()))
                .Append((Entry: Reference(cpuThreads), Kind: "Reference"))
                .ToList();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["providers"] = providers.Select(e => new Dictionary<string, object?>
                    {
                        ["id"] = e.Entry.Id,
                        ["kind"] = e.Kind,
                        ["name"] = e.Entry.Name,
                        ["compute_units"] = e.Entry.ComputeUnits,
                        ["memory_bytes"] = e.Entry.MemoryBytes,
                        ["lane_width"] = e.Entry.LaneWidth,
                        ["details"] = e.Entry.Details,
                    }).ToList(),
                    ["notes"] = catalog.Notes,
                }, Indented));
                return ExitCodes.Ok;
            }

            var o = Console.Out;
            if (catalog.Providers.Count == 0)
                o.WriteLine("no hardware label provider found; only the scalar reference (slow)");
            foreach (var (p, kind) in providers)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Id,-10} {kind,-9} {p.Name}"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"",-10} {p.ComputeUnits} compute unit{(p.ComputeUnits == 1 ? "" : "s")}, {p.MemoryBytes / (1024 * 1024)} MiB, lane width {p.LaneWidth}"));
                if (p.Details.Count > 0)
                    o.WriteLine($"{"",-10} {string.Join(", ", p.Details.Select(kv => $"{kv.Key}: {kv.Value}"))}");
            }
            foreach (string note in catalog.Notes)
                o.WriteLine($"note: {note}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The scalar oracle (<c>--provider reference</c>), which the catalog leaves out: slow, one label per lane.</summary>
    private static ProviderDescriptor Reference(int threads)
    {
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        var details = new Dictionary<string, string>
        {
            ["threads"] = n.ToString(CultureInfo.InvariantCulture),
            ["note"] = "the scalar oracle every provider is checked against: correct but slow (cross-checks)",
        };
        return new ProviderDescriptor("reference", ProviderKind.CpuSimd, $"scalar reference x {n} thread{(n == 1 ? "" : "s")}", n,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1, details, () => new ReferenceLabelProvider(threads));
    }
}
