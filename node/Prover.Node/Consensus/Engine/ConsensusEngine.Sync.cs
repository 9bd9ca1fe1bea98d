using Prover.Node.Codec;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Transport;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>What one <see cref="ConsensusEngine.SyncAsync(CancellationToken)"/> run did.</summary>
/// <param name="From">The first layer asked for.</param>
/// <param name="To">The last layer asked for.</param>
/// <param name="Ballots">Ballots fetched and accepted.</param>
/// <param name="Blocks">Blocks fetched and stored.</param>
/// <param name="Failures">Requests that failed or answers that did not check out.</param>
public sealed record LayerSyncReport(LayerId From, LayerId To, int Ballots, int Blocks, int Failures);

public sealed partial class ConsensusEngine
{
    /// <summary>
    /// Syncs the layers this node may have missed: from the first layer after its newest verified one (or after its
    /// last applied one, whichever is earlier) up to the layer before the current one. Run it after ATX sync, on start
    /// and when a peer reconnects.
    /// </summary>
    public Task<LayerSyncReport> SyncAsync(CancellationToken cancellationToken = default)
    {
        var from = new LayerId(Math.Max(_o.FirstLayer.Value, Math.Min(_tortoise.Verified.Value, _mesh.NextLayer.Value - 1) + 1));
        var to = new LayerId(Math.Max(_current.Value, 1) - 1);
        return SyncAsync(from, to, cancellationToken);
    }

    /// <summary>
    /// Asks each connected peer for the ballot and block ids of every layer in [<paramref name="from"/>,
    /// <paramref name="to"/>] (<see cref="Protocols.LayerData"/>), fetches the ones this node lacks by hash, checks each
    /// ballot as a gossiped one (ballots of a layer in reference-first order) and each block against its id, then lets
    /// the tortoise and the state catch up.
    /// </summary>
    public async Task<LayerSyncReport> SyncAsync(LayerId from, LayerId to, CancellationToken cancellationToken = default)
    {
        int ballots = 0, blocks = 0, failures = 0;
        if (from < _o.FirstLayer) from = _o.FirstLayer;
        for (var layer = from; layer <= to; layer = new LayerId(layer.Value + 1))
        {
            foreach (var peer in _requester.Peers)
            {
                try
                {
                    var answer = await _requester.RequestAsync(peer, Protocols.LayerData, LayerData.Request(layer), cancellationToken)
                        .ConfigureAwait(false);
                    var data = ScaleCodec.Decode<LayerData>(answer);
                    var (b, k, f) = await FetchLayerAsync(peer, layer, data, cancellationToken).ConfigureAwait(false);
                    ballots += b;
                    blocks += k;
                    failures += f;
                }
                catch (Exception e) when (e is PeerRequestException or ScaleDecodeException or InvalidDataException)
                {
                    failures++;
                }
            }
        }

        blocks += await FetchMissingBlocksAsync(cancellationToken).ConfigureAwait(false);
        Log.Synced(_log, from.Value, to.Value, ballots, blocks);
        return new LayerSyncReport(from, to, ballots, blocks, failures);
    }

    /// <summary>Fetches the blocks the tortoise chose (by the votes of others) that this node never built, then applies
    /// what it can; returns the blocks fetched.</summary>
    private async Task<int> FetchMissingBlocksAsync(CancellationToken cancellationToken)
    {
        int blocks = 0;
        List<(LayerId Layer, BlockId Block)> missing;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ApplyUpdates();
            missing = MissingBlocks();
        }
        finally
        {
            _gate.Release();
        }

        if (missing.Count == 0) return 0;
        foreach (var (layer, id) in missing)
        {
            foreach (var peer in _requester.Peers)
            {
                if (await FetchBlockAsync(peer, layer, id.Value, cancellationToken).ConfigureAwait(false))
                {
                    blocks++;
                    break;
                }
            }
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ApplyUpdates();
        }
        finally
        {
            _gate.Release();
        }

        return blocks;
    }

    private async Task<(int Ballots, int Blocks, int Failures)> FetchLayerAsync(PeerId peer, LayerId layer, LayerData data, CancellationToken ct)
    {
        int ballots = 0, blocks = 0, failures = 0;
        var fetched = new List<Ballot>();
        foreach (var id in data.Ballots)
        {
            if (_store.GetBallot(id) is not null) continue;
            var blob = await _requester.RequestAsync(peer, Protocols.ByHash, ByHashRouter.Request(FetchHint.Ballot, id.Span), ct)
                .ConfigureAwait(false);
            if (blob.Length == 0 || !ScaleCodec.TryDecode<Ballot>(blob, out var ballot, out _) || ballot!.Id().Value != id || ballot.Layer != layer)
            {
                failures++;
                continue;
            }

            fetched.Add(ballot);
        }

        var outbox = new List<(string Topic, byte[] Payload)>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var ballot in fetched.OrderBy(b => b.Inner.EpochData is null))
            {
                switch (AcceptBallot(ballot, outbox))
                {
                    case BallotCheck.Ok: ballots++; break;
                    case BallotCheck.Invalid: failures++; break;
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        await PublishAllAsync(outbox, ct).ConfigureAwait(false);
        foreach (var id in data.Blocks)
        {
            if (_store.GetBlock(new BlockId(id)) is not null) continue;
            if (await FetchBlockAsync(peer, layer, id, ct).ConfigureAwait(false)) blocks++;
            else failures++;
        }

        return (ballots, blocks, failures);
    }

    private async Task<bool> FetchBlockAsync(PeerId peer, LayerId layer, Hash20 id, CancellationToken ct)
    {
        byte[] blob;
        try
        {
            blob = await _requester.RequestAsync(peer, Protocols.ByHash, ByHashRouter.Request(FetchHint.Block, id.Span), ct).ConfigureAwait(false);
        }
        catch (PeerRequestException)
        {
            return false;
        }

        if (blob.Length == 0 || Block.ComputeId(blob).Value != id || !ScaleCodec.TryDecode<Block>(blob, out var block, out _) || block!.Layer != layer)
        {
            return false;
        }

        _store.AddBlock(block);
        return true;
    }
}
