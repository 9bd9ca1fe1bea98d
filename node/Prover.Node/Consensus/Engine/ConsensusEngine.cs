using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Consensus.Wire;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// The consensus of one node and all of its identities: it joins eligibility, ballots and proposals, hare, block
/// building, the verifying tortoise and the state over the node's stores and its transport.
/// <para>It is driven by explicit calls so that tests can step it without real time; <see cref="LayerScheduler"/>
/// makes these calls from the <see cref="LayerClock"/> for a running node:</para>
/// <list type="bullet">
/// <item><see cref="OnEpochStartAsync"/>: fixes the epoch's beacon and active set (valid ATXs published in the previous
/// epoch by smeshers with no malfeasance proof) and this node's eligible slots.</item>
/// <item><see cref="OnLayerStartAsync"/>: each own identity eligible in the layer publishes a signed ballot (the first
/// of the epoch carries the epoch data) in a proposal without transactions on <see cref="Topics.Proposal"/>; its votes
/// are the local opinion of earlier layers.</item>
/// <item><see cref="OnHareRoundAsync"/>: runs the layer's hare over <see cref="Topics.Hare"/>, its input the valid
/// proposals stored when round 0 begins; its output builds the layer's block (<see cref="BlockBuilder"/>), which goes
/// to the tortoise, whose decisions are applied to state (<see cref="MeshState"/>).</item>
/// </list>
/// <para>Received proposals are checked (encoding, both signatures, the ATX in the epoch's active set, eligibility
/// proofs, a known reference ballot, a smesher not known malicious); a second ballot of one smesher in one layer makes
/// a MultipleBallots malfeasance proof that is stored and gossiped on <see cref="Topics.Malfeasance"/>. A valid
/// malfeasance proof (any type, including the MultipleATXs proofs the ATX validator stores) removes the identity's
/// weight from the tortoise and from hare, and its ATX from later active sets. <see cref="SyncAsync(CancellationToken)"/> fetches ballots
/// and blocks of past layers from peers (<see cref="Protocols.LayerData"/>, then by hash), so a node that was down or
/// cut off catches up; a restarted engine rebuilds its tortoise from the stores.</para>
/// <para>Departures from go-spacemesh, each with its cost: the active set is not carried by reference ballots (no
/// <c>as/1</c>): every node derives it from its own ATXs and malfeasance proofs when the epoch starts, so a proof that
/// reaches nodes on both sides of an epoch start splits their view of that epoch (their ballots and hare messages then
/// fail each other's eligibility checks until the next epoch); proofs are gossiped within a layer of being found to
/// keep that window small. Ballots name no base ballot and list their opinion of every layer in the voting window
/// (larger ballots, no base-ballot bookkeeping). The opinion hash is this node's own digest of the votes, not
/// go-spacemesh's. Proposals carry no transactions. Proposals are stored (go-spacemesh keeps them in memory only).
/// A node with no identity runs no hare and follows the others through the tortoise's vote tally.</para>
/// </summary>
public sealed partial class ConsensusEngine : IDisposable
{
    private readonly ConsensusOptions _o;
    private readonly NodeStore _nodes;
    private readonly ConsensusStore _store;
    private readonly IReadOnlyList<EdSigner> _identities;
    private readonly List<(EdSigner Signer, VrfSigner Vrf)> _vrfs = [];
    private readonly IGossip _gossip;
    private readonly IRequester _requester;
    private readonly EdVerifier _verifier;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly VerifyingTortoise _tortoise;
    private readonly MeshState _mesh;
    private readonly MeshApplier _applier;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly Dictionary<EpochId, EpochContext> _epochs = [];
    private readonly Dictionary<(NodeId, EpochId), List<(uint J, VrfSignature Proof, LayerId Layer)>> _ownSlots = [];
    private readonly Dictionary<(NodeId, EpochId, ulong, uint), byte[]> _slotProofs = [];
    private readonly Dictionary<(NodeId, EpochId), BallotId> _refBallots = [];
    private readonly Dictionary<(LayerId, NodeId), BallotId> _ballotAt = [];
    private readonly Dictionary<BallotId, IReadOnlyList<LayerVote>> _votes = [];
    private readonly HashSet<NodeId> _malicious = [];
    private readonly HashSet<NodeId> _toRelay = [];
    private readonly Dictionary<LayerId, HareLayer> _hare = [];
    private readonly Dictionary<LayerId, List<HareMessage>> _harePending = [];
    private LayerId _current;
    private const int MaxPendingHareMessages = 10_000;
    private bool _disposed;

    /// <summary>
    /// Creates the engine, subscribes its topic handlers and request handlers, and rebuilds the tortoise from what the
    /// stores hold (ballots, hare outputs, malfeasance), so a restarted node continues where it stopped.
    /// </summary>
    /// <param name="options">The network's consensus parameters.</param>
    /// <param name="nodeStore">ATX headers, malfeasance proofs and beacons.</param>
    /// <param name="consensusStore">Ballots, proposals, blocks, layers and balances.</param>
    /// <param name="identities">This node's identities (may be empty: the node then only follows).</param>
    /// <param name="gossip">The gossip transport.</param>
    /// <param name="requester">The request/response transport.</param>
    /// <param name="byHash">The transport's by-hash router; the engine serves ballots, blocks and proposals through it.
    /// When null the engine registers its own router on <paramref name="requester"/>.</param>
    /// <param name="logger">Logs; none when null.</param>
    /// <param name="time">Receive timestamps of malfeasance proofs; the system clock when null.</param>
    public ConsensusEngine(ConsensusOptions options, NodeStore nodeStore, ConsensusStore consensusStore,
        IReadOnlyList<EdSigner> identities, IGossip gossip, IRequester requester, ByHashRouter? byHash = null,
        ILogger<ConsensusEngine>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nodeStore);
        ArgumentNullException.ThrowIfNull(consensusStore);
        ArgumentNullException.ThrowIfNull(identities);
        ArgumentNullException.ThrowIfNull(gossip);
        ArgumentNullException.ThrowIfNull(requester);
        options.Validate();
        _o = options;
        _nodes = nodeStore;
        _store = consensusStore;
        _identities = [.. identities];
        foreach (var id in _identities) _vrfs.Add((id, new VrfSigner(id)));
        _gossip = gossip;
        _requester = requester;
        _verifier = new EdVerifier(options.Genesis.GenesisId);
        _log = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _tortoise = new VerifyingTortoise(new TortoiseConfig(options.LayersPerEpoch, options.FirstLayer, options.Hdist, options.VotingWindow));
        _mesh = new MeshState(consensusStore, nodeStore, options.FirstLayer);
        _applier = new MeshApplier(_tortoise, _mesh);

        Recover();

        gossip.Subscribe(Topics.Proposal, HandleProposalAsync);
        gossip.Subscribe(Topics.Hare, HandleHareAsync);
        gossip.Subscribe(Topics.Malfeasance, HandleMalfeasanceAsync);
        requester.Handle(Protocols.LayerData, ServeLayerData);
        byHash ??= new ByHashRouter(requester);
        byHash.Register(FetchHint.Ballot, Hash20.Length, h => _store.GetBallot(new Hash20(h.Span))?.Blob.ToArray());
        byHash.Register(FetchHint.Proposal, Hash20.Length, h => _store.GetProposal(new Hash20(h.Span))?.Blob.ToArray());
        byHash.Register(FetchHint.Block, Hash20.Length, h => _store.GetBlock(new BlockId(h.Span))?.ToBytes());
    }

    /// <summary>The options the engine runs with.</summary>
    public ConsensusOptions Options => _o;

    /// <summary>The newest layer the tortoise has verified (irreversible).</summary>
    public LayerId Verified => _tortoise.Verified;

    /// <summary>The newest layer this engine was told about by <see cref="OnLayerStartAsync"/>.</summary>
    public LayerId CurrentLayer => _current;

    /// <summary>The rounds <see cref="OnHareRoundAsync"/> expects per layer: 0 … HareRounds − 1.</summary>
    public int HareRounds => HareLayer.RoundCount(_o);

    /// <summary>The hare round (0-based) by which an undisturbed hare has decided. Ballots vote on the previous layer
    /// with its hare output, so this round must end before the next layer starts (<see cref="LayerScheduler"/> makes
    /// sure of it).</summary>
    public static int HareOutputRound => HareLayer.OutputTick;

    /// <summary>The malfeasance handler (<see cref="Topics.Malfeasance"/>), for ATX sync's malfeasance option.</summary>
    public GossipHandler MalfeasanceHandler => HandleMalfeasanceAsync;

    /// <summary>The applied layer (block, validity, state hash), or null when it is not applied.</summary>
    public LayerRecord? GetLayer(LayerId layer) => _store.GetLayer(layer);

    /// <summary>Whether the engine holds a malfeasance proof against <paramref name="identity"/>.</summary>
    public bool IsMalicious(NodeId identity)
    {
        lock (_malicious) return _malicious.Contains(identity);
    }

    // ---------------------------------------------------------------- clock-driven steps

    /// <summary>Fixes the beacon, active set and own slots of <paramref name="epoch"/> (idempotent).</summary>
    public async Task OnEpochStartAsync(EpochId epoch, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var context = Context(epoch);
            foreach (var id in _identities) OwnSlots(id.NodeId, context);
            lock (_slotProofs)
            {
                // Proofs prepared for slots past the final count (more ATXs arrived since): no longer needed.
                foreach (var key in _slotProofs.Keys.Where(k => k.Item2 <= epoch).ToList()) _slotProofs.Remove(key);
            }
            Log.EpochStarted(_log, epoch.Value, context.ActiveSet.Count, context.TotalWeight, context.Beacon);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Starts <paramref name="layer"/>: gossips stored malfeasance proofs not yet handled (such as those of the ATX
    /// validator), publishes the ballots and proposals of the own identities eligible in the layer, and applies what
    /// the tortoise decided.
    /// </summary>
    public async Task OnLayerStartAsync(LayerId layer, CancellationToken cancellationToken = default)
    {
        var outbox = new List<(string Topic, byte[] Payload)>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (layer > _current) _current = layer;
            _tortoise.OnLayer(layer);
            CollectStoredMalfeasance(layer, outbox);
            if (layer >= _o.FirstLayer)
            {
                var context = Context(layer.GetEpoch(_o.LayersPerEpoch));
                foreach (var identity in _identities)
                {
                    if (BuildProposal(identity, layer, context) is { } proposal) outbox.Add((Topics.Proposal, proposal.ToBytes()));
                }
            }

            ApplyUpdates();
        }
        finally
        {
            _gate.Release();
        }

        await PublishAllAsync(outbox, cancellationToken).ConfigureAwait(false);
        await FetchMissingBlocksAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs round <paramref name="round"/> (0 … <see cref="HareRounds"/> − 1) of the hare of <paramref name="layer"/>.
    /// Round 0 takes the proposals stored now as the input; when the protocol ends, its output becomes the layer's block.
    /// </summary>
    public async Task OnHareRoundAsync(LayerId layer, int round, CancellationToken cancellationToken = default)
    {
        if (layer < _o.FirstLayer) return;
        var outbox = new List<(string Topic, byte[] Payload)>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hare = HareSession(layer, create: round == 0);

            // Messages kept for a session that did not start here (no identity, or started late) are dropped, and so
            // are sessions that can no longer end.
            foreach (var stale in _harePending.Keys.Where(l => l <= layer).ToList()) _harePending.Remove(stale);
            foreach (var stale in _hare.Keys.Where(l => l.Value + _o.Hdist < layer.Value).ToList()) _hare.Remove(stale);
            if (hare is null) return;
            var output = hare.Tick(outbox);
            if (output is not null && _store.GetHareOutput(layer) is null)
            {
                OnHareOutput(layer, output);
                ApplyUpdates();
            }

            if (hare.Completed) _hare.Remove(layer);
        }
        finally
        {
            _gate.Release();
        }

        await PublishAllAsync(outbox, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gossips a malfeasance proof (the SCALE <c>MalfeasanceProof</c>, e.g. the one an ATX verdict carries) after
    /// checking it locally; returns the local verdict.
    /// </summary>
    /// <exception cref="ScaleDecodeException">The bytes are not a malfeasance proof.</exception>
    public async Task<GossipVerdict> PublishMalfeasanceAsync(ReadOnlyMemory<byte> proof, CancellationToken cancellationToken = default)
    {
        var decoded = MalfeasanceProof.Decode(proof.Span);
        return await _gossip.PublishAsync(Topics.Malfeasance, new MalfeasanceGossip { Proof = decoded }.ToBytes(), cancellationToken)
            .ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- epoch context, own eligibility

    private EpochContext Context(EpochId epoch)
    {
        if (_epochs.TryGetValue(epoch, out var context)) return context;
        context = EpochContext.Build(epoch, BeaconOf(epoch), _nodes);
        _epochs[epoch] = context;
        foreach (var atx in context.ActiveSet) _tortoise.OnAtx(epoch, atx.Id, atx.SmesherId, atx.Weight);
        return context;
    }

    private Beacon BeaconOf(EpochId epoch)
    {
        var (beacon, stored) = ReadBeacon(epoch);
        if (!stored) _nodes.PutBeacon(epoch.Value, beacon.ToArray());
        return beacon;
    }

    /// <summary>The stored beacon of <paramref name="epoch"/>, else the rule's (without storing it).</summary>
    private (Beacon Beacon, bool Stored) ReadBeacon(EpochId epoch) =>
        _nodes.GetBeacon(epoch.Value) is { Length: Beacon.Length } stored
            ? (Beacon.FromBytes(stored), true)
            : (Eligibility.EpochBeacon.For(_o.Genesis.GenesisId, epoch), false);

    private List<(uint J, VrfSignature Proof, LayerId Layer)> OwnSlots(NodeId identity, EpochContext context)
    {
        if (_ownSlots.TryGetValue((identity, context.Epoch), out var slots)) return slots;
        slots = [];
        if (context.AtxOf(identity) is { } atx && _vrfs.FirstOrDefault(v => v.Signer.NodeId == identity).Vrf is { } vrf)
        {
            var count = Eligibility.BallotEligibility.NumEligibleSlots(atx.Weight, context.TotalWeight, EligibilityConfig);
            for (var j = 0u; j < count; j++)
            {
                var sig = SlotProof(vrf, context.Epoch, context.EligibilityBeacon, atx.VrfNonce, j);
                slots.Add((j, new VrfSignature(sig), Eligibility.BallotEligibility.EligibleLayer(context.Epoch, _o.LayersPerEpoch, sig)));
            }
        }

        _ownSlots[(identity, context.Epoch)] = slots;
        return slots;
    }

    private Eligibility.BallotEligibilityConfig EligibilityConfig => new(_o.LayerAvgSize, _o.LayersPerEpoch, _o.MinimalActiveSetWeight);

    /// <summary>The VRF proof of slot <paramref name="j"/>, from <see cref="PrepareEpochAsync"/>'s cache when it made it.</summary>
    private byte[] SlotProof(VrfSigner vrf, EpochId epoch, Wire.Beacon beacon, ulong nonce, uint j)
    {
        var key = (vrf.NodeId, epoch, nonce, j);
        lock (_slotProofs)
        {
            if (_slotProofs.Remove(key, out var cached)) return cached;
        }

        return vrf.Sign(Eligibility.VrfMessages.Voting(beacon, epoch, nonce, j));
    }

    /// <summary>
    /// Computes, off the engine's lock, the VRF proofs of the own identities' ballot slots in <paramref name="epoch"/>
    /// with the ATXs stored now, so that <see cref="OnEpochStartAsync"/> finds them ready. A slot proof depends only on
    /// the beacon, the epoch, the ATX's VRF nonce and j, not on the epoch's total weight; the number of slots does, so
    /// this takes the count the ATXs stored now give (the epoch start computes any proof still missing). Run it during
    /// the last layer of the previous epoch: at the epoch start an identity with hundreds of slots would otherwise
    /// spend longer on these proofs than the hare waits for the first layer's proposals.
    /// </summary>
    public Task PrepareEpochAsync(EpochId epoch, CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        if (epoch.Value == 0 || _vrfs.Count == 0) return;
        var provisional = EpochContext.Build(epoch, ReadBeacon(epoch).Beacon, _nodes);
        if (provisional.TotalWeight == 0) return;
        foreach (var (signer, vrf) in _vrfs)
        {
            if (provisional.AtxOf(signer.NodeId) is not { } atx) continue;
            var count = Eligibility.BallotEligibility.NumEligibleSlots(atx.Weight, provisional.TotalWeight, EligibilityConfig);
            for (var j = 0u; j < count && !cancellationToken.IsCancellationRequested; j++)
            {
                var sig = vrf.Sign(Eligibility.VrfMessages.Voting(provisional.EligibilityBeacon, epoch, atx.VrfNonce, j));
                lock (_slotProofs) _slotProofs[(vrf.NodeId, epoch, atx.VrfNonce, j)] = sig;
            }
        }
    }, cancellationToken);

    // ---------------------------------------------------------------- building ballots and proposals

    private Proposal? BuildProposal(EdSigner identity, LayerId layer, EpochContext context)
    {
        var me = identity.NodeId;
        if (IsMalicious(me) || context.AtxOf(me) is not { } atx) return null;
        if (_ballotAt.ContainsKey((layer, me))) return null;
        var proofs = OwnSlots(me, context).Where(s => s.Layer == layer).Select(s => new VotingEligibility(s.J, s.Proof)).ToList();
        if (proofs.Count == 0) return null;

        var votes = BallotVotes.Build(layer, _o.FirstLayer, _o.VotingWindow, l => _tortoise.Opinion(l).Block,
            b => _store.GetBlock(b)?.TickHeight ?? 0);
        var epoch = context.Epoch;
        bool isRef = !_refBallots.TryGetValue((me, epoch), out var refBallot);
        var ballot = new Ballot
        {
            Inner = new InnerBallot
            {
                Layer = layer,
                AtxId = atx.Id,
                RefBallot = isRef ? BallotId.Empty : refBallot,
                EpochData = isRef
                    ? new EpochData { ActiveSetHash = context.ActiveSetHash, Beacon = context.Beacon, EligibilityCount = context.SlotsOf(me, _o) }
                    : null,
            },
            Votes = votes,
            EligibilityProofs = proofs,
        };
        var opinion = BallotVotes.Decode(ballot, _o.FirstLayer, _o.VotingWindow, VotesOf);
        var withHash = new Ballot
        {
            Inner = new InnerBallot
            {
                Layer = ballot.Inner.Layer,
                AtxId = ballot.Inner.AtxId,
                OpinionHash = BallotVotes.OpinionHash(opinion),
                RefBallot = ballot.Inner.RefBallot,
                EpochData = ballot.Inner.EpochData,
            },
            Votes = votes,
            EligibilityProofs = proofs,
        };
        var proposal = new Proposal { Inner = new InnerProposal { Ballot = withHash } };
        proposal.Sign(identity);
        Log.ProposalBuilt(_log, me, layer.Value, proofs.Count);
        return proposal;
    }

    private IReadOnlyList<LayerVote>? VotesOf(BallotId id) => _votes.GetValueOrDefault(id);

    // ---------------------------------------------------------------- receiving proposals and ballots

    private enum BallotCheck
    {
        Ok,
        Invalid,
        Unknown,
        Malicious,
        Duplicate,
    }

    private async ValueTask<GossipVerdict> HandleProposalAsync(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!ScaleCodec.TryDecode<Proposal>(payload.Span, out var proposal, out _)) return GossipVerdict.Reject;
        var outbox = new List<(string Topic, byte[] Payload)>();
        GossipVerdict verdict;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            verdict = AcceptProposal(proposal!, payload.Span, outbox);
        }
        finally
        {
            _gate.Release();
        }

        await PublishAllAsync(outbox, ct).ConfigureAwait(false);
        return verdict;
    }

    private GossipVerdict AcceptProposal(Proposal proposal, ReadOnlySpan<byte> blob, List<(string, byte[])> outbox)
    {
        var layer = proposal.Layer;
        if (layer < _o.FirstLayer) return GossipVerdict.Reject;
        if (_current.Value > 0 && layer.Value > _current.Value + 1) return GossipVerdict.Ignore;
        var id = proposal.Id();
        if (_store.GetProposal(id.Value) is not null) return GossipVerdict.Ignore;
        if (!_verifier.Verify(SignatureDomain.Proposal, proposal.SmesherId, proposal.SignedBytes(), proposal.Signature.Span))
        {
            return GossipVerdict.Reject;
        }

        // A second proposal around a ballot already known (other transactions or mesh hash) is not taken: one proposal
        // per ballot, so a smesher cannot enter the hare twice with one eligibility.
        var check = AcceptBallot(proposal.Ballot, outbox);
        switch (check)
        {
            case BallotCheck.Invalid:
                return GossipVerdict.Reject;
            case BallotCheck.Unknown:
            case BallotCheck.Malicious:
            case BallotCheck.Duplicate:
                return GossipVerdict.Ignore;
        }

        _store.AddProposal(id.Value, layer, blob);
        return GossipVerdict.Accept;
    }

    /// <summary>Checks a ballot and, when valid and new, stores it and gives it to the tortoise.</summary>
    private BallotCheck AcceptBallot(Ballot ballot, List<(string, byte[])> outbox)
    {
        var layer = ballot.Layer;
        var id = ballot.Id();
        if (_store.GetBallot(id.Value) is not null) return BallotCheck.Duplicate;
        if (layer < _o.FirstLayer) return BallotCheck.Invalid;
        if (!ballot.VerifySignature(_verifier)) return BallotCheck.Invalid;
        var smesher = ballot.SmesherId;
        if (IsMalicious(smesher)) return BallotCheck.Malicious;

        var epoch = layer.GetEpoch(_o.LayersPerEpoch);
        var context = Context(epoch);
        if (context.Atx(ballot.Inner.AtxId) is not { } atx)
        {
            return _nodes.ContainsAtx(ballot.Inner.AtxId) ? BallotCheck.Invalid : BallotCheck.Unknown;
        }

        if (atx.SmesherId != smesher) return BallotCheck.Invalid;
        uint count = context.SlotsOf(smesher, _o);
        if (ballot.Inner.EpochData is { } data)
        {
            if (ballot.Inner.RefBallot != BallotId.Empty || data.Beacon != context.Beacon || data.EligibilityCount != count)
            {
                return BallotCheck.Invalid;
            }
        }
        else if (!_refBallots.TryGetValue((smesher, epoch), out var known) || known != ballot.Inner.RefBallot)
        {
            return BallotCheck.Unknown;
        }

        if (!EligibilityHolds(ballot, context, atx, count)) return BallotCheck.Invalid;

        if (_ballotAt.TryGetValue((layer, smesher), out var other) && other != id)
        {
            if (_store.GetBallot(other.Value) is { } otherBlob)
            {
                var proof = MalfeasanceProofs.MultipleBallots(Ballot.Decode(otherBlob.Blob.Span), ballot);
                RecordMalfeasance(smesher, proof, outbox);
            }

            return BallotCheck.Malicious;
        }

        Register(ballot, id, count, atx);
        _store.AddBallot(id.Value, layer, ballot.ToBytes());
        return BallotCheck.Ok;
    }

    private bool EligibilityHolds(Ballot ballot, EpochContext context, AtxHeader atx, uint count)
    {
        var proofs = ballot.EligibilityProofs;
        if (proofs.Count == 0) return false;
        long last = -1;
        foreach (var proof in proofs)
        {
            if (proof.J >= count || proof.J <= last) return false;
            last = proof.J;
            var message = Eligibility.VrfMessages.Voting(context.EligibilityBeacon, context.Epoch, atx.VrfNonce, proof.J);
            if (!VrfVerifier.Verify(ballot.SmesherId, message, proof.Sig.Span)) return false;
            if (Eligibility.BallotEligibility.EligibleLayer(context.Epoch, _o.LayersPerEpoch, proof.Sig.Span) != ballot.Layer) return false;
        }

        return true;
    }

    /// <summary>Indexes a valid ballot in memory and gives it to the tortoise.</summary>
    private void Register(Ballot ballot, BallotId id, uint count, AtxHeader atx)
    {
        var epoch = ballot.Layer.GetEpoch(_o.LayersPerEpoch);
        _ballotAt[(ballot.Layer, ballot.SmesherId)] = id;
        if (ballot.Inner.EpochData is not null) _refBallots[(ballot.SmesherId, epoch)] = id;
        var votes = BallotVotes.Decode(ballot, _o.FirstLayer, _o.VotingWindow, VotesOf);
        _votes[id] = votes;
        var weight = new RatNum(checked(atx.Weight * (ulong)ballot.EligibilityProofs.Count), count);
        _tortoise.OnBallot(new TortoiseBallot(id.Value, ballot.Layer, atx.Id, weight, votes));
    }

    // ---------------------------------------------------------------- hare messages

    /// <summary>The layer's hare session; created (with the proposals stored now as input, and any messages that
    /// arrived early) when <paramref name="create"/> is set and the layer has no output yet.</summary>
    private HareLayer? HareSession(LayerId layer, bool create)
    {
        if (_hare.TryGetValue(layer, out var hare)) return hare;
        if (!create || _store.GetHareOutput(layer) is not null || _vrfs.Count == 0) return null;
        var context = Context(layer.GetEpoch(_o.LayersPerEpoch));
        hare = new HareLayer(layer, context, _o, _vrfs, _verifier, IsMalicious, HareInput(layer));
        _hare[layer] = hare;
        if (_harePending.Remove(layer, out var early))
        {
            foreach (var message in early) hare.Receive(message);
        }

        return hare;
    }

    private async ValueTask<GossipVerdict> HandleHareAsync(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!ScaleCodec.TryDecode<HareMessage>(payload.Span, out var message, out _) || !message!.IsWellFormed()) return GossipVerdict.Reject;
        var outbox = new List<(string Topic, byte[] Payload)>();
        GossipVerdict verdict;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var layer = message.Layer;
            if (layer < _o.FirstLayer) return GossipVerdict.Reject;
            var hare = HareSession(layer, create: false);
            if (hare is null)
            {
                // Not started here yet: keep it for the session (bounded), unless the layer is over.
                if (layer <= _current && _store.GetHareOutput(layer) is not null) return GossipVerdict.Ignore;
                if (layer.Value > _current.Value + 1 || !message.VerifySignature(_verifier)) return GossipVerdict.Ignore;
                if (!_harePending.TryGetValue(layer, out var list)) _harePending[layer] = list = [];
                if (list.Count >= MaxPendingHareMessages) return GossipVerdict.Ignore;
                list.Add(message);
                return GossipVerdict.Accept;
            }

            (verdict, var proof) = hare.Receive(message);
            if (proof is not null)
            {
                RecordMalfeasance(message.Sender, proof, outbox);
                verdict = GossipVerdict.Accept;
            }
        }
        finally
        {
            _gate.Release();
        }

        await PublishAllAsync(outbox, ct).ConfigureAwait(false);
        return verdict;
    }

    // ---------------------------------------------------------------- hare output, blocks, state

    private List<ProposalId> HareInput(LayerId layer)
    {
        var input = new List<ProposalId>();
        foreach (var id in _store.ProposalIdsInLayer(layer))
        {
            if (_store.GetProposal(id) is not { } blob) continue;
            var proposal = Proposal.Decode(blob.Blob.Span);
            if (!IsMalicious(proposal.SmesherId)) input.Add(new ProposalId(id));
        }

        input.Sort();
        return input;
    }

    private void OnHareOutput(LayerId layer, IReadOnlyList<ProposalId> output)
    {
        var context = Context(layer.GetEpoch(_o.LayersPerEpoch));
        var parts = new List<HareProposal>();
        foreach (var pid in output)
        {
            if (_store.GetProposal(pid.Value) is not { } blob) continue;
            var proposal = Proposal.Decode(blob.Blob.Span);
            if (context.Atx(proposal.Ballot.Inner.AtxId) is not { } atx) continue;
            parts.Add(new HareProposal(pid.Value, atx.Id, atx.Weight, atx.BaseTickHeight, atx.TickHeight,
                context.SlotsOf(atx.SmesherId, _o), (uint)proposal.Ballot.EligibilityProofs.Count));
        }

        var block = BlockBuilder.Build(layer, parts);
        var blockId = block?.Id ?? BlockId.Empty;
        if (block is not null) _store.AddBlock(block);
        _store.PutHareOutput(layer, blockId);
        _tortoise.OnHareOutput(layer, blockId);
        Log.HareOutput(_log, layer.Value, output.Count, blockId);
    }

    /// <summary>Brings the applied state in line with the tortoise: reverts layers whose block changed, marks verified
    /// layers valid, and applies layers forward while their opinion and block are known.</summary>
    private void ApplyUpdates()
    {
        try
        {
            var progress = _applier.Advance();
            foreach (var layer in progress.Reverted) Log.Reverted(_log, layer.Value);
        }
        catch (InvalidOperationException e)
        {
            Log.ApplyFailed(_log, _mesh.NextLayer.Value, e.Message);
        }
    }

    /// <summary>The layers from the next one to apply up to the tortoise's newest whose opinion names a block this node
    /// lacks (sync fetches them).</summary>
    private List<(LayerId Layer, BlockId Block)> MissingBlocks()
    {
        var missing = new List<(LayerId, BlockId)>();
        for (var l = _mesh.NextLayer; l <= _tortoise.Last; l = new LayerId(l.Value + 1))
        {
            if (_tortoise.Opinion(l).Block is { IsEmpty: false } id && _store.GetBlock(id) is null) missing.Add((l, id));
        }

        return missing;
    }

    // ---------------------------------------------------------------- malfeasance

    private async ValueTask<GossipVerdict> HandleMalfeasanceAsync(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        MalfeasanceProof proof;
        if (ScaleCodec.TryDecode<MalfeasanceGossip>(payload.Span, out var gossip, out _)) proof = gossip!.Proof;
        else if (ScaleCodec.TryDecode<MalfeasanceProof>(payload.Span, out var bare, out _)) proof = bare!;
        else return GossipVerdict.Reject;

        var verdict = MalfeasanceProofs.Verify(proof, _verifier, out var guilty);
        if (verdict != MalfeasanceVerdict.Proven) return GossipVerdict.Reject;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // A proof this engine made (or took from the store) is published through this handler: accept it once
            // more so that the transport relays it.
            if (IsMalicious(guilty)) return _toRelay.Remove(guilty) ? GossipVerdict.Accept : GossipVerdict.Ignore;
            MarkMalicious(guilty, proof);
            return GossipVerdict.Accept;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores a proof this engine made and queues it for gossip.</summary>
    private void RecordMalfeasance(NodeId guilty, MalfeasanceProof proof, List<(string, byte[])> outbox)
    {
        if (IsMalicious(guilty)) return;
        MarkMalicious(guilty, proof);
        _toRelay.Add(guilty);
        outbox.Add((Topics.Malfeasance, new MalfeasanceGossip { Proof = proof }.ToBytes()));
    }

    private void MarkMalicious(NodeId guilty, MalfeasanceProof proof)
    {
        _nodes.AddMalfeasanceProof(guilty, proof.Type, _time.GetUtcNow(), proof.ToBytes());
        lock (_malicious) _malicious.Add(guilty);
        _tortoise.OnMalfeasance(guilty);
        Log.Malicious(_log, guilty, proof.Type);
    }

    /// <summary>Proofs stored by others (the ATX validator) against smeshers of the current or next epoch that this
    /// engine has not handled: mark them and gossip them.</summary>
    private void CollectStoredMalfeasance(LayerId layer, List<(string, byte[])> outbox)
    {
        uint epoch = layer.GetEpoch(_o.LayersPerEpoch).Value;
        for (uint publish = epoch == 0 ? 0 : epoch - 1; publish <= epoch; publish++)
        {
            foreach (var atxId in _nodes.AtxIdsInEpoch(publish))
            {
                if (_nodes.GetAtx(atxId) is not { } header || IsMalicious(header.SmesherId)) continue;
                if (_nodes.GetMalfeasanceProof(header.SmesherId) is not { } record) continue;
                if (!ScaleCodec.TryDecode<MalfeasanceProof>(record.Proof.Span, out var proof, out _)) continue;
                if (MalfeasanceProofs.Verify(proof!, _verifier, out var guilty) != MalfeasanceVerdict.Proven || guilty != header.SmesherId) continue;
                lock (_malicious) _malicious.Add(guilty);
                _tortoise.OnMalfeasance(guilty);
                _toRelay.Add(guilty);
                outbox.Add((Topics.Malfeasance, new MalfeasanceGossip { Proof = proof! }.ToBytes()));
                Log.Malicious(_log, guilty, proof!.Type);
            }
        }
    }

    // ---------------------------------------------------------------- restart

    /// <summary>Rebuilds the in-memory indexes and the tortoise from the stores.</summary>
    private void Recover()
    {
        uint gapLimit = 4 * _o.LayersPerEpoch;
        uint empty = 0;
        for (var layer = _o.FirstLayer; empty < gapLimit; layer = new LayerId(layer.Value + 1))
        {
            var ballots = _store.BallotIdsInLayer(layer);
            var hare = _store.GetHareOutput(layer);
            if (ballots.Count == 0 && hare is null && _store.GetLayer(layer) is null)
            {
                empty++;
                continue;
            }

            empty = 0;
            var context = Context(layer.GetEpoch(_o.LayersPerEpoch));
            foreach (var atx in context.ActiveSet)
            {
                if (_nodes.IsMalicious(atx.SmesherId))
                {
                    lock (_malicious) _malicious.Add(atx.SmesherId);
                    _tortoise.OnMalfeasance(atx.SmesherId);
                }
            }

            // Reference ballots first: the others name them.
            var decoded = ballots.Select(id => (Id: new BallotId(id), Ballot: Ballot.Decode(_store.GetBallot(id)!.Blob.Span)))
                .OrderBy(b => b.Ballot.Inner.EpochData is null).ToList();
            foreach (var (id, ballot) in decoded)
            {
                if (context.Atx(ballot.Inner.AtxId) is not { } atx) continue;
                Register(ballot, id, context.SlotsOf(atx.SmesherId, _o), atx);
            }

            if (hare is { } block) _tortoise.OnHareOutput(layer, block);
            if (layer > _current) _current = layer;
        }

        ApplyUpdates();
    }

    // ---------------------------------------------------------------- transport helpers

    private async Task PublishAllAsync(List<(string Topic, byte[] Payload)> outbox, CancellationToken ct)
    {
        foreach (var (topic, payload) in outbox)
        {
            try
            {
                await _gossip.PublishAsync(topic, payload, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.PublishFailed(_log, topic, e.Message);
            }
        }
    }

    private ValueTask<byte[]> ServeLayerData(PeerId sender, ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        var layer = LayerData.ParseRequest(request.Span);
        var data = new LayerData
        {
            Ballots = _store.BallotIdsInLayer(layer),
            Blocks = [.. _store.BlockIdsInLayer(layer).Select(b => b.Value)],
        };
        return ValueTask.FromResult(ScaleCodec.Encode(data));
    }

    /// <summary>For tests: each layer's opinion and, per ballot, the layers where its votes differ from it.</summary>
    internal string DescribeLayers(LayerId from, LayerId to)
    {
        var text = new System.Text.StringBuilder();
        for (var l = from; l <= to; l = new LayerId(l.Value + 1))
        {
            var (block, verified) = _tortoise.Opinion(l);
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n  {l}: {(block is { } b ? b.ToString()[..4] : "abstain")}{(verified ? " verified" : "")} ballots:");
            foreach (var id in _store.BallotIdsInLayer(l))
            {
                var ballot = Ballot.Decode(_store.GetBallot(id)!.Blob.Span);
                var votes = _votes.GetValueOrDefault(new BallotId(id)) ?? [];
                var bad = votes.Where(v => v.Opinion != _tortoise.Opinion(v.Layer).Block).Select(v => v.Layer.Value);
                text.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $" [{ballot.SmesherId.ToString()[..4]} n={ballot.EligibilityProofs.Count}{(IsMalicious(ballot.SmesherId) ? " M" : "")} votes={votes.Count} bad={string.Join(',', bad)}]");
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, vrf) in _vrfs) vrf.Dispose();
        _gate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "epoch {Epoch}: {Atxs} ATXs in the active set, total weight {Weight}, beacon {Beacon}")]
        public static partial void EpochStarted(ILogger logger, uint epoch, int atxs, ulong weight, Beacon beacon);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Identity} proposes in layer {Layer} with {Proofs} eligibilities")]
        public static partial void ProposalBuilt(ILogger logger, NodeId identity, uint layer, int proofs);

        [LoggerMessage(Level = LogLevel.Information, Message = "layer {Layer}: hare output of {Count} proposals, block {Block}")]
        public static partial void HareOutput(ILogger logger, uint layer, int count, BlockId block);

        [LoggerMessage(Level = LogLevel.Warning, Message = "layer {Layer} reverted: the tortoise chose another block")]
        public static partial void Reverted(ILogger logger, uint layer);

        [LoggerMessage(Level = LogLevel.Warning, Message = "layer {Layer} cannot be applied yet: {Reason}")]
        public static partial void ApplyFailed(ILogger logger, uint layer, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "identity {Identity} is malicious (proof type {Type})")]
        public static partial void Malicious(ILogger logger, NodeId identity, byte type);

        [LoggerMessage(Level = LogLevel.Warning, Message = "publishing on {Topic} failed: {Reason}")]
        public static partial void PublishFailed(ILogger logger, string topic, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "sync: layers {From}-{To}: {Ballots} ballots, {Blocks} blocks fetched")]
        public static partial void Synced(ILogger logger, uint from, uint to, int ballots, int blocks);
    }
}
