using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Node.Validation;

namespace Prover.Node.Transport;

/// <summary>Settings of <see cref="AtxSync"/>.</summary>
public sealed record AtxSyncOptions
{
    /// <summary>The first publish epoch asked for (earlier epochs hold no ATXs on this network).</summary>
    public uint FirstEpoch { get; init; }

    /// <summary>
    /// Validates (and on accept stores) a malfeasance proof fetched by sync: the handler of the
    /// <see cref="Topics.Malfeasance"/> topic. Null: malfeasance proofs are not synced.
    /// </summary>
    public GossipHandler? MalfeasanceHandler { get; init; }

    /// <summary>Sync in the background when a peer (re)connects (needs a transport implementing
    /// <see cref="IPeerEvents"/>).</summary>
    public bool SyncOnConnect { get; init; } = true;
}

/// <summary>What one sync run did.</summary>
/// <param name="Peers">Peers asked.</param>
/// <param name="AtxsFetched">ATX blobs fetched (ids this node lacked).</param>
/// <param name="AtxsAccepted">Fetched ATXs the ATX handler accepted.</param>
/// <param name="AtxsRefused">Fetched ATXs the handler ignored or rejected, or whose blob did not match its id.</param>
/// <param name="PoetProofsFetched">PoET proofs fetched (and stored) for them.</param>
/// <param name="MalfeasanceAccepted">Malfeasance proofs fetched that the malfeasance handler accepted.</param>
/// <param name="Failures">Requests that failed (peer gone, timeout, error).</param>
public sealed record AtxSyncReport(int Peers, int AtxsFetched, int AtxsAccepted, int AtxsRefused, int PoetProofsFetched,
    int MalfeasanceAccepted, int Failures);

/// <summary>
/// ATX sync over an <see cref="IRequester"/> (go-spacemesh's fetch of epoch ATX ids, NODE.md §3.2). It serves
/// <see cref="Protocols.AtxIdsByEpoch"/>, <see cref="Protocols.MalfeasanceIds"/> and, through a
/// <see cref="ByHashRouter"/>, ATX blobs, PoET proofs and malfeasance proofs from the <see cref="NodeStore"/>. On start
/// and whenever a peer (re)connects it asks peers for the ATX ids of every publish epoch up to the current one, fetches
/// the blobs it lacks, oldest epoch first so that previous and positioning ATXs come before the ATXs that name them,
/// fetches each V1 ATX's PoET proof (ATX validation needs it) and hands the blob to the ATX handler: the same delegate
/// the <see cref="Topics.Atx"/> topic uses, so a synced ATX is validated exactly like a gossiped one. Then it fetches
/// the malfeasance proofs it lacks. Encodings are SCALE: epoch u32 LE requests, vectors of 32-byte ids in responses.
/// </summary>
public sealed partial class AtxSync : IDisposable
{
    /// <summary>The most ids one response may carry.</summary>
    public const uint MaxIds = 1 << 20;

    private readonly NodeStore _store;
    private readonly IRequester _requester;
    private readonly GossipHandler _atxHandler;
    private readonly Func<EpochId> _currentEpoch;
    private readonly AtxSyncOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private IPeerEvents? _events;
    private int _backgroundRuns;
    private Task _background = Task.CompletedTask;

    /// <summary>Creates the sync and registers its request handlers on <paramref name="requester"/> and
    /// <paramref name="byHash"/>.</summary>
    /// <param name="store">The node's records, served to peers and checked for what is missing.</param>
    /// <param name="requester">The transport.</param>
    /// <param name="byHash">The transport's <see cref="Protocols.ByHash"/> router.</param>
    /// <param name="atxHandler">The <see cref="Topics.Atx"/> topic's handler (validates and stores an ATX blob).</param>
    /// <param name="currentEpoch">The current epoch (the last publish epoch asked for).</param>
    public AtxSync(NodeStore store, IRequester requester, ByHashRouter byHash, GossipHandler atxHandler, Func<EpochId> currentEpoch,
        AtxSyncOptions? options = null, ILogger<AtxSync>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(requester);
        ArgumentNullException.ThrowIfNull(byHash);
        ArgumentNullException.ThrowIfNull(atxHandler);
        ArgumentNullException.ThrowIfNull(currentEpoch);
        _store = store;
        _requester = requester;
        _atxHandler = atxHandler;
        _currentEpoch = currentEpoch;
        _options = options ?? new AtxSyncOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;

        requester.Handle(Protocols.AtxIdsByEpoch, ServeAtxIds);
        requester.Handle(Protocols.MalfeasanceIds, ServeMalfeasanceIds);
        byHash.Register(FetchHint.Atx, Hash32.Length, hash =>
            _store.GetAtxBlob(new AtxId(hash.Span)) is { Format: > 0 } blob ? blob.Bytes.ToArray() : null);
        byHash.Register(FetchHint.PoetProof, Hash32.Length, hash => _store.GetPoetProof(new Hash32(hash.Span)));
        byHash.Register(FetchHint.Malfeasance, Hash32.Length, hash =>
            _store.GetMalfeasanceProof(new NodeId(hash.Span)) is { } record ? record.Proof.ToArray() : null);
    }

    /// <summary>Background sync runs started by a (re)connect so far (started, not necessarily finished).</summary>
    public int BackgroundRuns => Volatile.Read(ref _backgroundRuns);

    /// <summary>
    /// Syncs from the peers connected now and, when <paramref name="events"/> is given and
    /// <see cref="AtxSyncOptions.SyncOnConnect"/> is set, again from each peer that (re)connects later.
    /// </summary>
    public Task<AtxSyncReport> StartAsync(IPeerEvents? events, CancellationToken cancellationToken)
    {
        if (events is not null && _options.SyncOnConnect && _events is null)
        {
            _events = events;
            events.PeerConnected += OnPeerConnected;
        }

        return SyncAsync(cancellationToken);
    }

    /// <summary>Waits for the background syncs started so far to finish.</summary>
    public Task WhenIdleAsync()
    {
        lock (_stop) return _background;
    }

    /// <summary>Syncs from every connected peer, one after the other.</summary>
    public async Task<AtxSyncReport> SyncAsync(CancellationToken cancellationToken)
    {
        var total = new AtxSyncReport(0, 0, 0, 0, 0, 0, 0);
        foreach (var peer in _requester.Peers)
        {
            total = Add(total, await SyncFromAsync(peer, cancellationToken).ConfigureAwait(false));
        }

        return total;
    }

    /// <summary>Syncs the ATX ids of every publish epoch up to the current one, then malfeasance proofs, from
    /// <paramref name="peer"/>. One sync runs at a time.</summary>
    public async Task<AtxSyncReport> SyncFromAsync(PeerId peer, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = new Run();
            uint current = _currentEpoch().Value;
            for (uint epoch = _options.FirstEpoch; epoch <= current; epoch++)
            {
                var ids = await AskIdsAsync(peer, Protocols.AtxIdsByEpoch, EpochRequest(epoch), run, cancellationToken).ConfigureAwait(false);
                if (ids is null) break;
                foreach (var id in ids)
                {
                    if (!_store.ContainsAtx(new AtxId(id))) await FetchAtxAsync(peer, new AtxId(id), run, cancellationToken).ConfigureAwait(false);
                }
            }

            if (_options.MalfeasanceHandler is { } malfeasance &&
                await AskIdsAsync(peer, Protocols.MalfeasanceIds, [], run, cancellationToken).ConfigureAwait(false) is { } nodes)
            {
                foreach (var node in nodes)
                {
                    if (_store.IsMalicious(new NodeId(node))) continue;
                    var proof = await FetchAsync(peer, FetchHint.Malfeasance, node.ToArray(), run, cancellationToken).ConfigureAwait(false);
                    if (proof is { Length: > 0 } &&
                        await malfeasance(peer, proof, cancellationToken).ConfigureAwait(false) == GossipVerdict.Accept)
                    {
                        run.MalfeasanceAccepted++;
                    }
                }
            }

            var report = new AtxSyncReport(1, run.Fetched, run.Accepted, run.Refused, run.Poet, run.MalfeasanceAccepted, run.Failures);
            LogSynced(_logger, peer.Address, report.AtxsFetched, report.AtxsAccepted, report.AtxsRefused, report.PoetProofsFetched, report.Failures);
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Stops syncing on (re)connects.</summary>
    public void Dispose()
    {
        if (_events is not null) _events.PeerConnected -= OnPeerConnected;
        _stop.Cancel();
        _stop.Dispose();
        _oneAtATime.Dispose();
    }

    /// <summary>Decodes a SCALE vector of 32-byte ids (an <see cref="Protocols.AtxIdsByEpoch"/> or
    /// <see cref="Protocols.MalfeasanceIds"/> response).</summary>
    /// <exception cref="ScaleDecodeException">Not such a vector, or trailing bytes.</exception>
    public static Hash32[] DecodeIds(ReadOnlySpan<byte> bytes)
    {
        var reader = new ScaleReader(bytes);
        var ids = reader.ReadHash32Vector(MaxIds);
        reader.EnsureEnd();
        return ids;
    }

    /// <summary>The <see cref="Protocols.AtxIdsByEpoch"/> request of <paramref name="epoch"/>: u32 little-endian.</summary>
    public static byte[] EpochRequest(uint epoch)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, epoch);
        return bytes;
    }

    /// <summary>Encodes ids as a SCALE vector.</summary>
    public static byte[] EncodeIds(IReadOnlyList<Hash32> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var writer = new ScaleWriter(4 + 32 * ids.Count);
        try
        {
            writer.WriteHash32Vector([.. ids], MaxIds);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void OnPeerConnected(object? sender, PeerId peer)
    {
        CancellationToken token;
        try
        {
            token = _stop.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        Interlocked.Increment(ref _backgroundRuns);
        lock (_stop)
        {
            var previous = _background;
            _background = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                try
                {
                    await SyncFromAsync(peer, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                }
#pragma warning disable CA1031 // a background sync must not take the process down; the next connect retries
                catch (Exception e)
                {
                    LogSyncFailed(_logger, peer.Address, e);
                }
#pragma warning restore CA1031
            }, CancellationToken.None);
        }
    }

    private async Task FetchAtxAsync(PeerId peer, AtxId id, Run run, CancellationToken ct)
    {
        var blob = await FetchAsync(peer, FetchHint.Atx, id.Value.ToArray(), run, ct).ConfigureAwait(false);
        if (blob is not { Length: > 0 }) return;
        run.Fetched++;

        // A V1 blob must be the ATX asked for; its PoET proof is fetched first (validation reads it from the store).
        if (ActivationTxV1.TryDecode(blob, out var atx, out _))
        {
            if (atx!.ComputeId() != id)
            {
                run.Refused++;
                LogWrongBlob(_logger, peer.Address, id);
                return;
            }

            if (atx.PostChallenge is { } challenge && _store.GetPoetProof(challenge.Value) is null)
            {
                var proof = await FetchAsync(peer, FetchHint.PoetProof, challenge.Value.ToArray(), run, ct).ConfigureAwait(false);
                if (proof is { Length: > 0 } && IsPoetProof(proof, challenge.Value))
                {
                    _store.PutPoetProof(challenge.Value, proof);
                    run.Poet++;
                }
            }
        }

        var verdict = await _atxHandler(peer, blob, ct).ConfigureAwait(false);
        if (verdict == GossipVerdict.Accept) run.Accepted++;
        else
        {
            run.Refused++;
            LogAtxRefused(_logger, peer.Address, id, verdict);
        }
    }

    private static bool IsPoetProof(byte[] bytes, Hash32 reference)
    {
        try
        {
            return PoetProofMessage.Decode(bytes).Proof.Ref() == reference;
        }
        catch (ScaleDecodeException)
        {
            return false;
        }
    }

    private async Task<Hash32[]?> AskIdsAsync(PeerId peer, string protocol, byte[] request, Run run, CancellationToken ct)
    {
        try
        {
            return DecodeIds(await _requester.RequestAsync(peer, protocol, request, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is PeerRequestException or ScaleDecodeException)
        {
            run.Failures++;
            LogRequestFailed(_logger, peer.Address, protocol, e.Message);
            return null;
        }
    }

    private async Task<byte[]?> FetchAsync(PeerId peer, FetchHint hint, byte[] hash, Run run, CancellationToken ct)
    {
        var request = ByHashRouter.Request(hint, hash);
        try
        {
            return await _requester.RequestAsync(peer, Protocols.ByHash, request, ct).ConfigureAwait(false);
        }
        catch (PeerRequestException e)
        {
            run.Failures++;
            LogRequestFailed(_logger, peer.Address, Protocols.ByHash, e.Message);
            return null;
        }
    }

    private ValueTask<byte[]> ServeAtxIds(PeerId sender, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (request.Length != 4) throw new InvalidDataException($"an ATX-ids request is a 4-byte epoch, got {request.Length} bytes");
        uint epoch = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(request.Span);
        return ValueTask.FromResult(EncodeIds([.. _store.AtxIdsInEpoch(epoch).Select(id => id.Value)]));
    }

    private ValueTask<byte[]> ServeMalfeasanceIds(PeerId sender, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var ids = new List<Hash32>();
        using (var it = _store.KeyValueStore.GetColumn(NodeColumns.Malicious).CreateIterator())
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                if (it.Key.Length == Hash32.Length) ids.Add(new Hash32(it.Key));
            }
        }

        return ValueTask.FromResult(EncodeIds(ids));
    }

    private static AtxSyncReport Add(AtxSyncReport a, AtxSyncReport b) => new(a.Peers + b.Peers, a.AtxsFetched + b.AtxsFetched,
        a.AtxsAccepted + b.AtxsAccepted, a.AtxsRefused + b.AtxsRefused, a.PoetProofsFetched + b.PoetProofsFetched,
        a.MalfeasanceAccepted + b.MalfeasanceAccepted, a.Failures + b.Failures);

    private sealed class Run
    {
        public int Fetched, Accepted, Refused, Poet, MalfeasanceAccepted, Failures;
    }

    [LoggerMessage(EventId = 540, Level = LogLevel.Information, Message = "sync from {Peer}: {Fetched} ATXs fetched, {Accepted} accepted, {Refused} refused, {Poet} PoET proofs, {Failures} failed requests")]
    private static partial void LogSynced(ILogger logger, string peer, int fetched, int accepted, int refused, int poet, int failures);

    [LoggerMessage(EventId = 541, Level = LogLevel.Warning, Message = "sync from {Peer}: {Protocol} request failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string peer, string protocol, string reason);

    [LoggerMessage(EventId = 542, Level = LogLevel.Warning, Message = "sync from {Peer}: the blob served for ATX {Id} has another id")]
    private static partial void LogWrongBlob(ILogger logger, string peer, AtxId id);

    [LoggerMessage(EventId = 543, Level = LogLevel.Debug, Message = "sync from {Peer}: ATX {Id} not accepted ({Verdict})")]
    private static partial void LogAtxRefused(ILogger logger, string peer, AtxId id, GossipVerdict verdict);

    [LoggerMessage(EventId = 544, Level = LogLevel.Warning, Message = "sync from {Peer} failed")]
    private static partial void LogSyncFailed(ILogger logger, string peer, Exception error);
}
