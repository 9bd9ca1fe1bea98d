using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;

namespace Prover.Bench.Core;

/// <summary>
/// Verification time of a genuinely valid, mainnet-shaped proof (k2 = 37 labels at N = 8192, RandomX light k2pow).
/// A tiny dataset is initialized with the real <see cref="Initializer"/> and the CPU provider, proved with
/// <see cref="PostProver"/> (k1 chosen so that the first pass finds a proof, an easy k2pow difficulty), and
/// <see cref="ProofVerifier"/> is timed in All, Subset (mainnet k3) and One modes. Per proof the verifier recomputes the
/// selected labels with the scalar reference and checks one RandomX hash, whatever k1 and the k2pow difficulty are.
/// </summary>
internal static class VerifyBench
{
    public const uint NumUnits = 4;
    public const ulong LabelsPerUnit = 256;

    /// <summary>With 1024 labels, k1 = 96 gives each nonce ~96 good labels: a proof of 37 is found in the first pass.</summary>
    public const uint K1 = 96;

    public static void Run(RandomXContext light, BenchSettings settings, VerifyBenchResult result, ILogger log,
        CancellationToken cancellationToken)
    {
        ulong n = BenchSettings.MainnetScryptN;
        var config = new ProofConfig(K1, ProofConfig.Mainnet.K2, ProofConfig.Mainnet.K3, Enumerable.Repeat((byte)0xFF, 32).ToArray());
        var initConfig = new InitConfig(1, uint.MaxValue, LabelsPerUnit, n);
        result.K1 = config.K1;
        result.K2 = config.K2;
        result.ScryptN = n;
        result.DatasetLabels = NumUnits * LabelsPerUnit;
        result.RandomXLightInitSeconds = light.InitTime.TotalSeconds;
        result.What = string.Create(CultureInfo.InvariantCulture,
            $"ProofVerifier.Verify of a valid proof with k2={config.K2} indices at N={n} and a RandomX light k2pow check, built here: " +
            $"{NumUnits} units × {LabelsPerUnit} labels initialized at N={n} by the Initializer with the CPU provider, proved by PostProver " +
            $"with k1={config.K1} (so the first pass finds a proof) and k2pow difficulty FF…FF per unit. Each call recomputes the selected " +
            $"labels with the scalar reference and hashes once with RandomX light; the light cache build ({light.InitTime.TotalSeconds:F2} s, once per process) is not included.");

        string dir = Path.Combine(settings.DiskDirectory, $"post-bench-verify-{Guid.NewGuid():N}");
        try
        {
            var rng = new Random();
            var nodeId = new byte[32];
            var atx = new byte[32];
            var challenge = new byte[32];
            rng.NextBytes(nodeId);
            rng.NextBytes(atx);
            rng.NextBytes(challenge);
            using var k2pow = K2PowBackend.Shared(light, settings.Threads);
            SampleProof.Built built = SampleProof.Build(dir, nodeId, atx, challenge, NumUnits, LabelsPerUnit, n, config,
                k2pow, settings.Threads, cancellationToken);
            ProofResult proof = built.Result;
            result.DatasetInitSeconds = built.InitTime.TotalSeconds;
            result.ProveSeconds = built.ProveTime.TotalSeconds;
            log.VerifySample(result.DatasetLabels, n, result.DatasetInitSeconds, proof.Proof.Nonce, proof.Proof.Pow, result.ProveSeconds);

            var verifier = new ProofVerifier(config, initConfig, k2pow.Verifier);
            if (verifier.Verify(proof.Proof, proof.Metadata, VerifyMode.All) is { } error)
            {
                result.Status = BenchStatus.Failed($"the proof built here does not verify: {error}");
                return;
            }

            // The verifier must also reject: another nonce of the same group has the same (valid) pow but other scores.
            var tampered = proof.Proof with { Nonce = proof.Proof.Nonce ^ 1 };
            if (verifier.Verify(tampered, proof.Metadata, VerifyMode.All) is null)
            {
                result.Status = BenchStatus.Failed("the verifier accepted a proof whose nonce was changed");
                return;
            }

            var seed = new byte[32];
            rng.NextBytes(seed);
            var modes = new (string Name, VerifyMode Mode, int Labels)[]
            {
                ("all", VerifyMode.All, (int)config.K2),
                ("subset", VerifyMode.Subset((int)config.K3, seed), (int)Math.Min(config.K3, config.K2)),
                ("one", VerifyMode.One(0), 1),
            };
            double perMode = settings.VerifyBudget / modes.Length;
            foreach ((string name, VerifyMode mode, int labels) in modes)
            {
                var samples = new List<double>();
                var total = Stopwatch.StartNew();
                do
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long started = Stopwatch.GetTimestamp();
                    VerifyError? outcome = verifier.Verify(proof.Proof, proof.Metadata, mode);
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                    if (outcome is not null)
                    {
                        result.Status = BenchStatus.Failed($"verification in mode {name} failed: {outcome}");
                        return;
                    }
                }
                while (total.Elapsed.TotalSeconds < perMode && samples.Count < 1000);

                var spread = Spread.Of(samples);
                result.Modes.Add(new VerifyModeResult(name, labels, samples.Count, spread));
                log.VerifyMode(name, labels, spread.Median * 1000, samples.Count);
            }

            result.Status = BenchStatus.Ok;
        }
        finally
        {
            InitBench.TryDelete(dir);
        }
    }
}
