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
        int i = 0;
        for (; i + 4 <= keyIndices.Length; i += 4)
        {
            var b0 = Vector128.Create(input.Slice(i * 16, 16));
            var b1 = Vector128.Create(input.Slice((i + 1) * 16, 16));
            var b2 = Vector128.Create(input.Slice((i + 2) * 16, 16));
            var b3 = Vector128.Create(input.Slice((i + 3) * 16, 16));
            TAes.Encrypt4Keys(
                ref Unsafe.Add(ref rk, AesKeySchedule.Offset(keyIndices[i])),
                ref Unsafe.Add(ref rk, AesKeySchedule.Offset(keyIndices[i + 1])),
                ref Unsafe.Add(ref rk, AesKeySchedule.Offset(keyIndices[i + 2])),
                ref Unsafe.Add(ref rk, AesKeySchedule.Offset(keyIndices[i + 3])),
                ref b0, ref b1, ref b2, ref b3);
            b0.CopyTo(output.Slice(i * 16, 16));
            b1.CopyTo(output.Slice((i + 1) * 16, 16));
            b2.CopyTo(output.Slice((i + 2) * 16, 16));
            b3.CopyTo(output.Slice((i + 3) * 16, 16));
        }

        for (; i < keyIndices.Length; i++)
        {
            TAes.Encrypt1(ref Unsafe.Add(ref rk, AesKeySchedule.Offset(keyIndices[i])), Vector128.Create(input.Slice(i * 16, 16)))
                .CopyTo(output.Slice(i * 16, 16));
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
