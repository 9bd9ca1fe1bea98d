using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Primitives;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Poet;
using Prover.Node.Storage;
using Prover.Node.Transport;
using Prover.Node.Validation;

namespace Prover.Node.Host.Node;

/// <summary>
/// The handler of the <see cref="Topics.Atx"/> topic (and of ATXs fetched by sync): decodes the blob, fetches from the
/// sender what validation needs and this node lacks (the PoET proof under the PoST challenge; the previous,
/// positioning and commitment ATXs, each handled the same way first), then runs the full <see cref="IAtxValidator"/>,
/// which stores a valid ATX. Verdicts: a valid ATX is accepted (relayed); this node's own publication (no sender) of an
/// ATX already stored is accepted so it is relayed; a known ATX, one whose dependencies could not be had, or one that
/// proves its smesher malicious (the proof is handed to <see cref="OnMalfeasance"/>) is ignored; anything else that
/// fails validation is rejected, which counts against the sender.
/// </summary>
public sealed partial class AtxGossip
{
    /// <summary>How deep missing dependencies are fetched (an ATX's previous ATX's previous ATX …).</summary>
    public const int MaxDependencyDepth = 8;

    private readonly NodeStore _store;
    private readonly IAtxValidator _validator;
    private readonly IRequester _requester;
    private readonly AtxId _golden;
    private readonly ILogger _log;
    private long _accepted, _ignored, _rejected, _fetched;

    /// <summary>A handler over <paramref name="store"/> that validates with <paramref name="validator"/> and fetches
    /// missing pieces through <paramref name="requester"/>; <paramref name="goldenAtx"/> is never fetched.</summary>
    public AtxGossip(NodeStore store, IAtxValidator validator, IRequester requester, AtxId goldenAtx, ILogger<AtxGossip>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(requester);
        _store = store;
        _validator = validator;
        _requester = requester;
        _golden = goldenAtx;
        _log = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Called with the malfeasance proof the validator produced (double publish, reused previous ATX), e.g.
    /// to gossip it.</summary>
    public Func<ReadOnlyMemory<byte>, CancellationToken, Task>? OnMalfeasance { get; set; }

    /// <summary>ATXs accepted (valid and stored, or own and relayed).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>ATXs ignored.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>ATXs rejected.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Dependencies (PoET proofs, ATXs) fetched from senders.</summary>
    public long Fetched => Interlocked.Read(ref _fetched);

    /// <summary>The <see cref="GossipHandler"/>.</summary>
    public ValueTask<GossipVerdict> HandleAsync(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        HandleAsync(sender, payload, 0, cancellationToken);

    private async ValueTask<GossipVerdict> HandleAsync(PeerId? sender, ReadOnlyMemory<byte> payload, int depth, CancellationToken ct)
    {
        if (!ActivationTxV1.TryDecode(payload.Span, out var atx, out _))
        {
            return Count(GossipVerdict.Reject);
        }

        var id = atx!.ComputeId();
        if (_store.ContainsAtx(id))
        {
            return Count(sender is null ? GossipVerdict.Accept : GossipVerdict.Ignore);
        }

        if (sender is { } peer && depth < MaxDependencyDepth)
        {
            await FetchDependenciesAsync(peer, atx, depth, ct).ConfigureAwait(false);
        }

        var verdict = await _validator.ValidateAsync(payload, ct).ConfigureAwait(false);
        if (verdict.IsValid)
        {
            Log.Stored(_log, id, atx.SmesherId, atx.PublishEpoch.Value, sender?.Address ?? "self");
            return Count(GossipVerdict.Accept);
        }

        if (verdict.Reason != AtxRejection.AlreadyKnown) // a copy that raced another (gossip and sync): nothing to say
        {
            Log.Refused(_log, id, sender?.Address ?? "self", verdict.Reason, verdict.Message ?? "");
        }
        if (verdict.MalfeasanceProof is { } proof && OnMalfeasance is { } publish)
        {
            try
            {
                await publish(proof, ct).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // gossiping the proof is best effort; the proof is stored either way
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Log.MalfeasanceNotGossiped(_log, atx.SmesherId, e.Message);
            }
        }

        return Count(verdict.Reason switch
        {
            AtxRejection.AlreadyKnown or AtxRejection.DoublePublish or AtxRejection.PrevAtxReused
                or AtxRejection.MissingPoetProof or AtxRejection.UnknownPrevAtx or AtxRejection.UnknownPositioningAtx
                or AtxRejection.UnknownCommitmentAtx => GossipVerdict.Ignore,
            _ => GossipVerdict.Reject,
        });
    }

    private async Task FetchDependenciesAsync(PeerId peer, ActivationTxV1 atx, int depth, CancellationToken ct)
    {
        if (atx.PostChallenge is { } challenge && _store.GetPoetProof(challenge.Value) is null &&
            await FetchAsync(peer, FetchHint.PoetProof, challenge.Value, ct).ConfigureAwait(false) is { Length: > 0 } proof &&
            IsPoetProof(proof, challenge.Value))
        {
            _store.PutPoetProof(challenge.Value, proof);
        }

        AtxId?[] needed = [atx.IsInitial ? null : atx.PrevAtxId, atx.PositioningAtxId, atx.CommitmentAtxId];
        foreach (var dependency in needed)
        {
            if (dependency is { } d && d != _golden && d.Value != default && !_store.ContainsAtx(d) &&
                await FetchAsync(peer, FetchHint.Atx, d.Value, ct).ConfigureAwait(false) is { Length: > 0 } blob)
            {
                await HandleAsync(peer, blob, depth + 1, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]?> FetchAsync(PeerId peer, FetchHint hint, Hash32 hash, CancellationToken ct)
    {
        var request = ByHashRouter.Request(hint, hash.Span);
        try
        {
            var response = await _requester.RequestAsync(peer, Protocols.ByHash, request, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _fetched);
            return response;
        }
        catch (PeerRequestException e)
        {
            Log.FetchFailed(_log, hint, peer.Address, e.Message);
            return null;
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

    private GossipVerdict Count(GossipVerdict verdict)
    {
        switch (verdict)
        {
            case GossipVerdict.Accept:
                Interlocked.Increment(ref _accepted);
                break;
            case GossipVerdict.Ignore:
                Interlocked.Increment(ref _ignored);
                break;
            default:
                Interlocked.Increment(ref _rejected);
                break;
        }

        return verdict;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "ATX {Id} of {Smesher} for epoch {Epoch} from {Sender} is valid and stored")]
        public static partial void Stored(ILogger logger, AtxId id, NodeId smesher, uint epoch, string sender);

        [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "ATX {Id} from {Sender} refused: {Reason} {Message}")]
        public static partial void Refused(ILogger logger, AtxId id, string sender, AtxRejection reason, string message);

        [LoggerMessage(EventId = 702, Level = LogLevel.Debug, Message = "fetching {Hint} from {Peer} failed: {Reason}")]
        public static partial void FetchFailed(ILogger logger, FetchHint hint, string peer, string reason);

        [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "the malfeasance proof against {Smesher} was not gossiped: {Reason}")]
        public static partial void MalfeasanceNotGossiped(ILogger logger, NodeId smesher, string reason);
    }
}
