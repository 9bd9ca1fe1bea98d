using Prover.Core.Primitives;

namespace Prover.Core.Data;

/// <summary>Parsing of hex arguments with messages that name the argument.</summary>
public static class Hex
{
    public static byte[] Parse(string? text, string name, int? expectedLength = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidInputException(name, $"{name} is required (hex)");
        }

        var s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(s);
        }
        catch (FormatException)
        {
            throw new InvalidInputException(name, $"{name} is not valid hex: '{text}'");
        }

        if (expectedLength is { } n && bytes.Length != n)
        {
            throw new InvalidInputException(name, $"{name} must be {n} bytes ({2 * n} hex digits), got {bytes.Length} {(bytes.Length == 1 ? "byte" : "bytes")}");
        }

        return bytes;
    }

    /// <summary>
    /// Parses a 32-byte value (an id, a challenge) given as hex at an edge (a flag, a config file), through
    /// <see cref="Hash32.TryParse(string?, IFormatProvider?, out Hash32)"/>; an <see cref="InvalidInputException"/> for
    /// <paramref name="name"/> (a field name, or the host's own name for it) says what is wrong.
    /// </summary>
    public static Hash32 Parse32(string? text, string name) =>
        Hash32.TryParse(text, null, out var value) ? value : new Hash32(Parse(text, name, Hash32.Length));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
