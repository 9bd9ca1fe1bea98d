namespace Prover.Node.Codec;

/// <summary>A value that writes itself in SCALE, field by field in declaration order.</summary>
public interface IScaleEncodable
{
    /// <summary>Appends the value's encoding to <paramref name="writer"/>.</summary>
    void Encode(ref ScaleWriter writer);
}

/// <summary>A value that reads itself from SCALE.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IScaleDecodable<TSelf>
    where TSelf : IScaleDecodable<TSelf>
{
    /// <summary>Reads one value from <paramref name="reader"/>.</summary>
    /// <exception cref="ScaleDecodeException">The bytes are not a valid encoding.</exception>
    static abstract TSelf Decode(ref ScaleReader reader);
}

/// <summary>
/// Entry points with go-spacemesh's <c>codec</c> semantics: nesting limit 6 and every input byte consumed.
/// </summary>
public static class ScaleCodec
{
    /// <summary>go-spacemesh's nesting limit (<c>codec.go</c>: <c>WithDecodeMaxNested(6)</c>).</summary>
    public const uint MaxNested = 6;

    /// <summary>go-scale's own default nesting limit.</summary>
    public const uint GoScaleDefaultMaxNested = 4;

    /// <summary>go-scale's limit on a collection without a <c>max</c> tag (2^20).</summary>
    public const uint MaxElements = 1u << 20;

    /// <summary>Decodes exactly one <typeparamref name="T"/> from <paramref name="data"/>.</summary>
    /// <exception cref="ScaleDecodeException">Invalid bytes, or bytes left over (<c>not all bytes were consumed</c>).</exception>
    public static T Decode<T>(ReadOnlySpan<byte> data)
        where T : IScaleDecodable<T>
    {
        var reader = new ScaleReader(data);
        var value = T.Decode(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Decodes like <see cref="Decode{T}"/> but reports failure instead of throwing.</summary>
    public static bool TryDecode<T>(ReadOnlySpan<byte> data, out T? value, out ScaleDecodeException? error)
        where T : IScaleDecodable<T>
    {
        try
        {
            value = Decode<T>(data);
            error = null;
            return true;
        }
        catch (ScaleDecodeException e)
        {
            value = default;
            error = e;
            return false;
        }
    }

    /// <summary>Encodes <paramref name="value"/> into a new array of exactly its length.</summary>
    /// <exception cref="ScaleEncodeException">A collection is over its limit or nesting is too deep.</exception>
    public static byte[] Encode<T>(T value)
        where T : IScaleEncodable
    {
        ArgumentNullException.ThrowIfNull(value);
        var writer = new ScaleWriter(256);
        try
        {
            value.Encode(ref writer);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The number of bytes go-scale uses for <paramref name="value"/> as compact32/compact64.</summary>
    public static int CompactSize(ulong value) => value switch
    {
        <= ScaleWriter.MaxSingleByte => 1,
        <= ScaleWriter.MaxTwoBytes => 2,
        <= ScaleWriter.MaxFourBytes => 4,
        _ => 1 + (8 - (System.Numerics.BitOperations.LeadingZeroCount(value) / 8)),
    };
}
