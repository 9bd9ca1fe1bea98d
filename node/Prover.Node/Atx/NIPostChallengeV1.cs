using Prover.Core.Primitives;
using Prover.Node.Codec;
using Prover.Node.Types;

namespace Prover.Node.Atx;

/// <summary>
/// The V1 NIPoST challenge (<c>wire.NIPostChallengeV1</c>), the first fields of every V1 ATX:
/// <c>PublishEpoch compact32 ‖ Sequence compact64 ‖ PrevATXID [32] ‖ PositioningATXID [32] ‖
/// Option&lt;[32]&gt; CommitmentATXID ‖ Option&lt;PostV1&gt; InitialPost</c>.
/// Its <see cref="Hash"/> is what the node registers at the PoET (the membership leaf).
/// </summary>
public sealed class NIPostChallengeV1 : IScaleEncodable, IScaleDecodable<NIPostChallengeV1>
{
    /// <summary>The epoch the ATX is published in.</summary>
    public EpochId PublishEpoch { get; set; }

    /// <summary>0 for an initial ATX, previous sequence + 1 otherwise.</summary>
    public ulong Sequence { get; set; }

    /// <summary>The smesher's previous ATX (zero for an initial ATX).</summary>
    public AtxId PrevAtxId { get; set; }

    /// <summary>The positioning ATX.</summary>
    public AtxId PositioningAtxId { get; set; }

    /// <summary>The commitment ATX (initial ATX only).</summary>
    public AtxId? CommitmentAtxId { get; set; }

    /// <summary>The initial PoST over the zero challenge (initial ATX only).</summary>
    public PostV1? InitialPost { get; set; }

    /// <summary>True when <see cref="PrevAtxId"/> is zero.</summary>
    public bool IsInitial => PrevAtxId.Value.IsZero;

    /// <inheritdoc/>
    public static NIPostChallengeV1 Decode(ref ScaleReader reader)
    {
        var challenge = new NIPostChallengeV1();
        challenge.DecodeFields(ref reader);
        return challenge;
    }

    /// <inheritdoc/>
    public void Encode(ref ScaleWriter writer)
    {
        writer.WriteCompact32(PublishEpoch.Value);
        writer.WriteCompact64(Sequence);
        writer.WriteHash32(PrevAtxId.Value);
        writer.WriteHash32(PositioningAtxId.Value);
        writer.WriteOptionalHash32(CommitmentAtxId?.Value);
        writer.WriteOption(InitialPost);
    }

    /// <summary>
    /// The PoET challenge (membership leaf): <c>blake3(0x00 ‖ scale(NIPostChallengeV1))</c> (<c>challenge_v1.go</c> <c>Hash</c>).
    /// </summary>
    public Hash32 Hash() => PoetChallengeHash.Of(this);

    internal void DecodeFields(ref ScaleReader reader)
    {
        PublishEpoch = new EpochId(reader.ReadCompact32());
        Sequence = reader.ReadCompact64();
        PrevAtxId = new AtxId(reader.ReadHash32());
        PositioningAtxId = new AtxId(reader.ReadHash32());
        CommitmentAtxId = reader.ReadOptionalHash32() is { } c ? new AtxId(c) : null;
        InitialPost = reader.ReadOption<PostV1>();
    }
}
