using BenchmarkDotNet.Attributes;
using Prover.Kernels.Simd;

namespace Prover.Bench;

/// <summary>
/// CPU label initialization at the mainnet scrypt N = 8192: labels/s per SIMD level with one thread and with every core
/// (<see cref="CpuLabelProvider"/>, the provider <c>post init</c> uses). Each invocation computes
/// <see cref="LabelsPerInvoke"/> consecutive labels, so BenchmarkDotNet's per-operation time is the time per label
/// (labels/s = 1 s / Mean).
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
#pragma warning disable CA1001 // the provider is disposed in [GlobalCleanup], BenchmarkDotNet's lifetime hook
public class InitBenchmarks
#pragma warning restore CA1001
{
    /// <summary>
    /// Labels per call: a multiple of every level's group size × threads (64 labels per thread-group for V512 at
    /// N = 8192, so up to 16 threads get whole groups).
    /// </summary>
    public const int LabelsPerInvoke = 1024;

    private const ulong N = 8192;

    private readonly byte[] _commitment = Convert.FromHexString("72f83ca99604810287652e3402f62784f66ceecc3ca7fda28e680aa816cff153");
    private readonly byte[] _output = new byte[LabelsPerInvoke * 32];
    private CpuLabelProvider? _provider;
    private ulong _next;

    [ParamsAllValues]
    public SimdLevel Level { get; set; }

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>One thread, and all cores when the machine has more than one.</summary>
    public static IEnumerable<int> ThreadCounts() =>
        Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];

    [GlobalSetup]
    public void Setup()
    {
        _provider = new CpuLabelProvider(Threads, Level);
        _provider.ComputeOutputs(_commitment, N, 0, LabelsPerInvoke, _output); // allocates the scratch of every thread
        _next = LabelsPerInvoke;
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(OperationsPerInvoke = LabelsPerInvoke)]
    public byte Labels()
    {
        _provider!.ComputeOutputs(_commitment, N, _next, LabelsPerInvoke, _output);
        _next += LabelsPerInvoke;
        return _output[0];
    }
}
