using BenchmarkDotNet.Attributes;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;

namespace Prover.Bench;

/// <summary>
/// In-memory proving throughput (spec §9.1 criterion "proving" bench): 64 MiB of random labels scanned once per
/// operation with difficulty 0 (every zero byte takes the lazy path, no proof is found), through the real pipeline
/// (reader thread, bounded buffers, scanning threads), like <c>post profile</c>. The GiB/s column = 64 MiB / mean time.
/// The AES-128-ECB yardsticks (.NET's AES = OpenSSL libcrypto, and ours) are in <see cref="ProvingVsAesBenchmarks"/>;
/// run both with <c>--filter '*Proving*'</c>.
/// </summary>
[MemoryDiagnoser(false)]
[Config(typeof(ThroughputConfig))]
public class ProvingBenchmarks
{
    internal const int DataSize = 64 << 20;
    private byte[] _data = [];
    private PostDataSource _source = null!;
    private ProvingPass _pass = null!;
    private IProvingScanner _scanner = null!;
    private ProvingOptions _options = null!;

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
        _pass = ProvingPass.Create(Challenge.Zero, 0, Nonces, new ulong[Nonces / ProvingConstants.NoncesPerGroup], 0);
        _scanner = new ProvingScannerFactory().Create(_pass);
        _options = new ProvingOptions { Nonces = Nonces, Threads = Threads, BatchSize = 1 << 20 };
    }

    [Benchmark(Description = "prove 64 MiB (difficulty 0)")]
    [BytesPerOperation(DataSize)]
    public long Scan() => PostProver.ScanOnce(_source, _pass, _scanner, NoHits.Instance, _options);

    internal sealed class NoHits : ILabelHitSink
    {
        public static readonly NoHits Instance = new();

        public bool OnGoodLabel(uint nonce, ulong index) => false;
    }
}
