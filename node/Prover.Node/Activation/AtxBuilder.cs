using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Primitives;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Genesis;
using Prover.Node.Poet;
using Prover.Node.PostService;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;

namespace Prover.Node.Activation;

/// <summary>What an <see cref="AtxBuilder"/> needs: the identity, the store, the network timing and its PoET and PoST.</summary>
public sealed record AtxBuilderOptions
{
    /// <summary>The identity that signs the ATXs.</summary>
    public required EdSigner Signer { get; init; }

    /// <summary>The node's store: ATXs, PoET proofs and the builder's state.</summary>
    public required NodeStore Store { get; init; }

    /// <summary>The network's genesis (prefix of PoET registrations, golden ATX).</summary>
    public required GenesisConfig Genesis { get; init; }

    /// <summary>The PoET rounds on the layer clock.</summary>
    public required PoetSchedule Schedule { get; init; }

    /// <summary>The PoET to register at.</summary>
    public required IPoetRegistrar Poet { get; init; }

    /// <summary>Where PoST proofs come from (local prover or a connected post service).</summary>
    public required IPostProofSource Post { get; init; }

    /// <summary>Validates each ATX after it is stored.</summary>
    public required IAtxValidator Validator { get; init; }

    /// <summary>PoET leaves per tick.</summary>
    public required ulong TickSize { get; init; }

    /// <summary>The reward address; default: the identity's own wallet address.</summary>
    public Address? Coinbase { get; init; }

    /// <summary>How often to poll for the PoET proof and retry after transient errors.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The log.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>What an <see cref="AtxBuilder"/> is doing, for the operator API and the console.</summary>
public enum BuilderActivity
{
    /// <summary>Not started.</summary>
    Starting,

    /// <summary>Waiting for the post service of this identity to connect.</summary>
    WaitingForPostService,

    /// <summary>Proving the initial PoST.</summary>
    ProvingInitialPost,

    /// <summary>Waiting for the time to build the next challenge.</summary>
    WaitingForChallengeTime,

    /// <summary>Registering at the PoET.</summary>
    Registering,

    /// <summary>Registered, waiting for the PoET round to end.</summary>
    WaitingForPoetRound,

    /// <summary>Proving the PoST over the PoET proof.</summary>
    Proving,

    /// <summary>The ATX is built, waiting for its publish epoch's first layer.</summary>
    WaitingToPublish,

    /// <summary>The ATX of <see cref="AtxBuilderStatus.PublishEpoch"/> is published.</summary>
    Published,

    /// <summary>A step failed; retrying.</summary>
    Retrying,
}

/// <summary>A snapshot of a builder's progress.</summary>
/// <param name="Activity">What it is doing.</param>
/// <param name="PublishEpoch">The publish epoch it works for (0 before the first).</param>
/// <param name="LastAtx">The identity's last published ATX, if any.</param>
/// <param name="Detail">A short note (the last error when retrying).</param>
public sealed record AtxBuilderStatus(BuilderActivity Activity, uint PublishEpoch, AtxHeader? LastAtx, string Detail);

/// <summary>
/// The NIPoST/ATX builder of one identity (NODE.md §2.2, §4.4): builds the NIPoST challenge at round start − grace,
/// registers it at the PoET before the round starts, fetches the round's proof after it ends, proves the PoST over
/// the proof's reference, builds and signs the ATX V1 and publishes it (stores it in <see cref="NodeStore"/>) once
/// the publish epoch's first layer has started. Each step is persisted in the store's builder state, so a restart
/// resumes where it stopped; an epoch for which the identity already has an ATX is never built again, and a built
/// blob is the one stored after a restart.
/// </summary>
public sealed partial class AtxBuilder
{
    private readonly AtxBuilderOptions _o;
    private readonly NodeId _me;
    private readonly LayerClock _clock;
    private readonly ILogger _log;
    private volatile AtxBuilderStatus _status;

    /// <summary>A builder for <see cref="AtxBuilderOptions.Signer"/>'s identity.</summary>
    public AtxBuilder(AtxBuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfZero(options.TickSize, nameof(options));
        _o = options;
        _me = options.Signer.NodeId;
        _clock = options.Schedule.Clock;
        _log = options.Logger ?? NullLogger.Instance;
        _status = new AtxBuilderStatus(BuilderActivity.Starting, 0, options.Store.LastAtx(_me), "");
    }

    /// <summary>The identity.</summary>
    public NodeId NodeId => _me;

    /// <summary>The latest progress snapshot.</summary>
    public AtxBuilderStatus Status => _status;

    /// <summary>Raised after an ATX of this identity is stored and validated.</summary>
    public event Action<AtxBuilder, AtxHeader, AtxVerdict>? Published;

    /// <summary>Builds and publishes ATXs until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        Set(BuilderActivity.WaitingForPostService, _status.PublishEpoch, "");
        await _o.Post.WaitForConnectionAsync(_me, ct).ConfigureAwait(false);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await StepAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (ChallengeExpiredException e)
            {
                Log.Expired(_log, _me, e.Message);
                Reset(Load());
            }
            catch (Exception e) when (e is PostServiceUnavailableException or PostProofFailedException or PoetClientException
                                          or PoetException or HttpRequestException or TimeoutException or IOException)
            {
                Log.StepFailed(_log, _me, e.Message);
                Set(BuilderActivity.Retrying, _status.PublishEpoch, e.Message);
                await Task.Delay(_o.PollInterval * 5, _clock.Time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the next step of the state machine (one persisted transition, or a wait).</summary>
    public Task StepAsync(CancellationToken ct)
    {
        var state = Load();
        return state.Step switch
        {
            BuilderStep.Idle => BuildChallengeAsync(state, ct),
            BuilderStep.ChallengeBuilt => RegisterAsync(state, ct),
            BuilderStep.Registered => FetchProofAsync(state, ct),
            BuilderStep.ProofFetched => ProveAsync(state, ct),
            BuilderStep.PostProved => BuildAtxAsync(state, ct),
            BuilderStep.AtxBuilt => PublishAsync(state, ct),
            _ => throw new InvalidDataException($"unknown builder step {state.Step}"),
        };
    }

    private async Task BuildChallengeAsync(AtxBuilderState state, CancellationToken ct)
    {
        var last = _o.Store.LastAtx(_me);
        var epoch = _o.Schedule.NextPublishEpoch(_clock.Now);
        if (last is not null && epoch.Value <= last.PublishEpoch)
        {
            epoch = new EpochId(last.PublishEpoch + 1);
        }

        if (last is null && state.InitialPost is null)
        {
            Set(BuilderActivity.ProvingInitialPost, epoch.Value, "");
            var initial = await _o.Post.GenerateProofAsync(_me, Challenge.Zero, ct).ConfigureAwait(false);
            Save(state with { InitialPost = Hex(ScaleCodec.Encode(ToPost(initial))) });
            return;
        }

        Set(BuilderActivity.WaitingForChallengeTime, epoch.Value, "");
        await _clock.WaitUntilAsync(_o.Schedule.ChallengeTime(epoch), ct).ConfigureAwait(false);
        if (_clock.Now >= _o.Schedule.RegistrationDeadline(epoch))
        {
            return; // too late for this round: the next call picks the next epoch
        }

        var (positioning, baseTick) = PositioningAtx(epoch, last);
        var challenge = new NIPostChallengeV1
        {
            PublishEpoch = epoch,
            Sequence = last is null ? 0 : last.Sequence + 1,
            PrevAtxId = last?.Id ?? AtxId.Zero,
            PositioningAtxId = positioning,
        };
        if (last is null)
        {
            var info = await _o.Post.InfoAsync(_me, ct).ConfigureAwait(false);
            challenge.CommitmentAtxId = info.CommitmentAtxId;
            challenge.InitialPost = ScaleCodec.Decode<PostV1>(FromHex(state.InitialPost!));
        }

        Save(state with
        {
            Step = BuilderStep.ChallengeBuilt,
            PublishEpoch = epoch.Value,
            Challenge = Hex(ScaleCodec.Encode(challenge)),
            BaseTickHeight = baseTick,
        });
        Log.ChallengeBuilt(_log, _me, epoch.Value, challenge.Sequence, positioning);
    }

    private async Task RegisterAsync(AtxBuilderState state, CancellationToken ct)
    {
        var epoch = new EpochId(state.PublishEpoch);
        Set(BuilderActivity.Registering, epoch.Value, "");
        if (_clock.Now >= _o.Schedule.RegistrationDeadline(epoch))
        {
            throw new ChallengeExpiredException($"missed the registration of round {PoetSchedule.RoundFor(epoch)}");
        }

        var hash = ScaleCodec.Decode<NIPostChallengeV1>(FromHex(state.Challenge!)).Hash();
        var pow = await _o.Poet.PowParamsAsync(ct).ConfigureAwait(false);
        var request = new PoetSubmitRequest(
            0, pow, PoetRegistrationSignature.Prefix(_o.Genesis.GenesisId), hash.ToArray(), _o.Signer.PublicKey,
            PoetRegistrationSignature.Sign(_o.Signer, hash.Span), _o.Schedule.PoetProofDeadline(epoch));
        var result = await _o.Poet.SubmitAsync(request, ct).ConfigureAwait(false);
        var expected = PoetSchedule.RoundId(PoetSchedule.RoundFor(epoch));
        if (result.RoundId != expected)
        {
            throw new ChallengeExpiredException($"registered in round {result.RoundId}, not {expected}");
        }

        Save(state with { Step = BuilderStep.Registered, RoundId = result.RoundId });
        Log.Registered(_log, _me, epoch.Value, result.RoundId);
    }

    private async Task FetchProofAsync(AtxBuilderState state, CancellationToken ct)
    {
        var epoch = new EpochId(state.PublishEpoch);
        Set(BuilderActivity.WaitingForPoetRound, epoch.Value, "round " + state.RoundId);
        await _clock.WaitUntilAsync(_o.Schedule.ProofAvailable(epoch), ct).ConfigureAwait(false);
        PoetRoundProof? proof;
        while ((proof = await _o.Poet.TryGetProofAsync(state.RoundId!, ct).ConfigureAwait(false)) is null)
        {
            if (_clock.Now >= _o.Schedule.PoetProofDeadline(epoch))
            {
                throw new ChallengeExpiredException($"no PoET proof for round {state.RoundId} before its deadline");
            }

            await Task.Delay(_o.PollInterval, _clock.Time, ct).ConfigureAwait(false);
        }

        var leaf = ScaleCodec.Decode<NIPostChallengeV1>(FromHex(state.Challenge!)).Hash();
        var index = IndexOf(proof.Members, leaf);
        if (index < 0)
        {
            throw new ChallengeExpiredException($"our challenge is not a member of round {state.RoundId}");
        }

        // The statement the PoET worked on is the membership root; the proof's own root is that of its sequential work.
        var path = MembershipTree.Prove(proof.Members, (ulong)index);
        var statement = MembershipTree.Root(proof.Members);
        var reference = proof.Proof.Ref();
        _o.Store.PutPoetProof(reference, proof.Proof.EncodeMessage(proof.Pubkey, state.RoundId!, statement, new byte[64]));
        Save(state with
        {
            Step = BuilderStep.ProofFetched,
            PoetRef = reference.ToString(),
            LeafIndex = (ulong)index,
            Membership = [.. path.Select(h => h.ToString())],
            LeafCount = proof.Proof.LeafCount,
        });
    }

    private async Task ProveAsync(AtxBuilderState state, CancellationToken ct)
    {
        var epoch = new EpochId(state.PublishEpoch);
        Set(BuilderActivity.Proving, epoch.Value, "");
        var reference = Hash32.Parse(state.PoetRef!);
        var result = await _o.Post.GenerateProofAsync(_me, new Challenge(reference), ct).ConfigureAwait(false);
        if (_clock.Now >= _clock.EpochEnd(epoch))
        {
            throw new ChallengeExpiredException($"the PoST proof for epoch {epoch} finished after the epoch ended");
        }

        Save(state with
        {
            Step = BuilderStep.PostProved,
            Post = Hex(ScaleCodec.Encode(ToPost(result))),
            NumUnits = result.Info.NumUnits,
            LabelsPerUnit = result.Info.LabelsPerUnit,
        });
    }

    private async Task BuildAtxAsync(AtxBuilderState state, CancellationToken ct)
    {
        var challenge = ScaleCodec.Decode<NIPostChallengeV1>(FromHex(state.Challenge!));
        var atx = new ActivationTxV1
        {
            NIPostChallenge = challenge,
            Coinbase = _o.Coinbase ?? Address.FromPublicKey(_me),
            NumUnits = state.NumUnits,
            NIPost = new NIPostV1
            {
                Membership = new MerkleProofV1
                {
                    Nodes = [.. state.Membership!.Select(Hash32.Parse)],
                    LeafIndex = state.LeafIndex,
                },
                Post = ScaleCodec.Decode<PostV1>(FromHex(state.Post!)),
                PostMetadata = new PostMetadataV1
                {
                    Challenge = Hash32.Parse(state.PoetRef!).ToArray(),
                    LabelsPerUnit = state.LabelsPerUnit,
                },
            },
        };
        if (challenge.IsInitial)
        {
            var info = await _o.Post.InfoAsync(_me, ct).ConfigureAwait(false);
            atx.VrfNonce = info.VrfNonce ?? throw new PostProofFailedException("the PoST data has no VRF nonce");
        }

        var message = atx.PrepareForSigning(_me);
        atx.Signature = new EdSignature(_o.Signer.Sign(SignatureDomain.Atx, message));
        Save(state with { Step = BuilderStep.AtxBuilt, AtxBlob = Hex(atx.Encode()) });
    }

    private async Task PublishAsync(AtxBuilderState state, CancellationToken ct)
    {
        var epoch = new EpochId(state.PublishEpoch);
        var blob = FromHex(state.AtxBlob!);
        var atx = ActivationTxV1.Decode(blob);
        var id = atx.ComputeId();
        Set(BuilderActivity.WaitingToPublish, epoch.Value, id.ToString());
        await _clock.WaitForLayerAsync(_clock.FirstLayer(epoch), ct).ConfigureAwait(false);
        var mine = _o.Store.AtxIdsBySmesherInEpoch(_me, epoch.Value);
        if (mine.Count > 0 && !mine.Contains(id))
        {
            Log.Expired(_log, _me, $"epoch {epoch} already has ATX {mine[0]}; dropping {id}");
            Reset(state);
            return;
        }

        if (mine.Count == 0 && _clock.Now >= _clock.EpochEnd(epoch))
        {
            throw new ChallengeExpiredException($"ATX {id} was ready only after epoch {epoch} ended");
        }

        // A restart may find this very blob stored already; otherwise the validator judges it first (a full validator
        // refuses an ATX it already knows, and stores a valid one itself) and we store it with the verdict when the
        // validator did not.
        var verdict = new AtxVerdict { Validity = _o.Store.GetAtx(id)?.Validity ?? AtxValidity.Unknown, Message = "stored before a restart" };
        if (!_o.Store.ContainsAtx(id))
        {
            verdict = await _o.Validator.ValidateAsync(blob, ct).ConfigureAwait(false);
            if (!_o.Store.ContainsAtx(id))
            {
                _o.Store.AddAtx(Header(atx, id, state) with { Validity = verdict.Validity }, 1, blob);
            }
        }

        Reset(state);
        var stored = _o.Store.GetAtx(id)!;
        _status = new AtxBuilderStatus(BuilderActivity.Published, epoch.Value, stored, "");
        Log.Published(_log, _me, epoch.Value, id, stored.Sequence, stored.Weight, verdict.Validity);
        Published?.Invoke(this, stored, verdict);
    }

    private AtxHeader Header(ActivationTxV1 atx, AtxId id, AtxBuilderState state)
    {
        var prev = atx.IsInitial ? null : _o.Store.GetAtx(atx.PrevAtxId);
        var effective = prev is null ? atx.NumUnits : Math.Min(prev.NumUnits, atx.NumUnits);
        var ticks = state.LeafCount / _o.TickSize;
        return new AtxHeader
        {
            Id = id,
            PublishEpoch = atx.PublishEpoch.Value,
            SmesherId = atx.SmesherId,
            Sequence = atx.Sequence,
            PreviousAtxId = atx.IsInitial ? null : atx.PrevAtxId,
            PositioningAtxId = atx.PositioningAtxId,
            CommitmentAtxId = atx.CommitmentAtxId,
            NumUnits = atx.NumUnits,
            EffectiveNumUnits = effective,
            VrfNonce = atx.VrfNonce ?? prev?.VrfNonce ?? 0,
            BaseTickHeight = state.BaseTickHeight,
            TickCount = ticks,
            Weight = checked(effective * ticks),
            Coinbase = atx.Coinbase.ToArray(),
            Validity = AtxValidity.Unknown,
            Received = _clock.Now,
        };
    }

    /// <summary>
    /// The highest-tick-height valid ATX published in the epoch before <paramref name="epoch"/>, or our own previous
    /// ATX when it is at least as high, or the golden ATX (tick height 0).
    /// </summary>
    private (AtxId Id, ulong TickHeight) PositioningAtx(EpochId epoch, AtxHeader? last)
    {
        AtxHeader? best = null;
        if (epoch.Value > 0)
        {
            foreach (var candidate in _o.Store.AtxIdsInEpoch(epoch.Value - 1))
            {
                if (_o.Store.GetAtx(candidate) is { Validity: AtxValidity.Valid } h
                    && (best is null || h.TickHeight > best.TickHeight))
                {
                    best = h;
                }
            }
        }

        if (last is not null && (best is null || last.TickHeight >= best.TickHeight))
        {
            best = last;
        }

        return best is null ? (_o.Genesis.GoldenAtx, 0) : (best.Id, best.TickHeight);
    }

    private AtxBuilderState Load()
    {
        var stored = _o.Store.GetBuilderState(_me);
        return stored is null ? new AtxBuilderState() : AtxBuilderState.Decode(stored.Version, stored.State.Span);
    }

    private void Save(AtxBuilderState state) => _o.Store.PutBuilderState(_me, AtxBuilderState.Version, state.Encode());

    /// <summary>Back to idle; the initial PoST is kept until an ATX of ours is stored.</summary>
    private void Reset(AtxBuilderState state)
    {
        if (_o.Store.LastAtx(_me) is null && state.InitialPost is not null)
        {
            Save(new AtxBuilderState { InitialPost = state.InitialPost });
        }
        else
        {
            _o.Store.DeleteBuilderState(_me);
        }
    }

    private void Set(BuilderActivity activity, uint epoch, string detail) =>
        _status = new AtxBuilderStatus(activity, epoch, _o.Store.LastAtx(_me), detail);

    private static PostV1 ToPost(PostProofResult result) =>
        new() { Nonce = result.Proof.Nonce, Indices = result.Proof.Indices, Pow = result.Proof.Pow };

    private static int IndexOf(IReadOnlyList<Hash32> members, Hash32 leaf)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] == leaf)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] FromHex(string hex) => Convert.FromHexString(hex);

    private sealed class ChallengeExpiredException(string message) : Exception(message);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "builder {NodeId}: challenge for epoch {Epoch} built (sequence {Sequence}, positioning {Positioning})")]
        public static partial void ChallengeBuilt(ILogger logger, NodeId nodeId, uint epoch, ulong sequence, AtxId positioning);

        [LoggerMessage(Level = LogLevel.Information, Message = "builder {NodeId}: registered for epoch {Epoch} in PoET round {Round}")]
        public static partial void Registered(ILogger logger, NodeId nodeId, uint epoch, string round);

        [LoggerMessage(Level = LogLevel.Information, Message = "builder {NodeId}: published ATX {Id} for epoch {Epoch} (sequence {Sequence}, weight {Weight}, {Validity})")]
        public static partial void Published(ILogger logger, NodeId nodeId, uint epoch, AtxId id, ulong sequence, ulong weight, AtxValidity validity);

        [LoggerMessage(Level = LogLevel.Warning, Message = "builder {NodeId}: challenge abandoned: {Reason}")]
        public static partial void Expired(ILogger logger, NodeId nodeId, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "builder {NodeId}: step failed, retrying: {Reason}")]
        public static partial void StepFailed(ILogger logger, NodeId nodeId, string reason);
    }
}
