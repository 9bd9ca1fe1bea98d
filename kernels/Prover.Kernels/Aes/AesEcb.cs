using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Prover.Kernels.Aes;

/// <summary>
/// ECB encryption of whole 16-byte blocks through a chosen AES implementation. Used by tests (every path against the
/// FIPS-197 reference) and benchmarks; the proving kernel calls the block functions directly.
/// </summary>
public static class AesEcb
{
    /// <summary>The implementations this CPU can run, fastest first.</summary>
    public static IReadOnlyList<AesImplementation> Available { get; } = DetectAvailable();

    /// <summary>The fastest implementation on this CPU.</summary>
    public static AesImplementation Best => Available[0];

    /// <summary>Whether <paramref name="implementation"/> runs on this CPU.</summary>
    public static bool IsSupported(AesImplementation implementation) => implementation switch
    {
        AesImplementation.X86AesNi => AesNiBlocks.IsSupported,
        AesImplementation.ArmAes => ArmAesBlocks.IsSupported,
        AesImplementation.Software => true,
        _ => false,
    };

    /// <summary>Encrypts <paramref name="input"/> (whole blocks) into <paramref name="output"/> with expanded round keys.</summary>
    public static void Encrypt(AesImplementation implementation, ReadOnlySpan<byte> roundKeys, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (roundKeys.Length < AesKeySchedule.ExpandedSize)
        {
            throw new ArgumentException("The expanded key needs 176 bytes.", nameof(roundKeys));
        }

        if (input.Length % AesKeySchedule.BlockSize != 0 || output.Length < input.Length)
        {
            throw new ArgumentException("ECB input must be whole blocks and fit the output.", nameof(input));
        }

        if (!IsSupported(implementation))
        {
            throw new PlatformNotSupportedException($"AES implementation {implementation} is not supported on this CPU.");
        }

        switch (implementation)
        {
            case AesImplementation.X86AesNi:
                Run<AesNiBlocks>(roundKeys, input, output);
                break;
            case AesImplementation.ArmAes:
                Run<ArmAesBlocks>(roundKeys, input, output);
                break;
            default:
                Run<SoftwareAesBlocks>(roundKeys, input, output);
                break;
        }
    }

    /// <summary>Encrypts each block with its own expanded key: block i uses key <paramref name="keyIndices"/>[i].</summary>
    public static void EncryptWithKeys(AesImplementation implementation, ReadOnlySpan<byte> roundKeys, ReadOnlySpan<int> keyIndices,
        ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length != keyIndices.Length * AesKeySchedule.BlockSize || output.Length < input.Length)
        {
            throw new ArgumentException("One key index per 16-byte block is needed.", nameof(keyIndices));
        }

        foreach (int key in keyIndices)
        {
            if (key < 0 || (key + 1) * AesKeySchedule.ExpandedSize > roundKeys.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(keyIndices), "A key index is outside the round keys.");
            }
        }

        if (!IsSupported(implementation))
        {
            throw new PlatformNotSupportedException($"AES implementation {implementation} is not supported on this CPU.");
        }

        switch (implementation)
        {
            case AesImplementation.X86AesNi:
                RunKeys<AesNiBlocks>(roundKeys, keyIndices, input, output);
                break;
            case AesImplementation.ArmAes:
                RunKeys<ArmAesBlocks>(roundKeys, keyIndices, input, output);
                break;
            default:
                RunKeys<SoftwareAesBlocks>(roundKeys, keyIndices, input, output);
                break;
        }
    }

    private static void Run<TAes>(ReadOnlySpan<byte> roundKeys, ReadOnlySpan<byte> input, Span<byte> output)
        where TAes : struct, IAesBlocks
    {
        ref byte rk = ref MemoryMarshal.GetReference(roundKeys);
        ref byte src = ref MemoryMarshal.GetReference(input);
        ref byte dst = ref MemoryMarshal.GetReference(output);
        int at = 0;
        for (; at + 128 <= input.Length; at += 128)
        {
            TAes.Encrypt8(ref rk, ref Unsafe.Add(ref src, at), out var o0, out var o1, out var o2, out var o3,
                out var o4, out var o5, out var o6, out var o7);
            o0.StoreUnsafe(ref dst, (nuint)at);
            o1.StoreUnsafe(ref dst, (nuint)at + 16);
            o2.StoreUnsafe(ref dst, (nuint)at + 32);
            o3.StoreUnsafe(ref dst, (nuint)at + 48);
            o4.StoreUnsafe(ref dst, (nuint)at + 64);
            o5.StoreUnsafe(ref dst, (nuint)at + 80);
            o6.StoreUnsafe(ref dst, (nuint)at + 96);
            o7.StoreUnsafe(ref dst, (nuint)at + 112);
        }

        for (; at < input.Length; at += 16)
        {
            TAes.Encrypt1(ref rk, Vector128.LoadUnsafe(ref src, (nuint)at)).StoreUnsafe(ref dst, (nuint)at);
        }
    }

    private static void RunKeys<TAes>(ReadOnlySpan<byte> roundKeys, ReadOnlySpan<int> keyIndices, ReadOnlySpan<byte> input, Span<byte> output)
        where TAes : struct, IAesBlocks
    {
        ref byte rk = ref MemoryMarshal.GetReference(roundKeys);
        Span<nint> offsets = stackalloc nint[8];
        Span<Vector128<byte>> blocks = stackalloc Vector128<byte>[8];
        for (int i = 0; i < keyIndices.Length; i += 8)
        {
            int n = Math.Min(8, keyIndices.Length - i);
            for (int j = 0; j < 8; j++)
            {
                // Unused lanes of a short last batch repeat the first block; their results are dropped.
                int from = i + (j < n ? j : 0);
                offsets[j] = AesKeySchedule.Offset(keyIndices[from]);
                blocks[j] = Vector128.Create(input.Slice(from * 16, 16));
            }

            TAes.Encrypt8Keys(ref rk, ref MemoryMarshal.GetReference(offsets), ref MemoryMarshal.GetReference(blocks));
            for (int j = 0; j < n; j++)
            {
                blocks[j].CopyTo(output.Slice((i + j) * 16, 16));
            }
        }
    }

    private static AesImplementation[] DetectAvailable()
    {
        var list = new List<AesImplementation>();
        if (AesNiBlocks.IsSupported)
        {
            list.Add(AesImplementation.X86AesNi);
        }

        if (ArmAesBlocks.IsSupported)
        {
            list.Add(AesImplementation.ArmAes);
        }

        list.Add(AesImplementation.Software);
        return [.. list];
    }
}
