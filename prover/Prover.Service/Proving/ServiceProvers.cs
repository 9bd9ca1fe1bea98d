using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;
using Prover.Core.Primitives;

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
    private readonly Lazy<RandomXContext> _randomx;
    private readonly IK2PowProver _pow;
    private readonly RemoteK2Pow? _remote;
    private readonly PostProver _prover;
    private readonly ProofConfig _proofConfig;
    private readonly ProvingOptions _provingOptions;

    private readonly bool _ownsRandomX;

    /// <param name="options">The service options.</param>
    /// <param name="sharedRandomX">A RandomX context to use instead of building one (not disposed here).</param>
    public ServiceProvers(PostServiceOptions options, RandomXContext? sharedRandomX = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var mode = options.RemoteK2Pow is null ? options.RandomXMode : RandomXMode.Light;
        _ownsRandomX = sharedRandomX is null;
        _randomx = sharedRandomX is null
            ? new Lazy<RandomXContext>(() => RandomXContext.Create(mode), LazyThreadSafetyMode.ExecutionAndPublication)
            : new Lazy<RandomXContext>(sharedRandomX);
        if (options.RemoteK2Pow is { } url)
        {
            _remote = new RemoteK2Pow(url, new RemoteK2PowOptions
            {
                Parallelism = options.RemoteK2PowParallelism,
                Backoff = options.RemoteK2PowBackoff,
            });
            _pow = _remote;
        }
        else
        {
            _pow = new LocalK2Pow(_randomx, options.Threads);
        }

        _prover = new PostProver(new ProvingScannerFactory(), _pow);
        _proofConfig = new ProofConfig(options.K1, options.K2, options.K2, options.PowDifficulty);
        _provingOptions = new ProvingOptions { Nonces = options.Nonces, Threads = options.Threads };
    }

    /// <summary>The factory <c>post serve</c> runs with.</summary>
    public static IIdentityProverFactory Create(PostServiceOptions options, IReadOnlyList<PostIdentity> identities) => new ServiceProvers(options);

    /// <summary>The shared RandomX context (built on first use).</summary>
    public RandomXContext RandomX => _randomx.Value;

    public IProofGenerator CreateGenerator(PostIdentity identity) => new Generator(this, identity);

    public IProofSelfCheck CreateSelfCheck(PostIdentity identity) => new SelfCheck(this, identity);

    public void Dispose()
    {
        _remote?.Dispose();
        if (_ownsRandomX && _randomx.IsValueCreated)
        {
            _randomx.Value.Dispose();
        }
    }

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
            var verifier = new ProofVerifier(owner._proofConfig, init, new K2Pow(owner._randomx.Value, 1));
            var error = verifier.Verify(new Proof(proof.Nonce, proof.Indices, proof.Pow),
                new ProofMetadata(m.NodeId, m.CommitmentAtxId, challenge, m.NumUnits), VerifyMode.All);
            return error?.ToString();
        }
    }

    /// <summary>Local RandomX k2pow on the shared context, built on the first pow.</summary>
    private sealed class LocalK2Pow(Lazy<RandomXContext> context, int threads) : IK2PowProver
    {
        private K2Pow Pow => new(context.Value, threads);

        public ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32, ReadOnlySpan<byte> minerId32,
            CancellationToken cancellationToken = default) =>
            Pow.Prove(nonceGroup, challenge8, difficulty32, minerId32, cancellationToken);

        public Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8, ReadOnlyMemory<byte> difficulty32,
            ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default) =>
            Pow.ProveManyAsync(nonceGroups, challenge8, difficulty32, minerId32, cancellationToken);
    }
}
