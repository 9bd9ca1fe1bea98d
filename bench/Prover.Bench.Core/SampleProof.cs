using System.Diagnostics;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Kernels.Simd;

namespace Prover.Bench.Core;

/// <summary>
/// A genuinely valid proof over a small data set made on the spot with the production path: the
/// <see cref="Initializer"/> with the CPU SIMD provider writes the labels, <see cref="PostProver"/> with the AES scanner
/// proves them. Used where a real proof is needed to time verification (<c>post bench</c>, the BenchmarkDotNet suite).
/// </summary>
public static class SampleProof
{
    /// <summary>What <see cref="Build"/> made and how long each step took.</summary>
    public sealed record Built(ProofResult Result, TimeSpan InitTime, TimeSpan ProveTime);

    /// <summary>Initializes <paramref name="dataDir"/> (one file) and proves it against <paramref name="challenge"/>
    /// with 16 nonces per pass, the k2pows from <paramref name="k2pow"/>.</summary>
    public static Built Build(string dataDir, byte[] nodeId, byte[] commitmentAtxId, byte[] challenge, uint numUnits,
        ulong labelsPerUnit, ulong scryptN, ProofConfig config, K2PowBackend k2pow, int threads = 0,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using (var provider = new CpuLabelProvider(threads))
        {
            new Initializer([provider]).Run(new InitOptions
            {
                DataDir = dataDir,
                NodeId = new NodeId(nodeId),
                CommitmentAtxId = new AtxId(commitmentAtxId),
                NumUnits = numUnits,
                LabelsPerUnit = labelsPerUnit,
                MaxFileSize = numUnits * labelsPerUnit * PostDataLayout.LabelSize,
                ScryptN = scryptN,
                VrfDifficulty = VrfDifficulty.Maximum(),
            }, null, cancellationToken);
        }

        TimeSpan init = clock.Elapsed;
        clock.Restart();
        ArgumentNullException.ThrowIfNull(k2pow);
        ProofResult result = new PostProver(new ProvingScannerFactory(), k2pow.Prover)
            .GenerateProofAsync(dataDir, new Challenge(challenge), config, new ProvingOptions { Nonces = 16, Threads = threads }, null,
                cancellationToken)
            .GetAwaiter().GetResult();
        return new Built(result, init, clock.Elapsed);
    }
}
