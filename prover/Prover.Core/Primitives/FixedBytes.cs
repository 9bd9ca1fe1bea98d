using System.Buffers;

namespace Prover.Core.Primitives;

/// <summary>
/// The checks and the hex text form shared by the fixed-size byte values (<see cref="Hash32"/>, the node's 20-byte
/// hashes, addresses and signatures): exactly so many bytes, written as lowercase hex and read as hex with or without
/// <c>0x</c> and surrounding white space.
/// </summary>
public static class FixedBytes
{
    /// <summary>
    /// Reads exactly <c>destination.Length</c> bytes of hex (<c>2 × destination.Length</c> digits) into
    /// <paramref name="destination"/>; white space around the text and a <c>0x</c> prefix are allowed.
    /// </summary>
    /// <returns>False when the text is not that many bytes of hex (<paramref name="destination"/> is then undefined).</returns>
    public static bool TryParseHex(ReadOnlySpan<char> text, Span<byte> destination)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return text.Length == 2 * destination.Length
            && Convert.FromHexString(text, destination, out _, out var written) == OperationStatus.Done
            && written == destination.Length;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>, which it must fill exactly.</summary>
    /// <param name="source">The bytes given.</param>
    /// <param name="destination">The value's storage.</param>
    /// <param name="what">What the value is, for the message (<c>value</c>, <c>address</c>, <c>signature</c>).</param>
    /// <param name="paramName">The caller's parameter name.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not <c>destination.Length</c> bytes long.</exception>
    public static void CopyExact(ReadOnlySpan<byte> source, Span<byte> destination, string what, string paramName)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"a {destination.Length}-byte {what} was expected, got {source.Length} bytes", paramName);
        }

        source.CopyTo(destination);
    }
}
