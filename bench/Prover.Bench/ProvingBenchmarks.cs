using BenchmarkDotNet.Attributes;
using Prover.Core.Proving;
using Prover.Kernels.Aes;
using Prover.Kernels.Proving;

namespace Prover.Bench;

/// <summary>
/// In-memory proving throughput (spec §9.1 criterion "proving" bench): 64 MiB of random labels scanned once per
/// operation with difficulty 0 (every zero byte takes the lazy path, no proof is found), through the real pipeline
/// (reader thread, bounded buffers, scanning threads). Throughput = 64 MiB / mean time. AES-128-ECB over the same
/// bytes is the yardstick.
/// </summary>
[MemoryDiagnoser(false)]
public class ProvingBenchmarks
{
    private const int DataSize = 64 << 20;
    private byte[] _data = [];
    private PostDataSource _source = null!;
    private ProvingPass _pass = null!;
    private IProvingScanner _scanner = null!;
    private ProvingOptions _options = null!;
    private byte[] _roundKeys = [];
    private byte[] _output = [];

    [Params(16, 64)]
    public int Nonces { get; set; }

    /// <summary>Scanning threads: 1, or 0 for all cores.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[DataSize];
        new Random(42).NextBytes(_data);
        _source = PostDataSource.FromMemory(_data);
        _pass = ProvingPass.Create(new byte[32], 0, Nonces, new ulong[Nonces / ProvingConstants.NoncesPerGroup], 0);
        _scanner = new ProvingScannerFactory().Create(_pass);
        _options = new ProvingOptions { Nonces = Nonces, Threads = Threads, BatchSize = 1 << 20 };
        _roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(new byte[16], _roundKeys);
        _output = new byte[1 << 20];
    }

    [Benchmark(Description = "prove 64 MiB (difficulty 0)")]
    public long Scan() => PostProver.ScanOnce(_source, _pass, _scanner, NoHits.Instance, _options);

    /// <summary>AES-128-ECB of the same 64 MiB with one key on one thread (the work of 16 nonces without the compare).</summary>
    [Benchmark(Description = "AES-128-ECB 64 MiB, 1 thread")]
    public void Ecb()
    {
        for (int at = 0; at < DataSize; at += _output.Length)
        {
            AesEcb.Encrypt(AesEcb.Best, _roundKeys, _data.AsSpan(at, _output.Length), _output);
        }
    }

    private sealed class NoHits : ILabelHitSink
    {
        public static readonly NoHits Instance = new();

        public bool OnGoodLabel(uint nonce, ulong index) => false;
    }
}
