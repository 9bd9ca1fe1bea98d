using Prover.Core.Init;
using Prover.Kernels.Gpu;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>A [Fact] that is skipped, with the reason, when no real GPU of the given kind is present.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute(ProviderKind kind)
    {
        if (GpuDevices.First(kind) is null)
            Skip = $"no {kind} device: {string.Join("; ", GpuDevices.Catalog.Notes.Where(n => n.StartsWith(kind == ProviderKind.Cuda ? "CUDA" : "OpenCL", StringComparison.Ordinal)))}";
    }
}

/// <summary>Discovery done once per test run.</summary>
internal static class GpuDevices
{
    private static readonly Lazy<ProviderCatalog> Lazy = new(() => ProviderCatalog.Discover());

    public static ProviderCatalog Catalog => Lazy.Value;

    public static ProviderDescriptor? First(ProviderKind kind) => Catalog.Providers.FirstOrDefault(p => p.Kind == kind);
}

/// <summary>The kernel on real CUDA / OpenCL devices at mainnet N = 8192 (skipped where there is none).</summary>
public class GpuDeviceTests
{
    private static GpuLabelProvider Create(ProviderKind kind, int gap)
    {
        int index = int.Parse(GpuDevices.First(kind)!.Id.Split(':')[1]);
        var options = new GpuProviderOptions { LookupGap = gap };
        return kind == ProviderKind.Cuda ? GpuLabelProvider.CreateCuda(index, options) : GpuLabelProvider.CreateOpenCL(index, options);
    }

    private static void SpecVectorsAtN8192(ProviderKind kind)
    {
        (ulong n, byte[] commitment) = GpuTestSupport.LabelSet("N8192_commitment_zero");
        foreach (int gap in new[] { 1, 2, 4 })
        {
            using GpuLabelProvider provider = Create(kind, gap);
            foreach ((ulong index, string expected) in GpuTestSupport.LabelVectors("N8192_commitment_zero"))
            {
                var output = new byte[32];
                provider.ComputeOutputs(commitment, n, index, 1, output);
                Assert.Equal(expected, Convert.ToHexStringLower(output));
            }
        }
    }

    private static void RandomLabelsAgainstTheOracle(ProviderKind kind)
    {
        var rng = new Random(8192);
        foreach (int gap in new[] { 1, 2, 4 })
        {
            var commitment = new byte[32];
            rng.NextBytes(commitment);
            ulong start = (ulong)rng.NextInt64(0, 1L << 40);
            const int count = 3000;
            using GpuLabelProvider provider = Create(kind, gap);
            var actual = new byte[count * 32];
            provider.ComputeOutputs(commitment, 8192, start, count, actual);
            GpuTestSupport.AssertSameOutputs(GpuTestSupport.OracleOutputs(commitment, 8192, start, count), actual, start,
                $"{provider.Id} gap {gap}");
        }
    }

    [GpuFact(ProviderKind.Cuda)]
    public void Cuda_spec_vectors_at_N8192() => SpecVectorsAtN8192(ProviderKind.Cuda);

    [GpuFact(ProviderKind.Cuda)]
    public void Cuda_random_labels_match_the_oracle() => RandomLabelsAgainstTheOracle(ProviderKind.Cuda);

    [GpuFact(ProviderKind.OpenCL)]
    public void OpenCL_spec_vectors_at_N8192() => SpecVectorsAtN8192(ProviderKind.OpenCL);

    [GpuFact(ProviderKind.OpenCL)]
    public void OpenCL_random_labels_match_the_oracle() => RandomLabelsAgainstTheOracle(ProviderKind.OpenCL);
}
