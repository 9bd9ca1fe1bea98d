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
[SkipLocalsInit]
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
        CancellationToken cancellationToken,
        GroupPlan? plan = null)
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
        GroupPlan full = plan ?? Plan(level, n);
        uint* v = (uint*)scratch.Reserve(checked((nuint)n * (nuint)(lanes * full.Ways) * 128));
        fixed (byte* output = out32)
        {
            int done = 0;
            while (done < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int remaining = count - done;
                SimdLevel groupLevel = level;
                GroupPlan group = full.For((remaining + lanes - 1) / lanes);
                if (remaining < lanes && narrowTail)
                {
                    groupLevel = TailLevel(level, remaining);
                    group = group with { Interleave = 1, Ways = 1 };
                }

                int take = Math.Min(remaining, SimdLevels.Lanes(groupLevel) * group.Ways);
                ComputeGroup(groupLevel, commitment, n, unchecked(startIndex + (ulong)done), take, output + (32 * done), v, group);
                done += take;
            }
        }
    }

    /// <summary>
    /// Labels one thread computes together at <paramref name="level"/> and <paramref name="n"/> (lanes × lane groups,
    /// e.g. 64 for AVX-512 at N = 8192). Callers splitting work between threads should hand out multiples of this.
    /// </summary>
    public static int GroupSize(SimdLevel level, ulong n) => SimdLevels.Lanes(level) * Plan(level, n).Ways;

    /// <summary>
    /// How many lane groups one thread runs together, chosen from measurements on the AMD EPYC (Zen 5, AVX-512) dev VM.
    /// <list type="bullet">
    /// <item>Interleave two groups where there are 32 vector registers (AVX-512 / AVX-512VL): vector add and rotate have
    /// 2-cycle latency there (vpxord 1) and ChaCha's 4 independent quarter-rounds cannot hide it; a pair doubles the
    /// independent work (in L1: 433 cycles per 16-lane BlockMix, 555 per interleaved pair of them).</item>
    /// <item>When a unit's V exceeds what the caches hold (≥ 4 MiB; measured: dependent DRAM reads ~230–300 ns, the L3
    /// effectively ~4 MiB for this VM), run two units that take turns in ROMix loop 2, each prefetching its next rows
    /// while the other computes. V512, N = 8192, one thread, labels/s (interleave:groups): 1:1 3.9k, 2:2 4.0k,
    /// 1:2 4.7k, 2:4 5.6–6.0k, 2:6 5.5k, 2:8 5.2k; V256 2:2 2.6k → 2:4 4.1k; with AVX-512 off, V256 1:1 1.3k → 1:2 1.6k.</item>
    /// <item>Stream (non-temporal) stores in loop 1 once V is ≥ 8 MiB: its lines are evicted before loop 2 anyway and
    /// streaming saves the read-for-ownership traffic (V512 2:4: 4.6k → 5.6k labels/s).</item>
    /// </list>
    /// </summary>
    internal static GroupPlan Plan(SimdLevel level, ulong n)
    {
        int interleave = Interleaves(level) ? 2 : 1;
        ulong unitBytes = Math.Min(n, 1UL << 40) * (ulong)(SimdLevels.Lanes(level) * interleave) * 128;
        int ways = unitBytes >= PipelineBytes ? 2 * interleave : interleave;
        return new GroupPlan(interleave, ways, unitBytes * (ulong)(ways / interleave) >= StreamBytes);
    }

    private const ulong PipelineBytes = 4UL << 20;
    private const ulong StreamBytes = 8UL << 20;

    private static bool Interleaves(SimdLevel level) => level switch
    {
        SimdLevel.V512 => ScryptCore<Vector512<uint>, V512Ops>.InterleavesTwoGroups,
        SimdLevel.V256 => ScryptCore<Vector256<uint>, V256Ops>.InterleavesTwoGroups,
        SimdLevel.V128 => ScryptCore<Vector128<uint>, V128Ops>.InterleavesTwoGroups,
        _ => false,
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

    private static void ComputeGroup(SimdLevel level, ulong* commitment, ulong n, ulong start, int count, byte* output, uint* v, GroupPlan plan) =>
        ComputeGroup(level, commitment, n, start, null, count, output, v, plan);

    private static void ComputeGroup(
        SimdLevel level, ulong* commitment, ulong n, ulong start, ulong* indices, int count, byte* output, uint* v, GroupPlan plan)
    {
        switch (level)
        {
            case SimdLevel.V512:
                ScryptCore<Vector512<uint>, V512Ops>.ComputeGroup(commitment, n, start, indices, count, output, v, plan.Ways, plan.Interleave, plan.StreamStores);
                break;
            case SimdLevel.V256:
                ScryptCore<Vector256<uint>, V256Ops>.ComputeGroup(commitment, n, start, indices, count, output, v, plan.Ways, plan.Interleave, plan.StreamStores);
                break;
            case SimdLevel.V128:
                ScryptCore<Vector128<uint>, V128Ops>.ComputeGroup(commitment, n, start, indices, count, output, v, plan.Ways, plan.Interleave, plan.StreamStores);
                break;
            default:
                ScryptCore<uint, ScalarOps>.ComputeGroup(commitment, n, start, indices, count, output, v, plan.Ways, plan.Interleave, plan.StreamStores);
                break;
        }
    }

    /// <summary>
    /// Computes the 32-byte scrypt outputs of the labels at <paramref name="indices"/> (any order, repeats allowed) into
    /// <paramref name="out32"/> (32 bytes per index, in the order given), sharing the SIMD lanes between indices as the
    /// consecutive path does. Used to recompute a proof's labels.
    /// </summary>
    public static void ComputeOutputsAt(ReadOnlySpan<byte> commitment32, ulong n, ReadOnlySpan<ulong> indices, Span<byte> out32,
        SimdLevel level, ScryptScratch scratch, CancellationToken cancellationToken = default)
    {
        Validate(commitment32, n, out32.Length, level);
        ArgumentNullException.ThrowIfNull(scratch);
        if (out32.Length != indices.Length * 32)
        {
            throw new ArgumentException($"{indices.Length} indices need {indices.Length * 32} output bytes, got {out32.Length}", nameof(out32));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the SIMD scrypt lanes assume a little-endian machine");
        }

        int count = indices.Length;
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
        GroupPlan full = Plan(level, n);
        uint* v = (uint*)scratch.Reserve(checked((nuint)n * (nuint)(lanes * full.Ways) * 128));
        fixed (byte* output = out32)
        fixed (ulong* all = indices)
        {
            int done = 0;
            while (done < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int remaining = count - done;
                SimdLevel groupLevel = level;
                GroupPlan group = full.For((remaining + lanes - 1) / lanes);
                if (remaining < lanes)
                {
                    groupLevel = TailLevel(level, remaining);
                    group = group with { Interleave = 1, Ways = 1 };
                }

                int take = Math.Min(remaining, SimdLevels.Lanes(groupLevel) * group.Ways);
                ComputeGroup(groupLevel, commitment, n, 0, all + done, take, output + (32 * done), v, group);
                done += take;
            }
        }
    }
}

/// <summary>
/// How one thread runs a batch: <see cref="Ways"/> lane groups together, in units of <see cref="Interleave"/> groups
/// interleaved instruction by instruction; units take turns (with prefetching) when Ways &gt; Interleave.
/// </summary>
internal readonly record struct GroupPlan(int Interleave, int Ways, bool StreamStores)
{
    /// <summary>The plan for a (last) batch that needs only <paramref name="groups"/> lane groups.</summary>
    public GroupPlan For(int groups)
    {
        if (groups >= Ways)
        {
            return this;
        }

        if (groups <= 1)
        {
            return this with { Interleave = 1, Ways = 1 };
        }

        return this with { Ways = (groups + Interleave - 1) / Interleave * Interleave };
    }
}
