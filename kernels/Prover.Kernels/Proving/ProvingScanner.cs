using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Prover.Core.Proving;
using Prover.Kernels.Aes;

namespace Prover.Kernels.Proving;

/// <summary>Creates the 8/56 proving scanners of the kernels on the fastest (or a chosen) AES implementation.</summary>
public sealed class ProvingScannerFactory : IProvingScannerFactory
{
    public ProvingScannerFactory(AesImplementation? implementation = null)
    {
        Implementation = implementation ?? AesEcb.Best;
        if (!AesEcb.IsSupported(Implementation))
        {
            throw new PlatformNotSupportedException($"AES implementation {Implementation} is not supported on this CPU.");
        }
    }

    public AesImplementation Implementation { get; }

    public string Name => $"8/56 scan ({Implementation})";

    public IProvingScanner Create(ProvingPass pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        return Implementation switch
        {
            AesImplementation.X86AesNi => new ProvingScanner<AesNiBlocks>(pass),
            AesImplementation.ArmAes => new ProvingScanner<ArmAesBlocks>(pass),
            _ => new ProvingScanner<SoftwareAesBlocks>(pass),
        };
    }
}

/// <summary>
/// The proving hot loop (spec §4.4, post-rs <c>Prover8_56::prove</c>). For each 128-byte chunk and each nonce group,
/// the 8 labels are AES-encrypted with the group key; every output byte is one nonce's 8-bit score. Bytes are compared
/// 16 at a time with SIMD; the rare candidates (≤ msb) are queued with their position, then the lazy per-nonce AES of
/// the "== msb" ones is computed four keys at a time, and the good ones are reported in post-rs order.
/// Expanded keys are immutable, so one scanner serves all threads of a pass.
/// </summary>
[SkipLocalsInit]
internal sealed class ProvingScanner<TAes> : IProvingScanner
    where TAes : struct, IAesBlocks
{
    // Candidate entry: bits 0-6 offset in chunk (16·label + j), bit 7 lazy, bits 8-15 group, bits 16-62 chunk,
    // bit 63 set once the lazy check passed.
    private const int Capacity = 4096;
    private const ulong LazyFlag = 1UL << 7;
    private const ulong GoodFlag = 1UL << 63;
    private const int Chunk = ProvingConstants.ChunkSize;
    private const int KeySize = AesKeySchedule.ExpandedSize;

    private readonly byte[] _groupRoundKeys;
    private readonly byte[] _lazyRoundKeys;
    private readonly uint _firstNonce;
    private readonly int _groups;
    private readonly byte _msb;
    private readonly ulong _lsb;

    public ProvingScanner(ProvingPass pass)
    {
        if (!TAes.IsSupported)
        {
            throw new PlatformNotSupportedException($"AES implementation {TAes.Implementation} is not supported on this CPU.");
        }

        _groups = pass.GroupCount;
        _firstNonce = pass.FirstNonce;
        _msb = pass.DifficultyMsb;
        _lsb = pass.DifficultyLsb;
        _groupRoundKeys = AesKeySchedule.ExpandMany(pass.GroupKeys, pass.GroupCount);
        _lazyRoundKeys = AesKeySchedule.ExpandMany(pass.LazyKeys, pass.NonceCount);
    }

    public bool Scan(ReadOnlySpan<byte> labels, ulong firstLabelIndex, ILabelHitSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        int chunks = labels.Length / Chunk;
        if (chunks == 0)
        {
            return false;
        }

        Span<ulong> candidates = stackalloc ulong[Capacity];
        ref ulong slots = ref MemoryMarshal.GetReference(candidates);
        int count = 0;
        ref byte data = ref MemoryMarshal.GetReference(labels);
        ref byte keys = ref MemoryMarshal.GetArrayDataReference(_groupRoundKeys);
        int groups = _groups;
        Vector128<byte> msb = Vector128.Create(_msb);
        bool msbZero = _msb == 0;

        for (int c = 0; c < chunks; c++)
        {
            ref byte chunk = ref Unsafe.Add(ref data, (nint)c * Chunk);
            for (int g = 0; g < groups; g++)
            {
                TAes.Encrypt8(ref Unsafe.Add(ref keys, g * KeySize), ref chunk,
                    out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
                ulong position = ((ulong)(uint)c << 16) | ((ulong)(uint)g << 8);
                if (msbZero)
                {
                    // Only bytes equal to 0 can pass, and all of them need the lazy check. Candidates are rare
                    // (1/256 per byte), so they are appended without branches: two per 64-byte half, with a rarely
                    // taken loop for a third.
                    ulong lo = Combine(
                        Vector128.Equals(o0, Vector128<byte>.Zero), Vector128.Equals(o1, Vector128<byte>.Zero),
                        Vector128.Equals(o2, Vector128<byte>.Zero), Vector128.Equals(o3, Vector128<byte>.Zero));
                    ulong hi = Combine(
                        Vector128.Equals(o4, Vector128<byte>.Zero), Vector128.Equals(o5, Vector128<byte>.Zero),
                        Vector128.Equals(o6, Vector128<byte>.Zero), Vector128.Equals(o7, Vector128<byte>.Zero));
                    ulong entry = position | LazyFlag;
                    Unsafe.Add(ref slots, count) = entry + (ulong)BitOperations.TrailingZeroCount(lo);
                    count += NonZero(lo);
                    lo &= lo - 1;
                    Unsafe.Add(ref slots, count) = entry + (ulong)BitOperations.TrailingZeroCount(lo);
                    count += NonZero(lo);
                    lo &= lo - 1;
                    if (lo != 0)
                    {
                        count = AppendAll(candidates, count, lo, entry);
                    }

                    entry |= 64;
                    Unsafe.Add(ref slots, count) = entry + (ulong)BitOperations.TrailingZeroCount(hi);
                    count += NonZero(hi);
                    hi &= hi - 1;
                    Unsafe.Add(ref slots, count) = entry + (ulong)BitOperations.TrailingZeroCount(hi);
                    count += NonZero(hi);
                    hi &= hi - 1;
                    if (hi != 0)
                    {
                        count = AppendAll(candidates, count, hi, entry);
                    }
                }
                else
                {
                    var l0 = Vector128.LessThanOrEqual(o0, msb);
                    var l1 = Vector128.LessThanOrEqual(o1, msb);
                    var l2 = Vector128.LessThanOrEqual(o2, msb);
                    var l3 = Vector128.LessThanOrEqual(o3, msb);
                    var l4 = Vector128.LessThanOrEqual(o4, msb);
                    var l5 = Vector128.LessThanOrEqual(o5, msb);
                    var l6 = Vector128.LessThanOrEqual(o6, msb);
                    var l7 = Vector128.LessThanOrEqual(o7, msb);
                    if (((l0 | l1) | (l2 | l3) | ((l4 | l5) | (l6 | l7))) == Vector128<byte>.Zero)
                    {
                        continue;
                    }

                    ulong lo = Combine(l0, l1, l2, l3);
                    ulong hi = Combine(l4, l5, l6, l7);
                    ulong eqLo = Combine(Vector128.Equals(o0, msb), Vector128.Equals(o1, msb), Vector128.Equals(o2, msb), Vector128.Equals(o3, msb));
                    ulong eqHi = Combine(Vector128.Equals(o4, msb), Vector128.Equals(o5, msb), Vector128.Equals(o6, msb), Vector128.Equals(o7, msb));
                    count = AppendMixed(candidates, count, lo, eqLo, position);
                    count = AppendMixed(candidates, count, hi, eqHi, position | 64);
                }

                if (count > Capacity - Chunk)
                {
                    if (Flush(candidates[..count], labels, firstLabelIndex, sink))
                    {
                        return true;
                    }

                    count = 0;
                }
            }
        }

        return count > 0 && Flush(candidates[..count], labels, firstLabelIndex, sink);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Combine(Vector128<byte> m0, Vector128<byte> m1, Vector128<byte> m2, Vector128<byte> m3) =>
        m0.ExtractMostSignificantBits()
        | ((ulong)m1.ExtractMostSignificantBits() << 16)
        | ((ulong)m2.ExtractMostSignificantBits() << 32)
        | ((ulong)m3.ExtractMostSignificantBits() << 48);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NonZero(ulong value) => (int)((value | (0 - value)) >> 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AppendAll(Span<ulong> candidates, int count, ulong mask, ulong entry)
    {
        while (mask != 0)
        {
            candidates[count++] = entry + (ulong)BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AppendMixed(Span<ulong> candidates, int count, ulong mask, ulong lazyMask, ulong entry)
    {
        while (mask != 0)
        {
            int bit = BitOperations.TrailingZeroCount(mask);
            candidates[count++] = entry | (uint)bit | (((lazyMask >> bit) & 1) << 7);
            mask &= mask - 1;
        }

        return count;
    }

    /// <summary>Runs the lazy checks of the queued candidates (eight keys at a time), then reports the good ones in order.</summary>
    private bool Flush(Span<ulong> candidates, ReadOnlySpan<byte> labels, ulong firstLabelIndex, ILabelHitSink sink)
    {
        Span<int> lazy = stackalloc int[candidates.Length + 8];
        int pending = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            lazy[pending] = i;
            pending += (int)((candidates[i] & LazyFlag) >> 7);
        }

        if (pending > 0)
        {
            // Pad the last batch with its first entry; checking a candidate twice is harmless.
            int padded = (pending + 7) & ~7;
            lazy[pending..padded].Fill(lazy[pending & ~7]);
            for (int i = 0; i < padded; i += 8)
            {
                CheckLazy(candidates, lazy.Slice(i, 8), labels);
            }
        }

        foreach (ulong entry in candidates)
        {
            if ((entry & LazyFlag) != 0 && (entry & GoodFlag) == 0)
            {
                continue;
            }

            int offset = (int)(entry & 0x7F);
            uint group = (uint)(entry >> 8) & 0xFF;
            ulong chunk = (entry & ~GoodFlag) >> 16;
            uint nonce = _firstNonce + (group * ProvingConstants.NoncesPerGroup) + (uint)(offset & 15);
            ulong index = firstLabelIndex + (chunk * 8) + (ulong)(offset >> 4);
            if (sink.OnGoodLabel(nonce, index))
            {
                return true;
            }
        }

        return false;
    }

    private void CheckLazy(Span<ulong> candidates, ReadOnlySpan<int> batch, ReadOnlySpan<byte> labels)
    {
        ref byte data = ref MemoryMarshal.GetReference(labels);
        Span<nint> keyOffsets = stackalloc nint[8];
        Span<Vector128<byte>> blocks = stackalloc Vector128<byte>[8];
        for (int i = 0; i < 8; i++)
        {
            ulong entry = candidates[batch[i]];
            keyOffsets[i] = LazyKeyOffset(entry);
            blocks[i] = Vector128.LoadUnsafe(ref data, LabelOffset(entry));
        }

        TAes.Encrypt8Keys(ref MemoryMarshal.GetArrayDataReference(_lazyRoundKeys), ref MemoryMarshal.GetReference(keyOffsets),
            ref MemoryMarshal.GetReference(blocks));
        for (int i = 0; i < 8; i++)
        {
            Mark(candidates, batch[i], blocks[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Mark(Span<ulong> candidates, int at, Vector128<byte> lazyOutput)
    {
        ulong lsb = lazyOutput.AsUInt64().ToScalar() & ProvingDifficulty.LsbMask;
        if (lsb < _lsb)
        {
            candidates[at] |= GoodFlag;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint LabelOffset(ulong entry) =>
        (nuint)((((entry & ~GoodFlag) >> 16) * Chunk) + ((entry & 0x70) /* 16·label */));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint LazyKeyOffset(ulong entry) =>
        (nint)(((((entry >> 8) & 0xFF) * ProvingConstants.NoncesPerGroup) + (entry & 15)) * KeySize);
}
