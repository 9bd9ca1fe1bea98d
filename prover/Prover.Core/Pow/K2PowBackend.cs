namespace Prover.Core.Pow;

/// <summary>What a <see cref="K2PowBackend"/> computes the k2pows with.</summary>
public sealed record K2PowBackendOptions
{
    /// <summary>
    /// RandomX mode of the local context: fast (~2 GiB dataset) or light (~256 MiB cache, several times slower); same
    /// hashes. With <see cref="RemoteUrl"/> the context only verifies, and is always light.
    /// </summary>
    public RandomXMode Mode { get; init; } = RandomXMode.Fast;

    /// <summary>Threads of the local nonce search; 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    public int Threads { get; init; }

    /// <summary>How the RandomX context is built (large pages, dataset threads, dataset progress); null = defaults.</summary>
    public RandomXContextOptions? RandomX { get; init; }

    /// <summary>Base URL of a k2pow-service (spec §5.2) that computes the pows; null = compute them locally.</summary>
    public Uri? RemoteUrl { get; init; }

    /// <summary>Parallelism, polling backoff, retry limit and retry log of the k2pow-service client; null = its defaults.</summary>
    public RemoteK2PowOptions? Remote { get; init; }

    /// <summary>True when the pows are computed by a k2pow-service.</summary>
    public bool IsRemote => RemoteUrl is not null;

    /// <summary>The mode of the context this backend builds: <see cref="Mode"/> locally, light beside a k2pow-service.</summary>
    public RandomXMode ContextMode => IsRemote ? RandomXMode.Light : Mode;
}

/// <summary>
/// The one place a process gets its k2pow from (spec §5): a local RandomX search (<see cref="K2Pow"/>) or a remote
/// k2pow-service (<see cref="RemoteK2Pow"/>), chosen by <see cref="K2PowBackendOptions"/>, plus a local verifier. The
/// backend holds one <see cref="RandomXContext"/> for every prover and verifier it hands out: built on first use (or
/// up front with <see cref="GetContext"/>) and disposed with the backend, or shared from the caller and left to it.
/// Thread-safe.
/// </summary>
public sealed class K2PowBackend : IDisposable
{
    private readonly Lock _gate = new();
    private readonly bool _ownsContext;
    private readonly RemoteK2Pow? _remote;
    private readonly K2Pow _local;
    private RandomXContext? _context;
    private bool _disposed;

    /// <summary>Creates the backend; nothing expensive happens until a pow, a verification or <see cref="GetContext"/>.</summary>
    /// <param name="options">Local or remote, threads, RandomX mode and flags.</param>
    /// <param name="sharedContext">
    /// A context to use instead of building one (not disposed by the backend). Its mode wins over
    /// <see cref="K2PowBackendOptions.Mode"/>.
    /// </param>
    /// <exception cref="ArgumentException">the remote URL is not an absolute http(s) URL, or a count is negative.</exception>
    public K2PowBackend(K2PowBackendOptions options, RandomXContext? sharedContext = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads, nameof(options));
        Options = options;
        _context = sharedContext;
        _ownsContext = sharedContext is null;
        _local = new K2Pow(GetContext, options.Threads);
        if (options.RemoteUrl is { } url)
        {
            _remote = new RemoteK2Pow(url, options.Remote);
        }
    }

    /// <summary>A local backend over a context the caller keeps (and disposes).</summary>
    public static K2PowBackend Shared(RandomXContext context, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new K2PowBackend(new K2PowBackendOptions { Mode = context.Mode, Threads = threads }, context);
    }

    /// <summary>The options the backend was made with.</summary>
    public K2PowBackendOptions Options { get; }

    /// <summary>True when the pows come from a k2pow-service.</summary>
    public bool IsRemote => _remote is not null;

    /// <summary>True once the RandomX context exists (built here or shared).</summary>
    public bool HasContext
    {
        get
        {
            lock (_gate)
            {
                return _context is not null;
            }
        }
    }

    /// <summary>
    /// The prover: the k2pow-service client when remote, else the local search with
    /// <see cref="K2PowBackendOptions.Threads"/> threads. Both count their work (<see cref="IK2PowMeter"/>). Owned by the
    /// backend: do not dispose it.
    /// </summary>
    public IK2PowProver Prover => (IK2PowProver?)_remote ?? _local;

    /// <summary>The verifier: always local RandomX over the backend's context (light beside a k2pow-service).</summary>
    public IK2PowVerifier Verifier => _local;

    /// <summary>
    /// A local search with its own thread count over the backend's context (to compare thread counts on one dataset).
    /// </summary>
    public K2Pow CreateLocal(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new K2Pow(GetContext, threads);
    }

    /// <summary>
    /// The RandomX context of the local prover and the verifier, built now if it was not yet (light ≈ 1 s, fast ≈ tens
    /// of seconds). A failed or cancelled build is not remembered: the next call tries again.
    /// </summary>
    /// <exception cref="RandomXLibraryNotFoundException">librandomx is not installed.</exception>
    /// <exception cref="InsufficientMemoryException">RandomX could not allocate its cache or dataset.</exception>
    public RandomXContext GetContext(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _context ??= RandomXContext.Create(Options.ContextMode, Options.RandomX, cancellationToken);
        }
    }

    /// <summary>Closes the k2pow-service client and disposes the context when the backend built it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _remote?.Dispose();
            if (_ownsContext)
            {
                _context?.Dispose();
            }

            _context = null;
        }
    }
}
