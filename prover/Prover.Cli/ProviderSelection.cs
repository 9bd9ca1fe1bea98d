using System.CommandLine;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Kernels;
using Prover.Kernels.Gpu;
using Prover.Verifier;

namespace Prover.Cli;

/// <summary>Turns <c>--provider ID[,ID…]|all</c> into label providers from the <see cref="ProviderCatalog"/>.</summary>
public static class ProviderSelection
{
    public const string Description =
        "label provider id(s), comma separated, or 'all' (see 'post providers'); default: cpu (SIMD). " +
        "'reference' is the scalar oracle (slow)";

    /// <summary>
    /// Largest scrypt N the label commands accept (mainnet 8192): at 2^20 one label already needs 128 MiB of scratch
    /// (a SIMD thread several times that); beyond, a typo ends in an out-of-memory crash instead of a result.
    /// </summary>
    public const ulong MaxScryptN = Prover.Core.Init.InitOptions.MaxScryptN;

    /// <summary>Like <see cref="Resolve"/> for commands that compute with a single provider.</summary>
    public static ILabelProvider ResolveOne(string? spec, int threads, GpuProviderOptions? gpuOptions, string command)
    {
        var providers = Resolve(spec, threads, gpuOptions);
        if (providers.Count == 1)
            return providers[0];
        foreach (var p in providers)
            p.Dispose();
        throw new InvalidInputException("provider", $"--provider: 'post {command}' takes exactly one provider");
    }

    /// <summary>
    /// Resolves the spec. 'all' means every provider the catalog lists (CPU SIMD, GPUs, the ILGPU CPU accelerator);
    /// 'reference' adds the scalar oracle, which 'all' leaves out. Unknown ids are an error naming what exists.
    /// Providers already created are disposed when a later one fails to start.
    /// </summary>
    public static IReadOnlyList<ILabelProvider> Resolve(string? spec, int threads, GpuProviderOptions? gpuOptions = null)
    {
        spec = string.IsNullOrWhiteSpace(spec) ? "cpu" : spec.Trim();
        ProviderCatalog catalog = ProviderCatalog.Discover(threads, gpuOptions);
        var factories = new List<Func<ILabelProvider>>();
        if (spec.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            factories.AddRange(catalog.Providers.Select(p => p.Create));
        }
        else
        {
            var ids = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var duplicate = ids.GroupBy(i => i, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new InvalidInputException("provider", $"--provider: '{duplicate.Key}' is listed twice");
            foreach (string id in ids)
            {
                if (id.Equals("reference", StringComparison.OrdinalIgnoreCase))
                {
                    factories.Add(() => new ReferenceLabelProvider(threads));
                    continue;
                }
                ProviderDescriptor match = catalog.Find(id) ?? throw new InvalidInputException("provider",
                    $"--provider: unknown provider '{id}'; available: " +
                    string.Join(", ", catalog.Providers.Select(p => p.Id).Append("reference")) +
                    (catalog.Notes.Count > 0 ? $" ({string.Join("; ", catalog.Notes)})" : ""));
                factories.Add(match.Create);
            }
        }

        var result = new List<ILabelProvider>();
        try
        {
            foreach (var create in factories)
                result.Add(create());
        }
        catch
        {
            foreach (var p in result)
                p.Dispose();
            throw;
        }
        return result;
    }
}

/// <summary>The GPU tuning flags shared by the commands that take <c>--provider</c>.</summary>
internal sealed class GpuFlags
{
    private readonly Option<int?> _lookupGap = Cli.Opt<int?>("--lookup-gap",
        "GPU providers: store every g-th scrypt V block and recompute the rest (1, 2, 4 or 8; default 4 on GPUs, 1 on the ILGPU CPU accelerator)")
        .PowerOfTwo(1, 8);

    // At most int.MaxValue / 32 labels: a launch's 32-byte outputs must fit in one buffer.
    private readonly Option<int> _batch = Cli.Opt("--gpu-batch",
        "GPU providers: labels per kernel launch (0 = sized from free device memory)", 0).InRange(0, int.MaxValue / 32);

    public void AddTo(Command command)
    {
        command.Options.Add(_lookupGap);
        command.Options.Add(_batch);
    }

    public GpuProviderOptions Read(ParseResult parse)
    {
        int? gap = parse.GetValue(_lookupGap);
        var options = new GpuProviderOptions
        {
            LookupGap = gap ?? new GpuProviderOptions().LookupGap,
            AutoLookupGap = gap is null,
            BatchSize = parse.GetValue(_batch),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException("lookupGap", $"{(e.ParamName == nameof(GpuProviderOptions.LookupGap) ? "--lookup-gap" : "--gpu-batch")}: {e.Message.Split(" (Parameter")[0]}");
        }
        return options;
    }
}
