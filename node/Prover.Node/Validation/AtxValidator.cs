using System.Collections.Concurrent;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Codec;
using Prover.Node.Poet;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Verifier;

namespace Prover.Node.Validation;

/// <summary>The network parameters and local choices <see cref="AtxValidator"/> validates with.</summary>
public sealed record AtxValidatorOptions
{
    /// <summary>The golden ATX: accepted as positioning/commitment ATX without being stored.</summary>
    public required AtxId GoldenAtx { get; init; }

    /// <summary>The PoST proof parameters (K1, K2, K3 and the k2pow difficulty per unit).</summary>
    public required ProofConfig ProofConfig { get; init; }

    /// <summary>The PoST init parameters (NumUnits bounds, LabelsPerUnit, scrypt N).</summary>
    public required InitConfig InitConfig { get; init; }

    /// <summary>Layers per epoch: a malfeasance proof names the first layer of the publish epoch.</summary>
    public required uint LayersPerEpoch { get; init; }

    /// <summary>PoET leaves per tick (mainnet 9 331 200).</summary>
    public required ulong TickSize { get; init; }

    /// <summary>The local seed of the K3 subset check (go-spacemesh: the local p2p id).</summary>
    public byte[] PostSubsetSeed { get; init; } = [];

    /// <summary>Where PoST labels are recomputed: the scalar oracle when null; a node host passes the SIMD source.</summary>
    public ILabelSource? LabelSource { get; init; }

    /// <summary>The PoSW security parameter T (proven leaves of a PoET proof); 150 on every network.</summary>
    public int PoetSecurityParam { get; init; } = PoswHash.SecurityParam;
}

/// <summary>
/// Validates V1 ATX blobs against a <see cref="NodeStore"/> with every rule of NODE.md §1.5 (go-spacemesh
/// <c>handler_v1.go</c>) and stores the valid ones in one write batch; a second ATX of one identity for one publish
/// epoch (or naming one previous ATX twice) stores a malfeasance proof instead. It never trusts a builder: the node's
/// own ATXs go through it too. PoST proofs are checked with <see cref="ProofVerifier"/> (all K2 indices for the initial
/// PoST, the K3 subset seeded with <see cref="AtxValidatorOptions.PostSubsetSeed"/> for the NIPoST); PoET proofs are
/// checked once per reference with <see cref="PoswVerifier"/> and the challenge's membership with
/// <see cref="MembershipTree"/>.
/// </summary>
public sealed class AtxValidator : IAtxValidator
{
    private readonly NodeStore _store;
    private readonly EdVerifier _signatures;
    private readonly Func<EpochId> _currentEpoch;
    private readonly AtxValidatorOptions _options;
    private readonly ProofVerifier _post;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Hash32, PoetProofMessage> _verifiedPoetProofs = new();

    /// <summary>Creates a validator.</summary>
    /// <param name="store">The node's database: dependencies are read from it, valid ATXs written to it.</param>
    /// <param name="signatures">The network's signature verifier (its GenesisID prefix).</param>
    /// <param name="currentEpoch">The node's current epoch (usually <c>LayerClock.CurrentEpoch</c>).</param>
    /// <param name="options">Network parameters.</param>
    /// <param name="powVerifier">The k2pow check (RandomX light mode on a node).</param>
    /// <param name="time">Receive timestamps; the system clock when null.</param>
    public AtxValidator(NodeStore store, EdVerifier signatures, Func<EpochId> currentEpoch, AtxValidatorOptions options,
        IK2PowVerifier powVerifier, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(currentEpoch);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(powVerifier);
        _store = store;
        _signatures = signatures;
        _currentEpoch = currentEpoch;
        _options = options;
        _post = new ProofVerifier(options.ProofConfig, options.InitConfig, powVerifier, options.LabelSource);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether to run the PoST checks (initial PoST and NIPoST PoST). Off only to measure what the rest costs; a node
    /// never turns it off.
    /// </summary>
    public bool CheckPost { get; init; } = true;

    /// <inheritdoc/>
    public ValueTask<AtxVerdict> ValidateAsync(ReadOnlyMemory<byte> blob, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Validate(blob.Span, store: true, ct));
    }

    /// <summary>
    /// Validates without writing anything when <paramref name="store"/> is false (a read-only check, e.g.
    /// <c>post atx verify</c>); a double publication is then reported without storing its proof.
    /// </summary>
    public AtxVerdict Validate(ReadOnlySpan<byte> blob, bool store, CancellationToken ct = default)
    {
        if (!ActivationTxV1.TryDecode(blob, out var decoded, out var error))
        {
            return AtxVerdict.Rejected(AtxRejection.Malformed, error!.Message);
        }

        var atx = decoded!;
        var id = atx.ComputeId();
        AtxVerdict Reject(AtxRejection reason, string message) => AtxVerdict.Rejected(reason, message, atx, id);

        // 1. Signature, then "already known".
        if (!_signatures.Verify(SignatureDomain.Atx, atx.SmesherId, atx.SignedBytes(), atx.Signature.Span))
        {
            return Reject(AtxRejection.BadSignature, "invalid atx signature");
        }

        if (_store.ContainsAtx(id))
        {
            return Reject(AtxRejection.AlreadyKnown, $"atx {id} is already known");
        }

        // 2-4. Syntactic rules.
        var syntax = AtxSyntax.Check(atx, _currentEpoch());
        if (syntax.Count > 0)
        {
            return Reject(AtxRejection.Syntax, syntax[0].Message) with { SyntaxReason = syntax[0].Reason };
        }

        var nipost = atx.NIPost!;
        var metadata = nipost.PostMetadata!;
        var init = _options.InitConfig;
        if (atx.NumUnits < init.MinNumUnits || atx.NumUnits > init.MaxNumUnits)
        {
            return Reject(AtxRejection.NumUnitsOutOfBounds,
                $"invalid NumUnits: {atx.NumUnits} not in [{init.MinNumUnits}, {init.MaxNumUnits}]");
        }

        if (metadata.LabelsPerUnit < init.LabelsPerUnit)
        {
            return Reject(AtxRejection.LabelsPerUnitTooSmall,
                $"invalid LabelsPerUnit: {metadata.LabelsPerUnit} < {init.LabelsPerUnit}");
        }

        if (atx.PostChallenge is not { } postChallenge)
        {
            return Reject(AtxRejection.BadPostChallenge, $"the PoST challenge is {metadata.Challenge.Length} bytes, not 32");
        }

        var smesher = atx.SmesherId;
        var golden = _options.GoldenAtx;
        AtxHeader? prev = null;
        AtxId commitment;
        ulong vrfNonce;
        if (atx.IsInitial)
        {
            commitment = atx.CommitmentAtxId!.Value;
            vrfNonce = atx.VrfNonce!.Value;
            if (!VrfNonceValid(smesher, commitment, vrfNonce, atx.NumUnits, metadata.LabelsPerUnit))
            {
                return Reject(AtxRejection.BadVrfNonce, $"invalid vrf nonce {vrfNonce}");
            }

            if (CheckPost)
            {
                var initial = atx.InitialPost!;
                var meta = new ProofMetadata(smesher, commitment, Challenge.Zero, atx.NumUnits);
                if (_post.Verify(new Proof(initial.Nonce, initial.Indices, initial.Pow), meta, VerifyMode.All) is { } postError)
                {
                    return Reject(AtxRejection.InvalidInitialPost, $"invalid initial post: {postError.Message}");
                }
            }
        }
        else
        {
            // 5-6. Previous ATX.
            prev = _store.GetAtx(atx.PrevAtxId);
            if (prev is null)
            {
                return Reject(AtxRejection.UnknownPrevAtx, $"previous atx {atx.PrevAtxId} is not known");
            }

            if (prev.SmesherId != smesher)
            {
                return Reject(AtxRejection.PrevAtxOfOtherSmesher,
                    $"previous atx {atx.PrevAtxId} belongs to {prev.SmesherId}, not to {smesher}");
            }

            if (prev.PublishEpoch >= atx.PublishEpoch.Value)
            {
                return Reject(AtxRejection.PrevAtxNotBefore,
                    $"previous atx is published in epoch {prev.PublishEpoch}, not before {atx.PublishEpoch.Value}");
            }

            if (atx.Sequence != prev.Sequence + 1)
            {
                return Reject(AtxRejection.WrongSequence, $"sequence {atx.Sequence} is not previous sequence {prev.Sequence} + 1");
            }

            var first = _store.AtxsBySmesher(smesher).FirstOrDefault(h => h.CommitmentAtxId is not null);
            if (first?.CommitmentAtxId is not { } known)
            {
                return Reject(AtxRejection.UnknownCommitmentAtx, $"no initial atx (commitment atx) known for {smesher}");
            }

            commitment = known;
            vrfNonce = atx.VrfNonce ?? prev.VrfNonce;
            if ((atx.VrfNonce is not null || atx.NumUnits > prev.NumUnits) &&
                !VrfNonceValid(smesher, commitment, vrfNonce, atx.NumUnits, metadata.LabelsPerUnit))
            {
                return Reject(AtxRejection.BadVrfNonce, $"invalid vrf nonce {vrfNonce}");
            }
        }

        if (atx.IsInitial && commitment != golden)
        {
            var commitmentAtx = _store.GetAtx(commitment);
            if (commitmentAtx is null)
            {
                return Reject(AtxRejection.UnknownCommitmentAtx, $"commitment atx {commitment} is not known");
            }

            if (atx.PublishEpoch.Value <= commitmentAtx.PublishEpoch)
            {
                return Reject(AtxRejection.CommitmentAtxNotBefore,
                    $"commitment atx is published in epoch {commitmentAtx.PublishEpoch}, not before {atx.PublishEpoch.Value}");
            }
        }

        // Positioning ATX and base tick height.
        ulong baseTickHeight = 0;
        if (atx.PositioningAtxId != golden)
        {
            var positioning = _store.GetAtx(atx.PositioningAtxId);
            if (positioning is null)
            {
                return Reject(AtxRejection.UnknownPositioningAtx, $"positioning atx {atx.PositioningAtxId} is not known");
            }

            if (positioning.PublishEpoch >= atx.PublishEpoch.Value)
            {
                return Reject(AtxRejection.PositioningAtxNotBefore,
                    $"positioning atx is published in epoch {positioning.PublishEpoch}, not before {atx.PublishEpoch.Value}");
            }

            baseTickHeight = positioning.TickHeight;
        }

        uint effectiveUnits = prev is null ? atx.NumUnits : Math.Min(prev.NumUnits, atx.NumUnits);

        // NIPoST: PoST over the PoET proof's reference, then the PoET proof and the challenge's membership.
        bool fullCheck = _options.ProofConfig.K3 >= _options.ProofConfig.K2;
        if (CheckPost)
        {
            ct.ThrowIfCancellationRequested();
            var post = nipost.Post!;
            var meta = new ProofMetadata(smesher, commitment, postChallenge, atx.NumUnits);
            var mode = fullCheck ? VerifyMode.All : VerifyMode.Subset((int)_options.ProofConfig.K3, _options.PostSubsetSeed);
            if (_post.Verify(new Proof(post.Nonce, post.Indices, post.Pow), meta, mode) is { } postError)
            {
                return Reject(AtxRejection.InvalidPost, $"invalid post: {postError.Message}");
            }
        }

        var poet = PoetProof(postChallenge.Value, out var poetError);
        if (poet is null)
        {
            return Reject(poetError.Reason, poetError.Message);
        }

        var membership = nipost.Membership;
        if (!MembershipTree.Verify(atx.PoetChallengeHash(), membership.LeafIndex, membership.Nodes, poet.Statement))
        {
            return Reject(AtxRejection.PoetMembership,
                $"the challenge is not a member of the PoET round at leaf {membership.LeafIndex} (statement {poet.Statement})");
        }

        // 7. Weight.
        ulong tickCount = poet.Proof.LeafCount / _options.TickSize;
        ulong weight;
        try
        {
            weight = checked(effectiveUnits * tickCount);
        }
        catch (OverflowException)
        {
            return Reject(AtxRejection.WeightOverflow, $"weight overflow: {effectiveUnits} units × {tickCount} ticks");
        }

        if (ulong.MaxValue - baseTickHeight < tickCount)
        {
            return Reject(AtxRejection.WeightOverflow, $"tick height overflow: {baseTickHeight} + {tickCount}");
        }

        // 8. Malfeasance.
        uint layer = (uint)Math.Min((ulong)atx.PublishEpoch.Value * _options.LayersPerEpoch, uint.MaxValue);
        foreach (var other in _store.AtxIdsBySmesherInEpoch(smesher, atx.PublishEpoch.Value))
        {
            if (other != id && Malfeasance(AtxMalfeasance.MultipleAtxs, atx, id, other, store, layer) is { } proof)
            {
                return Reject(AtxRejection.DoublePublish,
                    $"{smesher} already published atx {other} in epoch {atx.PublishEpoch.Value}") with
                { MalfeasanceProof = proof };
            }
        }

        if (!atx.IsInitial)
        {
            foreach (var other in _store.AtxIdsWithPrevious(smesher, atx.PrevAtxId))
            {
                if (other != id && Malfeasance(AtxMalfeasance.InvalidPrevAtx, atx, id, other, store, layer) is { } proof)
                {
                    return Reject(AtxRejection.PrevAtxReused,
                        $"{smesher} already used previous atx {atx.PrevAtxId} in atx {other}") with
                    { MalfeasanceProof = proof };
                }
            }
        }

        // 9. Store.
        var validity = fullCheck && CheckPost ? AtxValidity.Valid : AtxValidity.Unknown;
        if (store)
        {
            var header = new AtxHeader
            {
                Id = id,
                PublishEpoch = atx.PublishEpoch.Value,
                SmesherId = smesher,
                Sequence = atx.Sequence,
                PreviousAtxId = atx.IsInitial ? null : atx.PrevAtxId,
                PositioningAtxId = atx.PositioningAtxId,
                CommitmentAtxId = atx.IsInitial ? commitment : null,
                NumUnits = atx.NumUnits,
                EffectiveNumUnits = effectiveUnits,
                VrfNonce = vrfNonce,
                BaseTickHeight = baseTickHeight,
                TickCount = tickCount,
                Weight = weight,
                Coinbase = atx.Coinbase.Span.ToArray(),
                Validity = validity,
                Received = _time.GetUtcNow(),
            };
            if (!_store.AddAtx(header, 1, blob))
            {
                return Reject(AtxRejection.AlreadyKnown, $"atx {id} is already known");
            }
        }

        return new AtxVerdict
        {
            Atx = atx,
            Id = id,
            Weight = weight,
            BaseTickHeight = baseTickHeight,
            TickCount = tickCount,
            EffectiveNumUnits = effectiveUnits,
            Validity = validity,
        };
    }

    private bool VrfNonceValid(NodeId smesher, AtxId commitment, ulong nonce, uint numUnits, ulong labelsPerUnit)
    {
        if (!CheckPost)
        {
            return true;
        }

        UInt128 labels = (UInt128)numUnits * labelsPerUnit;
        if (labels > ulong.MaxValue || labels == 0)
        {
            return false;
        }

        var postCommitment = Labels.Commitment(smesher, commitment);
        return ProofVerifier.VerifyVrfNonce(postCommitment.Span, nonce, (ulong)labels, _options.InitConfig.ScryptN);
    }

    private PoetProofMessage? PoetProof(Hash32 reference, out (AtxRejection Reason, string Message) error)
    {
        error = default;
        if (_verifiedPoetProofs.TryGetValue(reference, out var cached))
        {
            return cached;
        }

        var bytes = _store.GetPoetProof(reference);
        if (bytes is null)
        {
            error = (AtxRejection.MissingPoetProof, $"no PoET proof with reference {reference}");
            return null;
        }

        PoetProofMessage message;
        try
        {
            message = PoetProofMessage.Decode(bytes);
        }
        catch (ScaleDecodeException e)
        {
            error = (AtxRejection.InvalidPoetProof, $"the stored PoET proof does not decode: {e.Message}");
            return null;
        }

        if (message.Proof.Ref() != reference)
        {
            error = (AtxRejection.InvalidPoetProof, $"the stored PoET proof hashes to {message.Proof.Ref()}, not {reference}");
            return null;
        }

        var verdict = PoswVerifier.Verify(message.Proof, message.Statement, _options.PoetSecurityParam);
        if (!verdict.IsValid)
        {
            error = (AtxRejection.InvalidPoetProof, $"invalid PoET proof: {verdict.Error}");
            return null;
        }

        _verifiedPoetProofs[reference] = message;
        return message;
    }

    private byte[]? Malfeasance(byte type, ActivationTxV1 atx, AtxId id, AtxId otherId, bool store, uint layer)
    {
        if (_store.GetAtxBlob(otherId) is not { Format: 1 } blob ||
            !ActivationTxV1.TryDecode(blob.Bytes.Span, out var other, out _))
        {
            return null;
        }

        var proof = AtxMalfeasance.Encode(type, layer, atx.SmesherId,
            (other!.PublishEpoch, otherId, other.Signature), (atx.PublishEpoch, id, atx.Signature));
        if (store)
        {
            _store.AddMalfeasanceProof(atx.SmesherId, type, _time.GetUtcNow(), proof);
        }

        return proof;
    }
}
