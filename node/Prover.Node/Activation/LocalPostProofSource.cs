using System.Collections.Concurrent;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Node.PostService;

namespace Prover.Node.Activation;

/// <summary>
/// The local prover: each identity's PoST data lives in its own directory, proofs come from Prover.Core's
/// <see cref="PostProver"/>. Proofs run one at a time (the machine's cores are shared by all identities).
/// </summary>
public sealed class LocalPostProofSource : IPostProofSource, IDisposable
{
    private readonly ConcurrentDictionary<NodeId, string> _dirs = new();
    private readonly PostProver _prover;
    private readonly ProofConfig _config;
    private readonly ProvingOptions _options;
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>A source proving with <paramref name="prover"/> under <paramref name="config"/>.</summary>
    public LocalPostProofSource(PostProver prover, ProofConfig config, ProvingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prover);
        ArgumentNullException.ThrowIfNull(config);
        _prover = prover;
        _config = config;
        _options = options ?? new ProvingOptions();
    }

    /// <summary>Reports proving progress of the identity being proved.</summary>
    public event Action<NodeId, ProvingProgress>? Progress;

    /// <summary>Adds (or replaces) the PoST directory of <paramref name="identity"/>.</summary>
    public void Add(NodeId identity, string dataDir) => _dirs[identity] = dataDir;

    /// <inheritdoc />
    public bool Connected(NodeId identity) => _dirs.TryGetValue(identity, out var dir) && PostMetadata.Exists(dir);

    /// <inheritdoc />
    public Task WaitForConnectionAsync(NodeId identity, CancellationToken cancellationToken) =>
        Connected(identity) ? Task.CompletedTask : throw new PostServiceUnavailableException($"no PoST data for {identity}");

    /// <inheritdoc />
    public Task<PostInfo> InfoAsync(NodeId identity, CancellationToken cancellationToken) =>
        Task.FromResult(Info(identity, Dir(identity)));

    /// <inheritdoc />
    public async Task<PostProofResult> GenerateProofAsync(NodeId identity, Challenge challenge, CancellationToken cancellationToken)
    {
        var dir = Dir(identity);
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var progress = new Progress<ProvingProgress>(p => Progress?.Invoke(identity, p));
            var result = await Task.Run(
                () => _prover.GenerateProofAsync(dir, challenge, _config, _options, progress, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return new PostProofResult(challenge, result.Proof, Info(identity, dir));
        }
        catch (ProvingException e)
        {
            throw new PostProofFailedException(e.Message, e);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _one.Dispose();

    private string Dir(NodeId identity) =>
        _dirs.TryGetValue(identity, out var dir) ? dir : throw new PostServiceUnavailableException($"no PoST data for {identity}");

    private static PostInfo Info(NodeId identity, string dir)
    {
        var m = PostMetadata.Load(dir);
        return new PostInfo(identity, m.CommitmentAtxId, m.Nonce, m.NumUnits, m.LabelsPerUnit);
    }
}

/// <summary>Initializes an identity's PoST data on first start (NODE.md §6 standalone: commitment = golden ATX).</summary>
public static class PostSetup
{
    /// <summary>The VRF difficulty the node initializes with: every label qualifies, so the nonce is found at once.</summary>
    public static byte[] EasyVrfDifficulty { get; } = Enumerable.Repeat((byte)0xff, 32).ToArray();

    /// <summary>
    /// Initializes (or resumes) the PoST data of <paramref name="identity"/> in <paramref name="dataDir"/> with the
    /// commitment ATX <paramref name="commitment"/>; a complete directory is left as it is.
    /// </summary>
    public static InitResult Initialize(IReadOnlyList<ILabelProvider> providers, string dataDir, NodeId identity,
        AtxId commitment, InitConfig init, uint numUnits, IProgress<InitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(init);
        Directory.CreateDirectory(dataDir);
        var options = new InitOptions
        {
            DataDir = dataDir,
            NodeId = identity,
            CommitmentAtxId = commitment,
            NumUnits = numUnits,
            LabelsPerUnit = init.LabelsPerUnit,
            MaxFileSize = init.LabelsPerUnit * numUnits * PostMetadata.LabelSize,
            ScryptN = init.ScryptN,
            VrfDifficulty = EasyVrfDifficulty,
        };
        return new Initializer(providers).Run(options, progress, cancellationToken);
    }
}
