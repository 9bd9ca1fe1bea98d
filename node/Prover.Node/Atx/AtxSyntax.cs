using System.Globalization;
using Prover.Core.Primitives;
using Prover.Node.Types;

namespace Prover.Node.Atx;

/// <summary>A syntactic rule an ATX broke (the database-free checks of go-spacemesh's handlers, NODE §1.5).</summary>
public enum AtxSyntaxReason
{
    /// <summary>V1: the NIPoST is missing.</summary>
    NilNipost,

    /// <summary>Publish epoch &gt; current epoch + 1.</summary>
    PublishEpochTooFar,

    /// <summary>Positioning ATX is zero.</summary>
    EmptyPositioningAtx,

    /// <summary>V1 initial: InitialPost missing.</summary>
    InitialPostMissing,

    /// <summary>V1 initial: NodeID missing.</summary>
    NodeIdMissing,

    /// <summary>V1 initial: VRF nonce missing.</summary>
    VrfNonceMissing,

    /// <summary>V1 initial: CommitmentATX missing.</summary>
    CommitmentAtxMissing,

    /// <summary>V1 initial: CommitmentATX is zero.</summary>
    EmptyCommitmentAtx,

    /// <summary>V1 initial: Sequence is not zero.</summary>
    SequenceNotZero,

    /// <summary>V1 non-initial: NodeID present.</summary>
    NodeIdIncluded,

    /// <summary>V1 non-initial: InitialPost present.</summary>
    InitialPostIncluded,

    /// <summary>V1 non-initial: CommitmentATX present.</summary>
    CommitmentAtxIncluded,

    /// <summary>V1: NIPost.Post missing. Stricter than go-spacemesh, which passes it on unchecked (spec: open question).</summary>
    NipostPostMissing,

    /// <summary>V1: NIPost.PostMetadata missing. Stricter than go-spacemesh, which dereferences it without a check.</summary>
    NipostMetadataMissing,

    /// <summary>V2: marriages without a self-certificate.</summary>
    SignerMustMarryItself,

    /// <summary>V2 solo: not exactly one NIPoST.</summary>
    SoloAtxNipostCount,

    /// <summary>V2 solo: not exactly one PoST.</summary>
    SoloAtxPostCount,

    /// <summary>V2 solo: PrevATXIndex is not 0.</summary>
    SoloAtxPrevAtxIndex,

    /// <summary>V2 initial: MarriageATX present.</summary>
    InitialAtxWithMarriageAtx,

    /// <summary>V2 initial: CommitmentATX is zero.</summary>
    InitialAtxMissingCommitmentAtx,

    /// <summary>V2 initial: PreviousATXs not empty.</summary>
    InitialAtxWithPreviousAtxs,

    /// <summary>V2 non-initial: a previous ATX is zero.</summary>
    PreviousAtxEmpty,

    /// <summary>V2 non-initial: a previous ATX is the golden ATX.</summary>
    PreviousAtxGolden,

    /// <summary>V2 merged: Marriages present.</summary>
    MergedAtxWithMarriages,

    /// <summary>V2 merged: a MarriageIndex appears twice.</summary>
    DuplicateMarriageIndex,

    /// <summary>V2 solo non-initial: not exactly one previous ATX.</summary>
    SoloAtxPreviousAtxCount,

    /// <summary>V2 non-initial: a sub-post's PrevATXIndex is out of range (go-spacemesh rejects it in the deps stage).</summary>
    PrevAtxIndexOutOfRange,
}

/// <summary>One broken rule: the typed reason and go-spacemesh's error text.</summary>
/// <param name="Reason">Which rule.</param>
/// <param name="Message">The text go-spacemesh reports (without the ATX id it appends to some).</param>
public sealed record AtxSyntaxError(AtxSyntaxReason Reason, string Message);

/// <summary>
/// The syntactic ATX checks that need no database (go-spacemesh <c>handler_v1.go</c> / <c>handler_v2.go</c>
/// <c>syntacticallyValidate</c>, NODE §1.5), without signature, VRF-nonce and PoST verification (other components).
/// Go stops at the first failure; these functions report every failure in Go's order, so the first element is Go's
/// verdict and an empty list means the ATX passes.
/// </summary>
public static class AtxSyntax
{
    /// <summary>Checks a V1 ATX.</summary>
    /// <param name="atx">The decoded ATX.</param>
    /// <param name="currentEpoch">The node's current epoch; the publish-epoch rule is skipped when null.</param>
    public static IReadOnlyList<AtxSyntaxError> Check(ActivationTxV1 atx, EpochId? currentEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(atx);
        var errors = new List<AtxSyntaxError>();
        if (atx.NIPost is null)
        {
            errors.Add(new(AtxSyntaxReason.NilNipost, "nil nipost"));
        }

        CheckPublishEpoch(errors, atx.PublishEpoch, currentEpoch);
        if (atx.PositioningAtxId.Value.IsZero)
        {
            errors.Add(new(AtxSyntaxReason.EmptyPositioningAtx, "empty positioning atx"));
        }

        if (atx.IsInitial)
        {
            if (atx.InitialPost is null)
            {
                errors.Add(new(AtxSyntaxReason.InitialPostMissing, "no prev atx declared, but initial post is not included"));
            }

            if (atx.NodeId is null)
            {
                errors.Add(new(AtxSyntaxReason.NodeIdMissing, "no prev atx declared, but node id is missing"));
            }

            if (atx.VrfNonce is null)
            {
                errors.Add(new(AtxSyntaxReason.VrfNonceMissing, "no prev atx declared, but vrf nonce is missing"));
            }

            if (atx.CommitmentAtxId is not { } commitment)
            {
                errors.Add(new(AtxSyntaxReason.CommitmentAtxMissing, "no prev atx declared, but commitment atx is missing"));
            }
            else if (commitment.Value.IsZero)
            {
                errors.Add(new(AtxSyntaxReason.EmptyCommitmentAtx, "empty commitment atx"));
            }

            if (atx.Sequence != 0)
            {
                errors.Add(new(AtxSyntaxReason.SequenceNotZero, "no prev atx declared, but sequence number not zero"));
            }
        }
        else
        {
            if (atx.NodeId is not null)
            {
                errors.Add(new(AtxSyntaxReason.NodeIdIncluded, "prev atx declared, but node id is included"));
            }

            if (atx.InitialPost is not null)
            {
                errors.Add(new(AtxSyntaxReason.InitialPostIncluded, "prev atx declared, but initial post is included"));
            }

            if (atx.CommitmentAtxId is not null)
            {
                errors.Add(new(AtxSyntaxReason.CommitmentAtxIncluded, "prev atx declared, but commitment atx is included"));
            }
        }

        if (atx.NIPost is { } nipost)
        {
            if (nipost.Post is null)
            {
                errors.Add(new(AtxSyntaxReason.NipostPostMissing, "nil nipost post"));
            }

            if (nipost.PostMetadata is null)
            {
                errors.Add(new(AtxSyntaxReason.NipostMetadataMissing, "nil nipost post metadata"));
            }
        }

        return errors;
    }

    /// <summary>Checks a V2 ATX.</summary>
    /// <param name="atx">The decoded ATX.</param>
    /// <param name="currentEpoch">The node's current epoch; the publish-epoch rule is skipped when null.</param>
    /// <param name="goldenAtx">The golden ATX; the "previous is golden" rule is skipped when null.</param>
    public static IReadOnlyList<AtxSyntaxError> Check(ActivationTxV2 atx, EpochId? currentEpoch = null, AtxId? goldenAtx = null)
    {
        ArgumentNullException.ThrowIfNull(atx);
        var errors = new List<AtxSyntaxError>();
        if (atx.PositioningAtx.Value.IsZero)
        {
            errors.Add(new(AtxSyntaxReason.EmptyPositioningAtx, "empty positioning atx"));
        }

        if (atx.Marriages.Length != 0 && !Array.Exists(atx.Marriages, m => m.ReferenceAtx.Value.IsZero))
        {
            errors.Add(new(AtxSyntaxReason.SignerMustMarryItself, "signer must marry itself"));
        }

        CheckPublishEpoch(errors, atx.PublishEpoch, currentEpoch);
        if (atx.MarriageAtx is null)
        {
            if (atx.NiPosts.Length != 1)
            {
                errors.Add(new(AtxSyntaxReason.SoloAtxNipostCount, "solo atx must have one nipost"));
            }
            else if (atx.NiPosts[0].Posts.Length != 1)
            {
                errors.Add(new(AtxSyntaxReason.SoloAtxPostCount, "solo atx must have one post"));
            }
            else if (atx.NiPosts[0].Posts[0].PrevAtxIndex != 0)
            {
                errors.Add(new(AtxSyntaxReason.SoloAtxPrevAtxIndex, "solo atx post must have prevATXIndex 0"));
            }
        }

        if (atx.Initial is { } initial)
        {
            if (atx.MarriageAtx is not null)
            {
                errors.Add(new(AtxSyntaxReason.InitialAtxWithMarriageAtx, "initial atx cannot reference a marriage atx"));
            }

            if (initial.CommitmentAtx.Value.IsZero)
            {
                errors.Add(new(AtxSyntaxReason.InitialAtxMissingCommitmentAtx, "initial atx missing commitment atx"));
            }

            if (atx.PreviousAtxs.Length != 0)
            {
                errors.Add(new(AtxSyntaxReason.InitialAtxWithPreviousAtxs, "initial atx must not have previous atxs"));
            }

            return errors;
        }

        for (var i = 0; i < atx.PreviousAtxs.Length; i++)
        {
            var prev = atx.PreviousAtxs[i];
            if (prev.Value.IsZero)
            {
                errors.Add(new(AtxSyntaxReason.PreviousAtxEmpty, $"previous atx[{i}] is empty"));
            }
            else if (goldenAtx is { } golden && prev == golden)
            {
                errors.Add(new(AtxSyntaxReason.PreviousAtxGolden, $"previous atx[{i}] is the golden ATX"));
            }
        }

        if (atx.MarriageAtx is not null)
        {
            if (atx.Marriages.Length != 0)
            {
                errors.Add(new(AtxSyntaxReason.MergedAtxWithMarriages, "merged atx cannot have marriages"));
            }

            var seen = new HashSet<uint>();
            foreach (var post in atx.NiPosts.SelectMany(n => n.Posts))
            {
                if (!seen.Add(post.MarriageIndex))
                {
                    errors.Add(new(
                        AtxSyntaxReason.DuplicateMarriageIndex,
                        $"ID present twice (duplicated marriage index): {post.MarriageIndex}"));
                    break;
                }
            }
        }
        else if (atx.PreviousAtxs.Length != 1)
        {
            errors.Add(new(AtxSyntaxReason.SoloAtxPreviousAtxCount, "solo atx must have one previous atx"));
        }

        foreach (var post in atx.NiPosts.SelectMany(n => n.Posts))
        {
            if (post.PrevAtxIndex >= (uint)atx.PreviousAtxs.Length)
            {
                errors.Add(new(
                    AtxSyntaxReason.PrevAtxIndexOutOfRange,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"prevATXIndex out of bounds: {post.PrevAtxIndex} > {atx.PreviousAtxs.Length}")));
                break;
            }
        }

        return errors;
    }

    private static void CheckPublishEpoch(List<AtxSyntaxError> errors, EpochId publish, EpochId? current)
    {
        if (current is { } now && publish.Value > (ulong)now.Value + 1)
        {
            errors.Add(new(
                AtxSyntaxReason.PublishEpochTooFar,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"atx publish epoch is too far in the future: {publish.Value} > {(ulong)now.Value + 1}")));
        }
    }
}
