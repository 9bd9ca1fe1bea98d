using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Metadata = Prover.Contracts.Spacemesh.V1.Metadata;
using Proof = Prover.Core.Proving.Proof;

namespace Prover.Node.PostService;

/// <summary>Settings of the node-side PostService (go-spacemesh <c>api/grpcserver/post_service.go</c>).</summary>
public sealed record PostServiceRegistryOptions
{
    /// <summary>How often a <c>GenProofRequest</c> is sent again while the prover works (go-spacemesh: 2 s).</summary>
    public TimeSpan QueryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether <c>Register</c> calls are accepted at start; go-spacemesh refuses them (FailedPrecondition)
    /// until smeshing is configured with a coinbase. See <see cref="PostServiceRegistry.AllowConnections"/>.</summary>
    public bool AllowConnections { get; init; } = true;
}

/// <summary>
/// The node's side of <c>spacemesh.v1.PostService/Register</c>, free of any web framework: provers connect, the node
/// asks each for its metadata and keys the stream by node id (one stream per identity; a second one is refused with
/// "post service already registered"), and <see cref="GenerateProofAsync"/> sends <c>GenProofRequest</c> every
/// <see cref="PostServiceRegistryOptions.QueryInterval"/> until the proof (with the challenge echoed) or an error comes
/// back. Commands on one stream are strictly one request, one response. Node.Host's gRPC service class hands each
/// Register call to <see cref="ServeAsync"/>.
/// </summary>
public sealed class PostServiceRegistry : IPostProofSource
{
    private readonly PostServiceRegistryOptions _options;
    private readonly ConcurrentDictionary<NodeId, Connection> _connections = new();
    private readonly ConcurrentDictionary<NodeId, byte> _proving = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private volatile bool _allowConnections;

    /// <summary>Creates the registry.</summary>
    public PostServiceRegistry(PostServiceRegistryOptions? options = null)
    {
        _options = options ?? new PostServiceRegistryOptions();
        if (_options.QueryInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "the query interval must be positive");
        _allowConnections = _options.AllowConnections;
    }

    /// <summary>Raised for connections, refusals, disconnections and proofs (on the thread that saw them).</summary>
    public event EventHandler<PostServiceEvent>? StatusChanged;

    /// <summary>Whether new <c>Register</c> calls are accepted (go-spacemesh's <c>AllowConnections</c>); streams
    /// already open stay.</summary>
    public bool AllowConnections
    {
        get => _allowConnections;
        set => _allowConnections = value;
    }

    /// <summary>The identities with a connected prover.</summary>
    public IReadOnlyCollection<NodeId> ConnectedIdentities => [.. _connections.Keys];

    /// <summary>Whether a proof is being asked of <paramref name="identity"/>'s prover now (PostInfoService's PROVING).</summary>
    public bool IsProving(NodeId identity) => _proving.ContainsKey(identity);

    /// <inheritdoc/>
    public bool Connected(NodeId identity) => _connections.TryGetValue(identity, out var c) && !c.IsClosed;

    /// <inheritdoc/>
    public async Task WaitForConnectionAsync(NodeId identity, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (Connected(identity)) return;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Serves one <c>Register</c> stream until the prover goes away or <paramref name="aborted"/> fires: asks for the
    /// metadata, registers the identity, then carries the node's commands.
    /// </summary>
    /// <exception cref="RpcException">FailedPrecondition while connections are not allowed; AlreadyExists for a second
    /// stream of a connected identity; InvalidArgument for a malformed metadata answer.</exception>
    public async Task ServeAsync(IAsyncStreamReader<ServiceResponse> responses, IAsyncStreamWriter<NodeRequest> requests, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(requests);
        if (!_allowConnections) throw new RpcException(new Status(StatusCode.FailedPrecondition, "node is not ready to accept connections"));

        var connection = new Connection(responses, requests, aborted);
        ServiceResponse answer;
        try
        {
            answer = await connection.RequestAsync(new NodeRequest { Metadata = new MetadataRequest() }, aborted).ConfigureAwait(false);
        }
        catch (PostServiceUnavailableException)
        {
            return; // the prover left before it said who it is
        }

        if (answer.KindCase != ServiceResponse.KindOneofCase.Metadata)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"expected a metadata response, got {answer.KindCase}"));
        }

        if (!TryReadInfo(answer.Metadata.Meta, out var info, out var why))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, why));
        }

        connection.Info = info;
        var identity = info.NodeId;
        if (!_connections.TryAdd(identity, connection))
        {
            Raise(PostServiceEventKind.RefusedDuplicate, identity, "post service already registered");
            throw new RpcException(new Status(StatusCode.AlreadyExists, "post service already registered"));
        }

        Raise(PostServiceEventKind.Connected, identity, $"{info.NumUnits} units, commitment ATX {info.CommitmentAtxId}");
        Signal();
        try
        {
            await connection.Closed.WaitAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            connection.Close();
            _connections.TryRemove(new KeyValuePair<NodeId, Connection>(identity, connection));
            Raise(PostServiceEventKind.Disconnected, identity, "the post service's stream ended");
            Signal();
        }
    }

    /// <inheritdoc/>
    public async Task<PostInfo> InfoAsync(NodeId identity, CancellationToken cancellationToken)
    {
        var connection = Find(identity);
        var answer = await connection.RequestAsync(new NodeRequest { Metadata = new MetadataRequest() }, cancellationToken).ConfigureAwait(false);
        if (answer.KindCase != ServiceResponse.KindOneofCase.Metadata)
        {
            throw new PostProofFailedException($"expected a metadata response, got {answer.KindCase}");
        }

        if (!TryReadInfo(answer.Metadata.Meta, out var info, out var why))
        {
            throw new PostProofFailedException(why);
        }

        return info;
    }

    /// <inheritdoc/>
    public async Task<PostProofResult> GenerateProofAsync(NodeId identity, Challenge challenge, CancellationToken cancellationToken)
    {
        var connection = Find(identity);
        if (!_proving.TryAdd(identity, 0))
        {
            throw new InvalidOperationException($"a proof for {identity} is already being asked for");
        }

        Raise(PostServiceEventKind.ProofStarted, identity, $"challenge {challenge}");
        try
        {
            var request = new NodeRequest { GenProof = new GenProofRequest { Challenge = ByteString.CopyFrom(challenge.Span) } };
            while (true)
            {
                var answer = await connection.RequestAsync(request, cancellationToken).ConfigureAwait(false);
                if (answer.KindCase != ServiceResponse.KindOneofCase.GenProof)
                {
                    throw new PostProofFailedException($"expected a proof response, got {answer.KindCase}");
                }

                var response = answer.GenProof;
                if (response.Status != GenProofStatus.Ok)
                {
                    throw new PostProofFailedException($"the post service of {identity} failed to generate a proof (status {response.Status})");
                }

                if (response.Proof is null)
                {
                    // In progress: ask again after the interval, unless the prover leaves meanwhile.
                    await Task.WhenAny(Task.Delay(_options.QueryInterval, cancellationToken), connection.Closed).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                var result = ReadProof(identity, challenge, response);
                Raise(PostServiceEventKind.ProofCompleted, identity, $"challenge {challenge}, nonce {result.Proof.Nonce}");
                return result;
            }
        }
        catch (Exception e) when (e is PostServiceUnavailableException or PostProofFailedException)
        {
            Raise(PostServiceEventKind.ProofFailed, identity, e.Message);
            throw;
        }
        finally
        {
            _proving.TryRemove(identity, out _);
        }
    }

    private static PostProofResult ReadProof(NodeId identity, Challenge challenge, GenProofResponse response)
    {
        if (response.Metadata is null || !response.Metadata.Challenge.Span.SequenceEqual(challenge.Span))
        {
            throw new PostProofFailedException(
                $"the post service of {identity} answered for challenge {(response.Metadata is null ? "(none)" : Convert.ToHexStringLower(response.Metadata.Challenge.Span))}, not {challenge}");
        }

        if (!TryReadInfo(response.Metadata.Meta, out var info, out var why))
        {
            throw new PostProofFailedException($"the proof's metadata is malformed: {why}");
        }

        if (info.NodeId != identity)
        {
            throw new PostProofFailedException($"the proof is for identity {info.NodeId}, not {identity}");
        }

        return new PostProofResult(challenge, new Proof(response.Proof.Nonce, response.Proof.Indices.ToByteArray(), response.Proof.Pow), info);
    }

    private static bool TryReadInfo(Metadata? meta, out PostInfo info, out string why)
    {
        info = null!;
        if (meta is null)
        {
            why = "the metadata is missing";
            return false;
        }

        if (meta.NodeId.Length != 32 || meta.CommitmentAtxId.Length != 32)
        {
            why = $"node_id and commitment_atx_id must be 32 bytes, got {meta.NodeId.Length} and {meta.CommitmentAtxId.Length}";
            return false;
        }

        info = new PostInfo(new NodeId(meta.NodeId.Span), new AtxId(meta.CommitmentAtxId.Span), meta.HasNonce ? meta.Nonce : null,
            meta.NumUnits, meta.LabelsPerUnit);
        why = string.Empty;
        return true;
    }

    private Connection Find(NodeId identity) =>
        _connections.TryGetValue(identity, out var connection) && !connection.IsClosed
            ? connection
            : throw new PostServiceUnavailableException($"no post service is connected for identity {identity}");

    private void Raise(PostServiceEventKind kind, NodeId identity, string detail) =>
        StatusChanged?.Invoke(this, new PostServiceEvent(kind, identity, detail));

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = NewSignal();
        }

        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One prover's stream: one command at a time, closed for good on the first broken read or write. Its
    /// semaphore is never disposed: a command may still be finishing when the stream's call ends.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without a wait handle holds nothing to release, and disposing it could fault a command still finishing")]
    private sealed class Connection(IAsyncStreamReader<ServiceResponse> responses, IAsyncStreamWriter<NodeRequest> requests,
        CancellationToken aborted)
    {
        private readonly SemaphoreSlim _oneCommand = new(1, 1);
        private readonly TaskCompletionSource _closed = NewSignal();

        public PostInfo? Info { get; set; }

        public Task Closed => _closed.Task;

        public bool IsClosed => _closed.Task.IsCompleted || aborted.IsCancellationRequested;

        public void Close() => _closed.TrySetResult();

        public async Task<ServiceResponse> RequestAsync(NodeRequest request, CancellationToken cancellationToken)
        {
            await _oneCommand.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (IsClosed) throw Gone(null);
                using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted);
                try
                {
                    await requests.WriteAsync(request, both.Token).ConfigureAwait(false);
                    if (await responses.MoveNext(both.Token).ConfigureAwait(false)) return responses.Current;
                    Close();
                    throw Gone(null);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
                {
                    // Either the stream is broken or it was aborted: a half-done command leaves it unusable.
                    Close();
                    throw Gone(e);
                }
                catch (OperationCanceledException)
                {
                    // The caller gave up mid-command: the response it would have read is lost, so is the stream.
                    Close();
                    throw;
                }
            }
            finally
            {
                _oneCommand.Release();
            }
        }

        private PostServiceUnavailableException Gone(Exception? inner)
        {
            var who = Info is null ? "the post service" : $"the post service of {Info.NodeId}";
            var message = $"{who} disconnected";
            return inner is null ? new PostServiceUnavailableException(message) : new PostServiceUnavailableException($"{message}: {inner.Message}", inner);
        }
    }
}
