namespace Prover.Node.Codec;

/// <summary>Why a SCALE decode failed. Each value corresponds to one go-scale / go-spacemesh codec error.</summary>
public enum ScaleError
{
    /// <summary>The input ended before the value did (Go: <c>EOF</c> or <c>unexpected EOF</c>).</summary>
    EndOfInput,

    /// <summary>A compact integer is not in the range of the mode it is encoded in (non-minimal or too large).</summary>
    OutOfRange,

    /// <summary>A compact integer's mode cannot hold a value of the requested width (e.g. big-int mode for uint8).</summary>
    Overflow,

    /// <summary>A big-int compact integer announces more bytes than the type allows.</summary>
    InvalidLength,

    /// <summary>A collection is longer than its <c>scale:"max=N"</c> limit.</summary>
    TooManyElements,

    /// <summary>Options and struct slices are nested deeper than the codec allows.</summary>
    NestingTooDeep,

    /// <summary>Bytes are left over after the value was decoded.</summary>
    TrailingBytes,
}

/// <summary>
/// The one exception a SCALE decode throws. <see cref="Detail"/> is go-scale's own error text (e.g.
/// <c>value 63 is out of range</c>); <see cref="Exception.Message"/> carries go-spacemesh's <c>codec.Decode</c> prefix
/// (<c>decode from buffer: …</c>), so both forms can be compared with Go's.
/// </summary>
public sealed class ScaleDecodeException : Exception
{
    /// <summary>The prefix go-spacemesh's <c>codec.Decode</c> puts in front of every decode error.</summary>
    public const string Prefix = "decode from buffer: ";

    /// <summary>Creates the exception.</summary>
    public ScaleDecodeException(ScaleError reason, string detail, int offset)
        : base(Prefix + detail)
    {
        Reason = reason;
        Detail = detail;
        Offset = offset;
    }

    /// <summary>Creates an exception with a generic reason (for serializers and tooling).</summary>
    public ScaleDecodeException()
        : this(ScaleError.EndOfInput, "EOF", 0)
    {
    }

    /// <summary>Creates an exception with a generic reason (for serializers and tooling).</summary>
    public ScaleDecodeException(string message)
        : base(message)
    {
        Detail = message;
    }

    /// <summary>Creates an exception with a generic reason (for serializers and tooling).</summary>
    public ScaleDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    /// <summary>What went wrong.</summary>
    public ScaleError Reason { get; }

    /// <summary>go-scale's error text, without the <see cref="Prefix"/>.</summary>
    public string Detail { get; }

    /// <summary>The input offset at which the failing read started.</summary>
    public int Offset { get; }
}

/// <summary>
/// Thrown when a value cannot be encoded under go-scale's rules: a collection over its <c>max</c>, or nesting deeper
/// than the codec allows. Encoding such a value would produce bytes that go-spacemesh refuses to decode.
/// </summary>
public sealed class ScaleEncodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScaleEncodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScaleEncodeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScaleEncodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
