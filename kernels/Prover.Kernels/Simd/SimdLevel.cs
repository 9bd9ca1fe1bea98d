using System.Runtime.Intrinsics;

namespace Prover.Kernels.Simd;

/// <summary>Vector width used by the CPU label initializer.</summary>
public enum SimdLevel
{
    /// <summary>One label at a time in general-purpose registers.</summary>
    Scalar = 0,

    /// <summary>4 labels side by side in 128-bit vectors.</summary>
    V128 = 1,

    /// <summary>8 labels side by side in 256-bit vectors.</summary>
    V256 = 2,

    /// <summary>16 labels side by side in 512-bit vectors.</summary>
    V512 = 3,
}

/// <summary>Detection and properties of <see cref="SimdLevel"/> values.</summary>
public static class SimdLevels
{
    /// <summary>The widest level the runtime accelerates on this machine; evaluated once.</summary>
    public static SimdLevel Best { get; } = Detect();

    /// <summary>All levels, narrowest first.</summary>
    public static IReadOnlyList<SimdLevel> All { get; } = [SimdLevel.Scalar, SimdLevel.V128, SimdLevel.V256, SimdLevel.V512];

    /// <summary>
    /// Whether <paramref name="level"/> runs on real vector hardware here (honouring DOTNET_EnableAVX512=0 and friends).
    /// Every level still computes correct results when this is false, only slowly (vectors emulated in software).
    /// </summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.V128 => Vector128.IsHardwareAccelerated,
        SimdLevel.V256 => Vector256.IsHardwareAccelerated,
        SimdLevel.V512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Labels computed side by side at <paramref name="level"/>.</summary>
    public static int Lanes(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => 1,
        SimdLevel.V128 => 4,
        SimdLevel.V256 => 8,
        SimdLevel.V512 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown SIMD level"),
    };

    /// <summary>Parses "scalar", "v128", "v256", "v512" (case-insensitive) or the enum name.</summary>
    public static bool TryParse(string? text, out SimdLevel level) =>
        Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level);

    private static SimdLevel Detect()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return SimdLevel.V512;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return SimdLevel.V256;
        }

        return Vector128.IsHardwareAccelerated ? SimdLevel.V128 : SimdLevel.Scalar;
    }
}
