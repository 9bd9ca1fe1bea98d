using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Prover.Core.Pow;
using Prover.Core.Proving;

namespace Prover.Bench.Core;

/// <summary>
/// RandomX k2pow hash rate through the real search (<see cref="K2Pow.ProveRange"/>: one VM per thread, pipelined
/// hashing of 48-byte k2pow inputs) with a difficulty nothing meets, so exactly the requested number of candidates is
/// hashed; and what that rate means for a proof of the mainnet minimum: expected hashes per nonce group =
/// 2^256 / (mainnet per-unit difficulty / 4) (spec §5.1), nonces/16 groups per pass.
/// </summary>
internal static class K2PowBench
{
    public static K2PowBenchResult NewResult()
    {
        int units = BenchUnits.MainnetMinUnits;
        byte[] scaled = K2PowDifficulty.Scale(ProofConfig.MainnetPowDifficulty, (ulong)units);
        return new K2PowBenchResult
        {
            DifficultyPerUnit = Convert.ToHexStringLower(ProofConfig.MainnetPowDifficulty),
            NumUnits = units,
            ExpectedHashesPerGroup = ExpectedHashes(scaled),
        };
    }

    /// <summary>2^256 / difficulty (the mean number of uniform 256-bit hashes until one is below it).</summary>
    public static double ExpectedHashes(ReadOnlySpan<byte> difficulty32)
    {
        var difficulty = new BigInteger(difficulty32, isUnsigned: true, isBigEndian: true);
        return difficulty.IsZero ? double.PositiveInfinity : Math.Pow(2, 256) / (double)difficulty;
    }

    /// <summary>Measures one mode over the backend's (already built) context, for each thread count of the settings.</summary>
    public static void Measure(K2PowBackend k2pow, BenchSettings settings, K2PowBenchResult result, K2PowModeResult mode,
        ILogger log, CancellationToken cancellationToken)
    {
        RandomXContext context = k2pow.GetContext(cancellationToken);
        mode.InitSeconds = context.InitTime.TotalSeconds;
        mode.Flags = context.Flags.ToString();
        var miner = new byte[32];
        var challenge8 = new byte[8];
        Random.Shared.NextBytes(miner);
        Random.Shared.NextBytes(challenge8);
        var impossible = new byte[32]; // no hash is below 0: every candidate of the range is hashed
        ulong next = 0;
        foreach (int threads in settings.ThreadCounts)
        {
            var pow = k2pow.CreateLocal(threads);

            // Calibration (also warms up the VMs): probes growing 4× until one takes a tenth of the budget, then a
            // run sized to the budget.
            ulong probe = (ulong)(4 * threads);
            double rate0;
            while (true)
            {
                long t0 = Stopwatch.GetTimestamp();
                pow.ProveRange(1, challenge8, impossible, miner, next, next + probe, cancellationToken);
                double elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                next += probe;
                rate0 = probe / elapsed;
                if (elapsed >= settings.K2PowBudget / 10)
                {
                    break;
                }

                probe *= 4;
            }

            ulong hashes = Math.Max((ulong)threads, (ulong)(rate0 * settings.K2PowBudget) / (ulong)threads * (ulong)threads);
            long t1 = Stopwatch.GetTimestamp();
            pow.ProveRange(1, challenge8, impossible, miner, next, next + hashes, cancellationToken);
            double seconds = Stopwatch.GetElapsedTime(t1).TotalSeconds;
            next += hashes;
            var rate = new K2PowRate(threads, threads == 1 ? "1" : "all", (long)hashes, seconds);
            mode.Rates.Add(rate);
            log.K2PowRate(mode.Mode, threads, hashes, seconds, rate.HashesPerSecond);
        }

        double best = mode.Rates[^1].HashesPerSecond;
        foreach (int nonces in settings.Nonces)
        {
            int groups = nonces / ProvingConstants.NoncesPerGroup;
            mode.MinutesPerProof[nonces] = groups * result.ExpectedHashesPerGroup / best / 60;
        }

        mode.Status = BenchStatus.Ok;
    }

    /// <summary>Logs dataset-build progress every 10%.</summary>
    internal sealed class DatasetProgress(ILogger log) : IProgress<double>
    {
        private int _reported;

        public void Report(double value)
        {
            int tenth = (int)(value * 10);
            int seen = Volatile.Read(ref _reported);
            while (tenth > seen)
            {
                if (Interlocked.CompareExchange(ref _reported, tenth, seen) == seen)
                {
                    log.DatasetProgress(tenth * 10);
                    return;
                }

                seen = Volatile.Read(ref _reported);
            }
        }
    }
}
