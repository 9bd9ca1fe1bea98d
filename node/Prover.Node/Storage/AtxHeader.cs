using System.Buffers.Binary;
using Prover.Core.Primitives;

namespace Prover.Node.Storage;

/// <summary>Whether an ATX passed contextual validation (go-spacemesh's <c>atxs.validity</c>).</summary>
public enum AtxValidity : byte
{
    /// <summary>Not validated yet.</summary>
    Unknown = 0,

    /// <summary>Passed every rule.</summary>
    Valid = 1,

    /// <summary>Failed a rule.</summary>
    Invalid = 2,
}

/// <summary>
/// The node's summary of one ATX, stored next to its wire blob so that queries never decode blobs (the role of
/// go-spacemesh's <c>atxs</c> row). Optional ids (<see cref="PreviousAtxId"/> for an initial ATX,
/// <see cref="CommitmentAtxId"/> for a non-initial one) are <see langword="null"/> when absent.
/// </summary>
public sealed record AtxHeader
{
    /// <summary>The size of <see cref="Coinbase"/>: 4 reserved bytes and a 20-byte hash (NODE.md conventions).</summary>
    public const int CoinbaseLength = 24;

    private const byte Format = 1;
    private const byte HasPrevious = 1, HasCommitment = 2;
    private const int FixedLength = 1 + 1 + 32 + 4 + 32 + 8 + 32 + 32 + 32 + 4 + 4 + 8 + 8 + 8 + 8 + CoinbaseLength + 1 + 8;

    private readonly byte[] _coinbase = new byte[CoinbaseLength];

    /// <summary>The ATX id.</summary>
    public required AtxId Id { get; init; }

    /// <summary>The epoch the ATX is published in.</summary>
    public required uint PublishEpoch { get; init; }

    /// <summary>The identity that signed it.</summary>
    public required NodeId SmesherId { get; init; }

    /// <summary>The smesher's ATX sequence number.</summary>
    public ulong Sequence { get; init; }

    /// <summary>The previous ATX of the same identity; <see langword="null"/> for an initial ATX.</summary>
    public AtxId? PreviousAtxId { get; init; }

    /// <summary>The positioning ATX.</summary>
    public AtxId PositioningAtxId { get; init; }

    /// <summary>The commitment ATX (initial ATXs only); <see langword="null"/> otherwise.</summary>
    public AtxId? CommitmentAtxId { get; init; }

    /// <summary>The space units the ATX claims.</summary>
    public uint NumUnits { get; init; }

    /// <summary>The units that count for weight (min of this and the previous ATX's units).</summary>
    public uint EffectiveNumUnits { get; init; }

    /// <summary>The VRF nonce in force for this ATX.</summary>
    public ulong VrfNonce { get; init; }

    /// <summary>The positioning ATX's tick height.</summary>
    public ulong BaseTickHeight { get; init; }

    /// <summary>The PoET ticks this ATX adds.</summary>
    public ulong TickCount { get; init; }

    /// <summary>The ATX's weight (effective units × ticks).</summary>
    public ulong Weight { get; init; }

    /// <summary>The 24-byte coinbase address (a copy).</summary>
    public ReadOnlyMemory<byte> Coinbase
    {
        get => _coinbase;
        init
        {
            if (value.Length != CoinbaseLength)
            {
                throw new ArgumentException($"a coinbase is {CoinbaseLength} bytes, got {value.Length}", nameof(value));
            }

            _coinbase = value.ToArray();
        }
    }

    /// <summary>The validation verdict.</summary>
    public AtxValidity Validity { get; init; }

    /// <summary>When this node received (or built) the ATX, to the millisecond.</summary>
    public DateTimeOffset Received { get; init; }

    /// <summary>The tick height this ATX reaches: <see cref="BaseTickHeight"/> + <see cref="TickCount"/>.</summary>
    public ulong TickHeight => BaseTickHeight + TickCount;

    /// <inheritdoc/>
    public bool Equals(AtxHeader? other) =>
        other is not null && Id == other.Id && PublishEpoch == other.PublishEpoch && SmesherId == other.SmesherId &&
        Sequence == other.Sequence && PreviousAtxId == other.PreviousAtxId && PositioningAtxId == other.PositioningAtxId &&
        CommitmentAtxId == other.CommitmentAtxId && NumUnits == other.NumUnits && EffectiveNumUnits == other.EffectiveNumUnits &&
        VrfNonce == other.VrfNonce && BaseTickHeight == other.BaseTickHeight && TickCount == other.TickCount &&
        Weight == other.Weight && _coinbase.AsSpan().SequenceEqual(other._coinbase) && Validity == other.Validity &&
        Received == other.Received;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, PublishEpoch, SmesherId, Sequence);

    /// <summary>The stored form: a format byte, flags, then fixed big-endian fields; absent ids are zero bytes.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[FixedLength];
        var w = bytes.AsSpan();
        w[0] = Format;
        w[1] = (byte)((PreviousAtxId is null ? 0 : HasPrevious) | (CommitmentAtxId is null ? 0 : HasCommitment));
        int at = 2;
        Id.Span.CopyTo(w[at..]); at += 32;
        BinaryPrimitives.WriteUInt32BigEndian(w[at..], PublishEpoch); at += 4;
        SmesherId.Span.CopyTo(w[at..]); at += 32;
        BinaryPrimitives.WriteUInt64BigEndian(w[at..], Sequence); at += 8;
        (PreviousAtxId ?? AtxId.Zero).Span.CopyTo(w[at..]); at += 32;
        PositioningAtxId.Span.CopyTo(w[at..]); at += 32;
        (CommitmentAtxId ?? AtxId.Zero).Span.CopyTo(w[at..]); at += 32;
        BinaryPrimitives.WriteUInt32BigEndian(w[at..], NumUnits); at += 4;
        BinaryPrimitives.WriteUInt32BigEndian(w[at..], EffectiveNumUnits); at += 4;
        BinaryPrimitives.WriteUInt64BigEndian(w[at..], VrfNonce); at += 8;
        BinaryPrimitives.WriteUInt64BigEndian(w[at..], BaseTickHeight); at += 8;
        BinaryPrimitives.WriteUInt64BigEndian(w[at..], TickCount); at += 8;
        BinaryPrimitives.WriteUInt64BigEndian(w[at..], Weight); at += 8;
        _coinbase.CopyTo(w[at..]); at += CoinbaseLength;
        w[at++] = (byte)Validity;
        BinaryPrimitives.WriteInt64BigEndian(w[at..], Received.ToUnixTimeMilliseconds());
        return bytes;
    }

    /// <summary>Reads the form <see cref="Encode"/> writes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a header of a known format.</exception>
    public static AtxHeader Decode(ReadOnlySpan<byte> r)
    {
        if (r.Length != FixedLength || r[0] != Format)
        {
            throw new InvalidDataException(
                $"not an ATX header record (format {(r.IsEmpty ? "none" : r[0].ToString())}, {r.Length} bytes)");
        }

        byte flags = r[1];
        int at = 2;
        var id = new AtxId(r.Slice(at, 32)); at += 32;
        uint publish = BinaryPrimitives.ReadUInt32BigEndian(r[at..]); at += 4;
        var smesher = new NodeId(r.Slice(at, 32)); at += 32;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(r[at..]); at += 8;
        var previous = new AtxId(r.Slice(at, 32)); at += 32;
        var positioning = new AtxId(r.Slice(at, 32)); at += 32;
        var commitment = new AtxId(r.Slice(at, 32)); at += 32;
        uint units = BinaryPrimitives.ReadUInt32BigEndian(r[at..]); at += 4;
        uint effective = BinaryPrimitives.ReadUInt32BigEndian(r[at..]); at += 4;
        ulong nonce = BinaryPrimitives.ReadUInt64BigEndian(r[at..]); at += 8;
        ulong baseTick = BinaryPrimitives.ReadUInt64BigEndian(r[at..]); at += 8;
        ulong ticks = BinaryPrimitives.ReadUInt64BigEndian(r[at..]); at += 8;
        ulong weight = BinaryPrimitives.ReadUInt64BigEndian(r[at..]); at += 8;
        var coinbase = r.Slice(at, CoinbaseLength).ToArray(); at += CoinbaseLength;
        var validity = (AtxValidity)r[at++];
        long received = BinaryPrimitives.ReadInt64BigEndian(r[at..]);
        return new AtxHeader
        {
            Id = id,
            PublishEpoch = publish,
            SmesherId = smesher,
            Sequence = sequence,
            PreviousAtxId = (flags & HasPrevious) != 0 ? previous : null,
            PositioningAtxId = positioning,
            CommitmentAtxId = (flags & HasCommitment) != 0 ? commitment : null,
            NumUnits = units,
            EffectiveNumUnits = effective,
            VrfNonce = nonce,
            BaseTickHeight = baseTick,
            TickCount = ticks,
            Weight = weight,
            Coinbase = coinbase,
            Validity = validity,
            Received = DateTimeOffset.FromUnixTimeMilliseconds(received),
        };
    }
}
