using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Node.Validation;
using Xunit;

namespace Prover.Node.Tests.Validation;

public sealed class AtxValidatorTests(AtxWorld world) : IClassFixture<AtxWorld>
{
    private static AtxId SomeId(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    private static async Task<AtxVerdict> Validate(AtxValidator validator, ActivationTxV1 atx) =>
        await validator.ValidateAsync(atx.Encode(), CancellationToken.None);

    /// <summary>Stores the initial ATX and returns it with the store and validator.</summary>
    private async Task<(NodeStore Store, AtxValidator Validator, ActivationTxV1 Initial)> WithInitial()
    {
        var store = AtxWorld.NewStore();
        var validator = world.Validator(store);
        var initial = world.InitialAtx(store);
        var verdict = await Validate(validator, initial);
        Assert.True(verdict.IsValid, verdict.Message);
        return (store, validator, initial);
    }

    /// <summary>
    /// Stores the initial ATX (and <paramref name="known"/>), then checks that the next ATX, changed by
    /// <paramref name="edit"/>, is rejected for <paramref name="reason"/> and not stored.
    /// </summary>
    private async Task AssertNextAtxRejected(AtxRejection reason, Action<ActivationTxV1> edit, AtxHeader? known = null)
    {
        var (store, validator, initial) = await WithInitial();
        if (known is not null)
        {
            store.AddAtx(known, 1, [1, 2, 3]);
        }

        var next = world.NextAtx(store, initial, edit);
        AssertRejectedAndNotStored(store, await Validate(validator, next), reason);
    }

    /// <summary>
    /// Builds the next ATX after the stored initial one, changes it with <paramref name="forge"/> and signs it again, then
    /// checks that it is rejected for <paramref name="reason"/> and not stored; returns the verdict.
    /// </summary>
    private async Task<AtxVerdict> AssertForgedNextAtxRejected(AtxRejection reason, Action<ActivationTxV1> forge)
    {
        var (store, validator, initial) = await WithInitial();
        var next = world.NextAtx(store, initial);
        forge(next);
        world.Sign(next);
        var verdict = await Validate(validator, next);
        AssertRejectedAndNotStored(store, verdict, reason);
        return verdict;
    }

    private static void AssertRejectedAndNotStored(NodeStore store, AtxVerdict verdict, AtxRejection reason)
    {
        Assert.False(verdict.IsValid);
        Assert.True(reason == verdict.Reason, $"expected {reason}, got {verdict.Reason}: {verdict.Message}");
        Assert.NotNull(verdict.Message);
        if (verdict.Id is { } id && reason != AtxRejection.AlreadyKnown)
        {
            Assert.False(store.ContainsAtx(id));
            Assert.Null(store.GetAtxBlob(id));
        }
    }

    [Fact]
    public async Task A_valid_initial_atx_is_accepted_stored_and_weighed()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store);
        var verdict = await Validate(world.Validator(store), atx);

        Assert.True(verdict.IsValid, verdict.Message);
        Assert.Equal(atx.ComputeId(), verdict.Id);
        Assert.Equal(AtxWorld.NumUnits, verdict.EffectiveNumUnits);
        Assert.Equal(0UL, verdict.BaseTickHeight);
        Assert.Equal(AtxWorld.PoetLeaves / AtxWorld.TickSize, verdict.TickCount);
        Assert.Equal(AtxWorld.NumUnits * (AtxWorld.PoetLeaves / AtxWorld.TickSize), verdict.Weight);
        Assert.Equal(AtxValidity.Valid, verdict.Validity);
        var header = store.GetAtx(atx.ComputeId());
        Assert.NotNull(header);
        Assert.Equal(verdict.Weight, header.Weight);
        Assert.Equal(world.Genesis.GoldenAtx, header.CommitmentAtxId);
        Assert.Equal(world.VrfNonce, header.VrfNonce);
        Assert.Equal(atx.Encode(), store.GetAtxBlob(atx.ComputeId())!.Bytes.ToArray());
    }

    [Fact]
    public async Task A_valid_subsequent_atx_is_accepted_with_the_positioning_tick_height_as_base()
    {
        var (store, validator, initial) = await WithInitial();
        var next = world.NextAtx(store, initial);
        var verdict = await Validate(validator, next);

        Assert.True(verdict.IsValid, verdict.Message);
        var initialHeader = store.GetAtx(initial.ComputeId())!;
        Assert.Equal(initialHeader.TickHeight, verdict.BaseTickHeight);
        Assert.Equal(initialHeader.TickHeight + verdict.TickCount, verdict.TickHeight);
        Assert.Equal(world.VrfNonce, store.GetAtx(next.ComputeId())!.VrfNonce);
        Assert.Equal(AtxValidity.Valid, verdict.Validity);
    }

    [Fact]
    public async Task A_subset_checked_atx_is_stored_with_validity_unknown()
    {
        var store = AtxWorld.NewStore();
        var verdict = await Validate(world.Validator(store, k3: 2), world.InitialAtx(store));
        Assert.True(verdict.IsValid, verdict.Message);
        Assert.Equal(AtxValidity.Unknown, verdict.Validity);
    }

    [Fact]
    public async Task A_blob_that_does_not_decode_is_rejected_as_malformed()
    {
        var store = AtxWorld.NewStore();
        var blob = world.InitialAtx(store).Encode();
        var verdict = await world.Validator(store).ValidateAsync(blob.AsMemory(0, blob.Length - 1), CancellationToken.None);
        AssertRejectedAndNotStored(store, verdict, AtxRejection.Malformed);
        Assert.Null(verdict.Atx);
        Assert.Empty(store.AtxIdsInEpoch(1));
    }

    [Fact]
    public async Task Indices_longer_than_their_limit_are_rejected_by_the_decoder()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store);
        atx.NIPost!.Post!.Indices = Enumerable.Repeat((byte)0xab, (int)PostV1.MaxIndicesBytes).ToArray();
        var blob = atx.Encode();
        // compact(800) = 0x81 0x0c; rewrite it as compact(801) = 0x85 0x0c and add one byte: 801 > max=800.
        byte[] prefix = [0x81, 0x0c, .. atx.NIPost.Post.Indices];
        int at = blob.AsSpan().IndexOf(prefix);
        Assert.True(at > 0);
        byte[] oversized = [.. blob[..at], 0x85, 0x0c, 0xab, .. blob[(at + 2)..]];
        var verdict = await world.Validator(store).ValidateAsync(oversized, CancellationToken.None);
        AssertRejectedAndNotStored(store, verdict, AtxRejection.Malformed);
        Assert.Contains("too many elements", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_signature_is_rejected()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store);
        var signature = atx.Signature.ToArray();
        signature[5] ^= 0x01;
        atx.Signature = new EdSignature(signature);
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), atx), AtxRejection.BadSignature);
    }

    [Fact]
    public async Task A_changed_field_breaks_the_signature()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store);
        atx.NumUnits++;
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), atx), AtxRejection.BadSignature);
    }

    [Fact]
    public async Task An_atx_seen_before_is_rejected_as_already_known()
    {
        var (store, validator, initial) = await WithInitial();
        var verdict = await Validate(validator, initial);
        Assert.Equal(AtxRejection.AlreadyKnown, verdict.Reason);
        Assert.Single(store.AtxIdsInEpoch(1));
    }

    [Fact]
    public async Task A_publish_epoch_beyond_next_epoch_is_a_syntax_error()
    {
        var (store, _, initial) = await WithInitial();
        var next = world.NextAtx(store, initial);
        var verdict = await Validate(world.Validator(store, currentEpoch: 0), next);
        AssertRejectedAndNotStored(store, verdict, AtxRejection.Syntax);
        Assert.Equal(AtxSyntaxReason.PublishEpochTooFar, verdict.SyntaxReason);
    }

    [Fact]
    public async Task A_forged_initial_post_nonce_is_rejected()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store);
        atx.InitialPost!.Nonce ^= 1;
        world.Sign(atx);
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), atx), AtxRejection.InvalidInitialPost);
    }

    [Fact]
    public async Task A_forged_nipost_index_is_rejected()
    {
        var verdict = await AssertForgedNextAtxRejected(AtxRejection.InvalidPost, next => next.NIPost!.Post!.Indices[0] ^= 0x01);
        Assert.Contains("index 0", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_nipost_pow_is_rejected()
    {
        var verdict = await AssertForgedNextAtxRejected(AtxRejection.InvalidPost, next =>
        {
            var post = next.NIPost!.Post!;
            byte[] challenge = next.NIPost.PostMetadata!.Challenge;
            byte[] difficulty = K2PowDifficulty.Scale(AtxWorld.PowDifficulty, AtxWorld.NumUnits);
            // The first other pow that RandomX itself rejects for this nonce group.
            post.Pow = Enumerable.Range(1, 1000).Select(d => post.Pow + (ulong)d)
                .First(p => !world.Pow.Verify(p, (byte)(post.Nonce / 16), challenge.AsSpan(0, 8), difficulty, world.Signer.NodeId.Span));
        });
        Assert.Contains("k2pow", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task A_wrong_poet_leaf_index_is_rejected() =>
        AssertForgedNextAtxRejected(AtxRejection.PoetMembership, next => next.NIPost!.Membership.LeafIndex++);

    [Fact]
    public Task A_wrong_poet_sibling_is_rejected() =>
        AssertForgedNextAtxRejected(AtxRejection.PoetMembership, next =>
        {
            var nodes = next.NIPost!.Membership.Nodes;
            var sibling = nodes[1].ToArray();
            sibling[0] ^= 0x80;
            nodes[1] = new Hash32(sibling);
        });

    [Fact]
    public async Task A_poet_proof_that_is_not_stored_is_rejected()
    {
        var (store, _, initial) = await WithInitial();
        var next = world.NextAtx(AtxWorld.NewStore(), initial);
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), next), AtxRejection.MissingPoetProof);
    }

    [Fact]
    public Task An_unknown_previous_atx_is_rejected() =>
        AssertNextAtxRejected(AtxRejection.UnknownPrevAtx, a => a.PrevAtxId = SomeId(0x42));

    [Fact]
    public Task A_wrong_sequence_is_rejected() =>
        AssertNextAtxRejected(AtxRejection.WrongSequence, a => a.Sequence = 5);

    [Fact]
    public Task A_previous_atx_of_another_smesher_is_rejected()
    {
        var other = OtherSmeshersAtx(SomeId(0x51), epoch: 1);
        return AssertNextAtxRejected(AtxRejection.PrevAtxOfOtherSmesher, a => a.PrevAtxId = other.Id, known: other);
    }

    [Fact]
    public Task A_positioning_atx_from_the_same_or_a_later_epoch_is_rejected()
    {
        var future = OtherSmeshersAtx(SomeId(0x61), epoch: 2);
        return AssertNextAtxRejected(AtxRejection.PositioningAtxNotBefore, a => a.PositioningAtxId = future.Id, known: future);
    }

    [Fact]
    public Task An_unknown_positioning_atx_is_rejected() =>
        AssertNextAtxRejected(AtxRejection.UnknownPositioningAtx, a => a.PositioningAtxId = SomeId(0x62));

    [Fact]
    public async Task A_bad_vrf_nonce_is_rejected()
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store, vrfNonce: world.BadVrfNonce);
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), atx), AtxRejection.BadVrfNonce);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(17u)]
    public async Task NumUnits_outside_the_network_bounds_is_rejected(uint units)
    {
        var store = AtxWorld.NewStore();
        var atx = world.InitialAtx(store, numUnits: units);
        AssertRejectedAndNotStored(store, await Validate(world.Validator(store), atx), AtxRejection.NumUnitsOutOfBounds);
    }

    [Fact]
    public async Task A_second_atx_for_one_publish_epoch_stores_a_malfeasance_proof_and_not_the_atx()
    {
        var (store, validator, initial) = await WithInitial();
        // Same challenge (so the same PoET membership and PoST), another coinbase: another id, equally well signed.
        var twin = world.InitialAtx(store, coinbase: 2);
        Assert.NotEqual(initial.ComputeId(), twin.ComputeId());

        var verdict = await Validate(validator, twin);

        AssertRejectedAndNotStored(store, verdict, AtxRejection.DoublePublish);
        Assert.True(store.IsMalicious(world.Signer.NodeId));
        var record = store.GetMalfeasanceProof(world.Signer.NodeId)!;
        Assert.Equal(AtxMalfeasance.MultipleAtxs, record.Domain);
        Assert.Equal(verdict.MalfeasanceProof!.Value.ToArray(), record.Proof.ToArray());
        // The proof carries both signed messages: each verifies under the smesher's key.
        var verifier = new EdVerifier(world.Genesis.GenesisId);
        foreach (var atx in new[] { initial, twin })
        {
            Assert.True(verifier.Verify(SignatureDomain.Atx, world.Signer.NodeId, atx.SignedBytes(), atx.Signature.Span));
            Assert.True(record.Proof.Span.IndexOf(atx.Signature.Span) > 0);
        }

        Assert.Equal([initial.ComputeId()], store.AtxIdsInEpoch(1));
    }

    [Fact]
    public async Task Without_the_post_check_the_forged_post_passes_so_the_check_is_what_rejects_it()
    {
        var (store, _, initial) = await WithInitial();
        var next = world.NextAtx(store, initial);
        next.NIPost!.Post!.Nonce ^= 1;
        world.Sign(next);
        var verdict = await Validate(world.Validator(store, checkPost: false), next);
        Assert.True(verdict.IsValid, verdict.Message);
        Assert.Equal(AtxValidity.Unknown, verdict.Validity);
    }

    private static AtxHeader OtherSmeshersAtx(AtxId id, uint epoch) => new()
    {
        Id = id,
        PublishEpoch = epoch,
        SmesherId = new NodeId(Enumerable.Repeat((byte)0xee, 32).ToArray()),
        PositioningAtxId = SomeId(0x01),
        CommitmentAtxId = SomeId(0x02),
        NumUnits = 2,
        EffectiveNumUnits = 2,
        TickCount = 3,
        Weight = 6,
        Coinbase = new byte[AtxHeader.CoinbaseLength],
        Validity = AtxValidity.Valid,
    };
}
