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

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
