using Microsoft.Extensions.Logging;
using Prover.Core.Init;
using Prover.Kernels.Gpu;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>Provider discovery: never throws, explains missing backends, and every listed entry creates a working
/// provider whose id and kind match the entry.</summary>
public class CatalogDiscoveryTests
{
    [Fact]
    public void Discovery_lists_the_ILGPU_CPU_accelerator_and_explains_what_is_missing()
    {
        var logger = new CollectingLogger<ProviderCatalog>();
        ProviderCatalog catalog = ProviderCatalog.Discover(logger: logger);

        // Every note is logged as it is found, with the same text, as a discovery event (ids 200-203).
        Assert.Equal(catalog.Notes, logger.Entries.Select(e => e.Message));
        Assert.All(logger.Entries, e => Assert.InRange(e.EventId.Id, 200, 203));
        Assert.All(logger.Entries, e => Assert.True(e.Level is LogLevel.Information or LogLevel.Warning, e.Message));
        Assert.Equal(catalog.Providers.Count, catalog.Providers.Select(p => p.Id.ToUpperInvariant()).Distinct().Count());
        ProviderDescriptor sim = Assert.Single(catalog.Providers, p => p.Kind == ProviderKind.IlgpuCpu);
        Assert.Equal("ilgpu-cpu", sim.Id);
        Assert.True(sim.ComputeUnits >= 1 && sim.LaneWidth >= 1 && sim.MemoryBytes > 0);
        Assert.Same(sim, catalog.Find("ILGPU-CPU"));
        Assert.Null(catalog.Find("cuda:99"));

        // Each backend is either listed or has a note saying why not.
        if (!catalog.Providers.Any(p => p.Kind == ProviderKind.Cuda))
            Assert.Contains(catalog.Notes, n => n.StartsWith("CUDA:", StringComparison.Ordinal));
        if (!catalog.Providers.Any(p => p.Kind == ProviderKind.OpenCL))
            Assert.Contains(catalog.Notes, n => n.StartsWith("OpenCL:", StringComparison.Ordinal));
        // The CPU SIMD provider is always there, first, with the lane width of the level the machine runs.
        ProviderDescriptor cpu = catalog.Providers[0];
        Assert.Equal("cpu", cpu.Id);
        Assert.Equal(ProviderKind.CpuSimd, cpu.Kind);
        Assert.Equal(Simd.SimdLevels.Lanes(Simd.SimdLevels.Best), cpu.LaneWidth);
        Assert.Equal(Environment.ProcessorCount, cpu.ComputeUnits);

        foreach (ProviderDescriptor p in catalog.Providers.Where(p => p.Kind is ProviderKind.Cuda or ProviderKind.OpenCL))
        {
            Assert.Matches(p.Kind == ProviderKind.Cuda ? "^cuda:[0-9]+$" : "^opencl:[0-9]+$", p.Id);
            Assert.True(p.MemoryBytes > 0);
        }
    }

    [Fact]
    public void The_CPU_entry_creates_the_SIMD_provider_with_the_requested_threads()
    {
        ProviderCatalog catalog = ProviderCatalog.Discover(cpuThreads: 1);
        using ILabelProvider provider = catalog.Find("cpu")!.Create();
        var simd = Assert.IsType<Simd.CpuLabelProvider>(provider);
        Assert.Equal(1, simd.Threads);
        Assert.Equal(Simd.SimdLevels.Best, simd.Level);
    }

    [Fact]
    public void Without_an_explicit_gap_the_simulator_uses_gap_1_and_GPUs_keep_their_default()
    {
        using (ILabelProvider auto = ProviderCatalog.Discover().Find("ilgpu-cpu")!.Create())
            Assert.Equal(1, ((GpuLabelProvider)auto).Options.LookupGap);
        var flagsLeftOut = new GpuProviderOptions { AutoLookupGap = true };
        using (ILabelProvider fromFlags = ProviderCatalog.Discover(gpuOptions: flagsLeftOut).Find("ilgpu-cpu")!.Create())
            Assert.Equal(1, ((GpuLabelProvider)fromFlags).Options.LookupGap);
        Assert.Equal(4, flagsLeftOut.LookupGap);
    }

    [Fact]
    public void The_ILGPU_CPU_entry_creates_a_provider_that_computes_labels()
    {
        ProviderCatalog catalog = ProviderCatalog.Discover(gpuOptions: new GpuProviderOptions { LookupGap = 2 });
        using ILabelProvider provider = catalog.Find("ilgpu-cpu")!.Create();
        Assert.Equal("ilgpu-cpu", provider.Id);
        Assert.Equal(ProviderKind.IlgpuCpu, provider.Kind);
        Assert.Equal(2, ((GpuLabelProvider)provider).Options.LookupGap);

        (ulong n, byte[] commitment) = GpuTestSupport.LabelSet("N4_commitment_zero");
        List<(ulong Index, string Output)> vectors = GpuTestSupport.LabelVectors("N4_commitment_zero");
        var output = new byte[vectors.Count * 32];
        provider.ComputeOutputs(commitment, n, vectors[0].Index, vectors.Count, output);
        for (int i = 0; i < vectors.Count; i++)
        {
            Assert.Equal(vectors[0].Index + (ulong)i, vectors[i].Index);
            Assert.Equal(vectors[i].Output, Convert.ToHexStringLower(output, i * 32, 32));
        }
    }
}
