using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

[assembly: InternalsVisibleTo("Prover.Kernels.Tests")]

namespace Prover.Kernels.Simd;

/// <summary>
/// Multi-buffer scrypt-jane (Keccak-512 PBKDF2, ChaCha20/8 BlockMix, r = p = 1) computing label outputs
/// (spec §1, §3.2) for many consecutive indices at once: 16 lanes in Vector512, 8 in Vector256, 4 in Vector128, or 1.
/// Single threaded; <see cref="CpuLabelProvider"/> spreads calls over threads.
/// </summary>
public static unsafe class ScryptLanes
{
    [ThreadStatic]
    private static ScryptScratch? threadScratch;

    /// <summary>
    /// Computes the 32-byte scrypt outputs of labels <paramref name="startIndex"/> … startIndex + out32.Length/32 − 1 into
    /// <paramref name="out32"/> (label-major) using this thread's cached scratch.
    /// </summary>
    public static void ComputeOutputs(ReadOnlySpan<byte> commitment32, ulong n, ulong startIndex, Span<byte> out32, SimdLevel level) =>
        ComputeOutputs(commitment32, n, startIndex, out32, level, threadScratch ??= new ScryptScratch());

    /// <summary>
    /// Computes the 32-byte scrypt outputs of labels <paramref name="startIndex"/> … startIndex + out32.Length/32 − 1 into
    /// <paramref name="out32"/> (label-major) with the caller's scratch. Any count: a ragged tail shorter than the lane count
    /// runs on the narrowest accelerated level that still covers it. Cancellation is checked between lane groups.
    /// </summary>
    /// <param name="commitment32">The 32-byte commitment.</param>
    /// <param name="n">scrypt N: a power of two ≥ 2.</param>
    /// <param name="startIndex">Index of the first label.</param>
    /// <param name="out32">Receives 32 bytes per label; its length must be a multiple of 32.</param>
    /// <param name="level">Vector width. Levels that are not hardware accelerated still give correct results.</param>
    /// <param name="scratch">Scratch owned by the calling thread.</param>
    /// <param name="cancellationToken">Checked before each lane group.</param>
    public static void ComputeOutputs(
        ReadOnlySpan<byte> commitment32,
        ulong n,
        ulong startIndex,
        Span<byte> out32,
        SimdLevel level,
        ScryptScratch scratch,
        CancellationToken cancellationToken = default) =>
        Compute(commitment32, n, startIndex, out32, level, scratch, narrowTail: true, cancellationToken);

    /// <summary>
    /// <see cref="ComputeOutputs(ReadOnlySpan{byte}, ulong, ulong, Span{byte}, SimdLevel, ScryptScratch, CancellationToken)"/>
    /// with the choice of running a ragged tail at <paramref name="level"/> itself (tests use this to exercise every
    /// level's partial-group path).
    /// </summary>
    internal static void Compute(
        ReadOnlySpan<byte> commitment32,
        ulong n,
        ulong startIndex,
        Span<byte> out32,
        SimdLevel level,
        ScryptScratch scratch,
        bool narrowTail,
        CancellationToken cancellationToken)
    {
        Validate(commitment32, n, out32.Length, level);
        ArgumentNullException.ThrowIfNull(scratch);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the SIMD scrypt lanes assume a little-endian machine");
        }

        int count = out32.Length / 32;
        if (count == 0)
        {
            return;
        }

        ulong* commitment = stackalloc ulong[4];
        for (int i = 0; i < 4; i++)
        {
            commitment[i] = BinaryPrimitives.ReadUInt64LittleEndian(commitment32.Slice(8 * i, 8));
        }

        int lanes = SimdLevels.Lanes(level);
        int ways = ScryptTuning.Ways ?? Ways(level);
        bool stream = ScryptTuning.StreamStores ?? ScryptScratch.BytesFor(level, n) >= ScryptTuning.StreamStoreThreshold;
        uint* v = (uint*)scratch.Reserve(ScryptScratch.BytesFor(level, n));
        fixed (byte* output = out32)
        {
            int done = 0;
            while (done < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int remaining = count - done;
                SimdLevel groupLevel = level;
                int groupWays = 1;
                if (remaining > lanes && ways == 2)
                {
                    groupWays = 2;
                }
                else if (remaining < lanes && narrowTail)
                {
                    groupLevel = TailLevel(level, remaining);
                }

                int take = Math.Min(remaining, SimdLevels.Lanes(groupLevel) * groupWays);
                ComputeGroup(groupLevel, commitment, n, unchecked(startIndex + (ulong)done), take, output + (32 * done), v, groupWays, stream);
                done += take;
            }
        }
    }

    /// <summary>
    /// Labels one thread computes together at <paramref name="level"/>: the lane count, times two where two lane groups
    /// run interleaved (AVX-512: 32 labels per V512 group). Callers splitting work should hand out multiples of this.
    /// </summary>
    public static int GroupSize(SimdLevel level) => SimdLevels.Lanes(level) * Ways(level);

    /// <summary>1, or 2 where the level's operators prefer two interleaved lane groups.</summary>
    internal static int Ways(SimdLevel level) => level switch
    {
        SimdLevel.V512 => ScryptCore<Vector512<uint>, V512Ops>.PreferTwoWays ? 2 : 1,
        SimdLevel.V256 => ScryptCore<Vector256<uint>, V256Ops>.PreferTwoWays ? 2 : 1,
        SimdLevel.V128 => ScryptCore<Vector128<uint>, V128Ops>.PreferTwoWays ? 2 : 1,
        _ => 1,
    };

    /// <summary>Throws <see cref="ArgumentException"/>s for invalid inputs to <see cref="ComputeOutputs(ReadOnlySpan{byte}, ulong, ulong, Span{byte}, SimdLevel, ScryptScratch, CancellationToken)"/>.</summary>
    internal static void Validate(ReadOnlySpan<byte> commitment32, ulong n, int outputBytes, SimdLevel level)
    {
        if (commitment32.Length != 32)
        {
            throw new ArgumentException($"commitment must be 32 bytes, got {commitment32.Length}", nameof(commitment32));
        }

        if (n < 2 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "scrypt N must be a power of two >= 2");
        }

        if (outputBytes % 32 != 0)
        {
            throw new ArgumentException($"output length {outputBytes} is not a multiple of 32 bytes", nameof(outputBytes));
        }

        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "unknown SIMD level");
        }
    }

    /// <summary>
    /// Level for a final group of <paramref name="remaining"/> labels: the narrowest hardware-accelerated level below
    /// <paramref name="level"/> whose lanes cover them (fewer wasted lanes), else <paramref name="level"/> itself.
    /// </summary>
    internal static SimdLevel TailLevel(SimdLevel level, int remaining)
    {
        for (SimdLevel candidate = SimdLevel.V128; candidate < level; candidate++)
        {
            if (SimdLevels.Lanes(candidate) >= remaining && SimdLevels.IsSupported(candidate))
            {
                return candidate;
            }
        }

        return level;
    }

    private static void ComputeGroup(SimdLevel level, ulong* commitment, ulong n, ulong start, int count, byte* output, uint* v, int ways, bool stream)
    {
        switch (level)
        {
            case SimdLevel.V512:
                ScryptCore<Vector512<uint>, V512Ops>.ComputeGroup(commitment, n, start, count, output, v, ways, stream, ScryptTuning.Stagger);
                break;
            case SimdLevel.V256:
                ScryptCore<Vector256<uint>, V256Ops>.ComputeGroup(commitment, n, start, count, output, v, ways, stream, ScryptTuning.Stagger);
                break;
            case SimdLevel.V128:
                ScryptCore<Vector128<uint>, V128Ops>.ComputeGroup(commitment, n, start, count, output, v, ways, stream, ScryptTuning.Stagger);
                break;
            default:
                ScryptCore<uint, ScalarOps>.ComputeGroup(commitment, n, start, count, output, v, ways, stream, ScryptTuning.Stagger);
                break;
        }
    }
}

/// <summary>Experiment switches (temporary).</summary>
internal static class ScryptTuning
{
    public static int? Ways;
    public static bool? StreamStores;
    public static nuint StreamStoreThreshold = 8 * 1024 * 1024;
    public static bool Stagger = true;
    public static bool HugePages = true;
}
