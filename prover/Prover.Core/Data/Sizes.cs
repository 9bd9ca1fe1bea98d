using System.Globalization;

namespace Prover.Core.Data;

/// <summary>Byte counts for people: 1.50 GiB, 256.00 KiB, 12 bytes.</summary>
public static class Sizes
{
    public static string Format(ulong bytes) => bytes switch
    {
        >= 1UL << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 40):F2} TiB"),
        >= 1UL << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 30):F2} GiB"),
        >= 1UL << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 20):F2} MiB"),
        >= 1UL << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << 10):F2} KiB"),
        1 => "1 byte",
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
