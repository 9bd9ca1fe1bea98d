using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Kernels.Tests;

/// <summary>
/// The one transpose network of each width (<see cref="ILaneOps{TVec}.Transpose{TLoad, TStore}"/>) with every source
/// and sink scrypt uses, element by element against the definition, and against the portable network. Under
/// <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c> the same tests run the
/// narrower and portable paths.
/// </summary>
public unsafe class SimdTransposeTests
{
    public static TheoryData<int> Widths => new() { 1, 4, 8, 16 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Stores_put_element_k_of_word_m_at_word_m_of_lane_k_and_nothing_between_lanes(int lanes)
    {
        ForWidth(lanes, new StoreCheck());
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Load_xor_folds_lane_k_word_m_into_element_k_of_word_m_from_unaligned_rows(int lanes)
    {
        ForWidth(lanes, new LoadXorCheck());
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Store_then_load_xor_into_zeros_gives_back_the_word_slices(int lanes)
    {
        ForWidth(lanes, new RoundTripCheck());
    }

    private interface IWidthCheck
    {
        void Run<TVec, TOps>()
            where TVec : unmanaged
            where TOps : struct, ILaneOps<TVec>;
    }

    private static void ForWidth<TCheck>(int lanes, TCheck check)
        where TCheck : IWidthCheck
    {
        switch (lanes)
        {
            case 1: check.Run<uint, ScalarOps>(); break;
            case 4: check.Run<Vector128<uint>, V128Ops>(); break;
            case 8: check.Run<Vector256<uint>, V256Ops>(); break;
            case 16: check.Run<Vector512<uint>, V512Ops>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(lanes), lanes, "no such width");
        }
    }

    /// <summary>Element k of word-slice vector m before any transpose: distinct and never zero.</summary>
    private static uint Word(int m, int k) => 0x9E37_0000u + ((uint)m << 8) + (uint)k + 1;

    private const uint Gap = 0xDEAD_BEEF;

    /// <summary>64-byte aligned native memory of a number of 32-bit words, each filled with one value.</summary>
    private sealed class Buffer : IDisposable
    {
        public Buffer(int words, uint fill)
        {
            Words = (uint*)NativeMemory.AlignedAlloc((nuint)words * sizeof(uint), 64);
            new Span<uint>(Words, words).Fill(fill);
        }

        public uint* Words { get; }

        public void Dispose() => NativeMemory.AlignedFree(Words);
    }

    private static Buffer Slices(int lanes)
    {
        var slices = new Buffer(lanes * lanes, 0);
        for (int m = 0; m < lanes; m++)
        {
            for (int k = 0; k < lanes; k++)
            {
                slices.Words[(m * lanes) + k] = Word(m, k);
            }
        }

        return slices;
    }

    private readonly struct StoreCheck : IWidthCheck
    {
        public void Run<TVec, TOps>()
            where TVec : unmanaged
            where TOps : struct, ILaneOps<TVec>
        {
            int lanes = TOps.Lanes;
            nint stride = 3 * lanes; // whole vectors apart, with a gap that no store may touch
            using var slices = Slices(lanes);
            using var plain = new Buffer((int)stride * lanes, Gap);
            using var streamed = new Buffer((int)stride * lanes, Gap);
            using var portable = new Buffer((int)stride * lanes, Gap);
            var load = new VectorLoad<TVec>((TVec*)slices.Words);
            TOps.Transpose(load, new StridedStore<TVec>(plain.Words, stride));
            TOps.Transpose(load, new StridedStoreNonTemporal<TVec>(streamed.Words, stride));
            PortableTranspose.Run<TVec, VectorLoad<TVec>, StridedStore<TVec>>(load, new StridedStore<TVec>(portable.Words, stride));

            for (int k = 0; k < lanes; k++)
            {
                for (int w = 0; w < stride; w++)
                {
                    uint expected = w < lanes ? Word(w, k) : Gap;
                    Assert.Equal(expected, plain.Words[(k * stride) + w]);
                    Assert.Equal(expected, streamed.Words[(k * stride) + w]);
                    Assert.Equal(expected, portable.Words[(k * stride) + w]);
                }
            }
        }
    }

    private readonly struct LoadXorCheck : IWidthCheck
    {
        public void Run<TVec, TOps>()
            where TVec : unmanaged
            where TOps : struct, ILaneOps<TVec>
        {
            int lanes = TOps.Lanes;
            const int offset = 3; // lane blocks start one word past an aligned address, then three words in
            int blockWords = 1 + offset + lanes;
            using var blocks = new Buffer(lanes * blockWords, Gap);
            uint** rows = stackalloc uint*[lanes];
            for (int k = 0; k < lanes; k++)
            {
                // Lanes in reverse memory order, so a network that ignored rows[k] and walked memory would fail.
                rows[k] = blocks.Words + ((lanes - 1 - k) * blockWords) + 1;
                for (int m = 0; m < lanes; m++)
                {
                    rows[k][offset + m] = ~Word(m, k) * 3;
                }
            }

            using var network = Slices(lanes);
            using var portable = Slices(lanes);
            TOps.Transpose(new RowLoad<TVec>(rows, offset), new XorStore<TVec, TOps>((TVec*)network.Words));
            PortableTranspose.Run<TVec, RowLoad<TVec>, XorStore<TVec, TOps>>(
                new RowLoad<TVec>(rows, offset), new XorStore<TVec, TOps>((TVec*)portable.Words));

            for (int m = 0; m < lanes; m++)
            {
                for (int k = 0; k < lanes; k++)
                {
                    uint expected = Word(m, k) ^ (~Word(m, k) * 3);
                    Assert.Equal(expected, network.Words[(m * lanes) + k]);
                    Assert.Equal(expected, portable.Words[(m * lanes) + k]);
                }
            }
        }
    }

    private readonly struct RoundTripCheck : IWidthCheck
    {
        public void Run<TVec, TOps>()
            where TVec : unmanaged
            where TOps : struct, ILaneOps<TVec>
        {
            int lanes = TOps.Lanes;
            nint stride = 32; // the scratch row layout: 32 words per lane block
            using var slices = Slices(lanes);
            using var row = new Buffer(32 * lanes, Gap);
            TOps.Transpose(new VectorLoad<TVec>((TVec*)slices.Words), new StridedStoreNonTemporal<TVec>(row.Words, stride));

            uint** rows = stackalloc uint*[lanes];
            for (int k = 0; k < lanes; k++)
            {
                rows[k] = row.Words + (k * stride);
            }

            using var back = new Buffer(lanes * lanes, 0);
            TOps.Transpose(new RowLoad<TVec>(rows, 0), new XorStore<TVec, TOps>((TVec*)back.Words));
            Assert.Equal(new Span<uint>(slices.Words, lanes * lanes).ToArray(), new Span<uint>(back.Words, lanes * lanes).ToArray());
        }
    }
}
