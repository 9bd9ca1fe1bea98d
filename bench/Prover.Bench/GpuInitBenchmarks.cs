using BenchmarkDotNet.Attributes;
using Prover.Core.Init;
using Prover.Kernels;
using Prover.Kernels.Gpu;

namespace Prover.Bench;

/// <summary>
/// GPU label throughput at mainnet N = 8192 for every CUDA/OpenCL device the catalog finds, per lookup gap.
/// One operation = one label, so the reported mean is seconds per label (labels/s = 1 / mean).
/// <c>dotnet run -c Release --project bench/Prover.Bench -- --filter '*GpuInit*'</c>.
/// Without a GPU the single case "none" fails in setup with the catalog's reasons. For quick sweeps on a GPU machine
/// without the SDK, the published CLI has the same measurement as <c>post gpu-bench</c>.
/// </summary>
[MinIterationCount(3)]
[MaxIterationCount(10)]
[WarmupCount(1)]
public class GpuInitBenchmarks
{
    private const int LabelsPerInvoke = 262_144;
    private const ulong ScryptN = 8192;

    private ILabelProvider? _provider;
    private readonly byte[] _commitment = new byte[32];
    private byte[] _output = [];
    private ulong _next;

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "";

    [Params(1, 2, 4)]
    public int LookupGap { get; set; }

    public static IEnumerable<string> Devices()
    {
        var gpus = ProviderCatalog.Discover().Providers
            .Where(p => p.Kind is ProviderKind.Cuda or ProviderKind.OpenCL)
            .Select(p => p.Id)
            .ToList();
        return gpus.Count > 0 ? gpus : ["none"];
    }

    [GlobalSetup]
    public void Setup()
    {
        var catalog = ProviderCatalog.Discover(gpuOptions: new GpuProviderOptions { LookupGap = LookupGap });
        ProviderDescriptor entry = catalog.Find(Device) ?? throw new InvalidOperationException(
            $"no GPU provider '{Device}': {string.Join("; ", catalog.Notes)}");
        _provider = entry.Create();
        new Random(42).NextBytes(_commitment);
        _output = new byte[LabelsPerInvoke * 32];
        _next = 1UL << 33;
        _provider.ComputeOutputs(_commitment, ScryptN, _next, LabelsPerInvoke, _output); // compile + allocate
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(OperationsPerInvoke = LabelsPerInvoke)]
    public void Labels()
    {
        _next += LabelsPerInvoke;
        _provider!.ComputeOutputs(_commitment, ScryptN, _next, LabelsPerInvoke, _output);
    }
}
