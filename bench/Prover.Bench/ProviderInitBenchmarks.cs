using BenchmarkDotNet.Attributes;
using Prover.Core.Init;
using Prover.Kernels;

namespace Prover.Bench;

/// <summary>
/// Label throughput of every provider the <see cref="ProviderCatalog"/> lists on this machine (the CPU SIMD provider,
/// each CUDA/OpenCL device, and the ILGPU CPU accelerator): the per-provider kernel view of what <c>post bench</c>
/// measures end to end. Real providers run at a small N and at the mainnet N = 8192; the ILGPU CPU accelerator, a GPU
/// simulator with a large per-launch cost, only at the small N. Each invocation computes <see cref="LabelsPerInvoke"/>
/// consecutive labels, so the reported mean is the time per label (labels/s = 1 s / Mean).
/// <c>dotnet run -c Release --project bench/Prover.Bench -- --filter '*ProviderInit*' --job short</c>.
/// 256 labels per call is a small batch for a GPU: <see cref="GpuInitBenchmarks"/> launches 262 144 per call.
/// </summary>
[MinIterationCount(3)]
[MaxIterationCount(15)]
[WarmupCount(1)]
#pragma warning disable CA1001 // the provider is disposed in [GlobalCleanup], BenchmarkDotNet's lifetime hook
public class ProviderInitBenchmarks
#pragma warning restore CA1001
{
    public const int LabelsPerInvoke = 256;

    /// <summary>The small N every provider runs at.</summary>
    public const ulong SmallN = 128;

    private readonly byte[] _commitment = Convert.FromHexString("72f83ca99604810287652e3402f62784f66ceecc3ca7fda28e680aa816cff153");
    private readonly byte[] _output = new byte[LabelsPerInvoke * 32];
    private ILabelProvider? _provider;
    private ulong _next;

    /// <summary>"provider@N", e.g. "cpu@8192", "ilgpu-cpu@128".</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    private string Provider => Case[..Case.LastIndexOf('@')];

    private ulong ScryptN => ulong.Parse(Case[(Case.LastIndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every provider the catalog finds here at the small N, and all but the simulator at N = 8192.</summary>
    public static IEnumerable<string> Cases() => ProviderCatalog.Discover().Providers.SelectMany(p =>
        p.Kind == ProviderKind.IlgpuCpu ? new[] { $"{p.Id}@{SmallN}" } : [$"{p.Id}@{SmallN}", $"{p.Id}@8192"]);

    [GlobalSetup]
    public void Setup()
    {
        var catalog = ProviderCatalog.Discover();
        _provider = (catalog.Find(Provider) ?? throw new InvalidOperationException(
            $"no provider '{Provider}': {string.Join("; ", catalog.Notes)}")).Create();
        _next = 1UL << 33; // 64-bit indices, as in a multi-unit job
        _provider.ComputeOutputs(_commitment, ScryptN, _next, LabelsPerInvoke, _output); // kernel compilation, scratch
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(OperationsPerInvoke = LabelsPerInvoke)]
    public byte Labels()
    {
        _next += LabelsPerInvoke;
        _provider!.ComputeOutputs(_commitment, ScryptN, _next, LabelsPerInvoke, _output);
        return _output[0];
    }
}
