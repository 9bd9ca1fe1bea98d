using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;

namespace Prover.Service.Proving;

/// <summary>
/// The production provers of <c>post serve</c>: the Core proving pipeline (<see cref="PostProver"/>) over the fastest
/// AES scanner of the kernels, k2pow with RandomX (or a remote k2pow-service), and our own verifier
/// (<see cref="ProofVerifier"/>, mode All) for the self-check. One RandomX context is built on first use and shared by
/// every identity and by the self-check: in fast mode it is the ~2 GiB dataset (hash results are identical in both
/// modes); with a remote k2pow-service only the light cache is built, for verification.
/// </summary>
public sealed class ServiceProvers : IIdentityProverFactory
{
    private readonly PostServiceOptions _options;
    private readonly K2PowBackend _k2pow;
    private readonly PostProver _prover;
    private readonly ProofConfig _proofConfig;
    private readonly ProvingOptions _provingOptions;

    /// <param name="options">The service options.</param>
    /// <param name="sharedRandomX">A RandomX context to use instead of building one (not disposed here).</param>
    public ServiceProvers(PostServiceOptions options, RandomXContext? sharedRandomX = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _k2pow = new K2PowBackend(new K2PowBackendOptions
        {
            Mode = options.RandomXMode,
            Threads = options.Threads,
            RemoteUrl = options.RemoteK2Pow,
            Remote = new RemoteK2PowOptions
            {
                Parallelism = options.RemoteK2PowParallelism,
                Backoff = options.RemoteK2PowBackoff,
            },
        }, sharedRandomX);
        _prover = new PostProver(new ProvingScannerFactory(), _k2pow.Prover);
        _proofConfig = new ProofConfig(options.K1, options.K2, options.K2, options.PowDifficulty);
        _provingOptions = new ProvingOptions { Nonces = options.Nonces, Threads = options.Threads };
    }

    /// <summary>The factory <c>post serve</c> runs with.</summary>
    public static IIdentityProverFactory Create(PostServiceOptions options, IReadOnlyList<PostIdentity> identities) => new ServiceProvers(options);

    /// <summary>The k2pow backend every identity proves and self-checks with.</summary>
    public K2PowBackend K2Pow => _k2pow;

    public IProofGenerator CreateGenerator(PostIdentity identity) => new Generator(this, identity);

    public IProofSelfCheck CreateSelfCheck(PostIdentity identity) => new SelfCheck(this, identity);

    public void Dispose() => _k2pow.Dispose();

    private sealed class Generator(ServiceProvers owner, PostIdentity identity) : IProofGenerator
    {
        public async Task<GeneratedProof> GenerateAsync(Challenge challenge, IProgress<ProverProgress> progress, CancellationToken cancellationToken)
        {
            var adapter = new ProgressAdapter(progress);
            var result = await owner._prover.GenerateProofAsync(identity.DataDir, challenge, owner._proofConfig, owner._provingOptions,
                adapter, cancellationToken);
            return new GeneratedProof(result.Proof.Nonce, result.Proof.Indices, result.Proof.Pow);
        }
    }

    private sealed class ProgressAdapter(IProgress<ProverProgress> inner) : IProgress<ProvingProgress>
    {
        public void Report(ProvingProgress value) => inner.Report(new ProverProgress(value.Pass, value.NonceStart, value.NonceEnd,
            value.BytesScanned, value.Position, value.Elapsed));
    }

    /// <summary>post-service's check before sending (spec §8.3): mode All, InitConfig min = max = the data's units.</summary>
    private sealed class SelfCheck(ServiceProvers owner, PostIdentity identity) : IProofSelfCheck
    {
        public string? Check(GeneratedProof proof, Challenge challenge)
        {
            var m = identity.Metadata;
            var init = new InitConfig(m.NumUnits, m.NumUnits, m.LabelsPerUnit, owner._options.ScryptN);
            var verifier = new ProofVerifier(owner._proofConfig, init, owner._k2pow.Verifier);
            var error = verifier.Verify(new Proof(proof.Nonce, proof.Indices, proof.Pow),
                new ProofMetadata(m.NodeId, m.CommitmentAtxId, challenge, m.NumUnits), VerifyMode.All);
            return error?.ToString();
        }
    }
}
