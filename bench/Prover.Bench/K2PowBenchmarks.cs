using BenchmarkDotNet.Attributes;
using Prover.Core.Pow;

namespace Prover.Bench;

/// <summary>
/// RandomX k2pow hashing (spec §5.1) in light mode (256 MiB cache) and fast mode (~2 GiB dataset, built once in the
/// global setup: tens of seconds on few cores). <see cref="Hash"/> is one hash of a 48-byte k2pow input on one VM;
/// <see cref="Search"/> is the real search of <see cref="K2Pow.ProveRange"/> over <see cref="Candidates"/> candidates on
/// one thread (pipelined hashing, a difficulty nothing meets), reported per candidate, which is what <c>post bench</c>
/// times. hashes/s = 1 s / Mean.
/// <c>dotnet run -c Release --project bench/Prover.Bench -- --filter '*K2Pow*' --job short</c>.
/// </summary>
[MinIterationCount(3)]
[MaxIterationCount(10)]
[WarmupCount(1)]
#pragma warning disable CA1001 // the context and VM are disposed in [GlobalCleanup], BenchmarkDotNet's lifetime hook
public class K2PowBenchmarks
#pragma warning restore CA1001
{
    public const int Candidates = 16;

    private readonly byte[] _input = new byte[K2Pow.InputSize];
    private readonly byte[] _hash = new byte[RandomXVm.HashSize];
    private readonly byte[] _miner = Enumerable.Repeat((byte)7, 32).ToArray();
    private readonly byte[] _challenge = new byte[8];
    private readonly byte[] _impossible = new byte[32];
    private RandomXContext? _context;
    private RandomXVm? _vm;
    private K2Pow? _pow;
    private ulong _nonce;

    [Params(RandomXMode.Light, RandomXMode.Fast)]
    public RandomXMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _context = RandomXContext.Create(Mode);
        _vm = _context.CreateVm();
        _pow = new K2Pow(_context, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _vm?.Dispose();
        _context?.Dispose();
    }

    [Benchmark]
    public byte Hash()
    {
        K2Pow.BuildInput(++_nonce, 3, _challenge, _miner, _input);
        _vm!.Hash(_input, _hash);
        return _hash[0];
    }

    [Benchmark(OperationsPerInvoke = Candidates)]
    public ulong? Search()
    {
        ulong start = _nonce;
        _nonce += Candidates;
        return _pow!.ProveRange(3, _challenge, _impossible, _miner, start, start + Candidates);
    }
}
