using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Kernels;

namespace Prover.Cli.Commands;

/// <summary><c>post providers [--json]</c>: every label provider this machine can run, and why missing backends are
/// missing.</summary>
public static class ProvidersCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var json = Cli.Opt<bool>("--json", "print the list as JSON on stdout");
        var threads = Cli.Opt("--threads", "CPU threads of the CPU provider (0 = all)", 0, "-t");
        var command = new Command("providers",
            "List the label providers (CPU SIMD, CUDA and OpenCL devices, ILGPU CPU accelerator) and their ids for --provider.")
        {
            json, threads,
        };
        command.SetAction(parse =>
        {
            ProviderCatalog catalog = ProviderCatalog.Discover(parse.GetValue(threads));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["providers"] = catalog.Providers.Select(p => new Dictionary<string, object?>
                    {
                        ["id"] = p.Id,
                        ["kind"] = p.Kind.ToString(),
                        ["name"] = p.Name,
                        ["compute_units"] = p.ComputeUnits,
                        ["memory_bytes"] = p.MemoryBytes,
                        ["lane_width"] = p.LaneWidth,
                        ["details"] = p.Details,
                    }).ToList(),
                    ["notes"] = catalog.Notes,
                }, Indented));
                return ExitCodes.Ok;
            }

            var o = Console.Out;
            if (catalog.Providers.Count == 0)
                o.WriteLine("no label provider found");
            foreach (ProviderDescriptor p in catalog.Providers)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Id,-10} {p.Kind,-8} {p.Name}"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"",-10} {p.ComputeUnits} compute units, {p.MemoryBytes / (1024 * 1024)} MiB, lane width {p.LaneWidth}"));
                if (p.Details.Count > 0)
                    o.WriteLine($"{"",-10} {string.Join(", ", p.Details.Select(kv => $"{kv.Key}: {kv.Value}"))}");
            }
            foreach (string note in catalog.Notes)
                o.WriteLine($"note: {note}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
