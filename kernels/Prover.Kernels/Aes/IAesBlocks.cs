using System.Runtime.Intrinsics;

namespace Prover.Kernels.Aes;

/// <summary>Which AES implementation a kernel runs on.</summary>
public enum AesImplementation
{
    /// <summary>Portable table-based software AES (any CPU).</summary>
    Software,

    /// <summary>x86 AES-NI through <see cref="System.Runtime.Intrinsics.X86.Aes"/>.</summary>
    X86AesNi,

    /// <summary>Armv8 crypto extension through <see cref="System.Runtime.Intrinsics.Arm.Aes"/>.</summary>
    ArmAes,
}

/// <summary>
/// AES-128 block encryption used by the proving kernel. Implemented by structs so that the kernel is specialised per
/// implementation at JIT time (no virtual calls in the hot loop). Round keys come from <see cref="AesKeySchedule"/>.
/// </summary>
internal interface IAesBlocks
{
    static abstract bool IsSupported { get; }

    static abstract AesImplementation Implementation { get; }

    /// <summary>Encrypts the 8 consecutive blocks at <paramref name="source"/> (128 bytes) with one key.</summary>
    static abstract void Encrypt8(ref byte roundKeys, ref byte source, out Vector128<byte> o0, out Vector128<byte> o1,
        out Vector128<byte> o2, out Vector128<byte> o3, out Vector128<byte> o4, out Vector128<byte> o5,
        out Vector128<byte> o6, out Vector128<byte> o7);

    /// <summary>Encrypts one block.</summary>
    static abstract Vector128<byte> Encrypt1(ref byte roundKeys, Vector128<byte> block);

    /// <summary>
    /// Encrypts the eight blocks of <paramref name="blocks"/> in place, block i with the expanded key at byte offset
    /// <paramref name="keyOffsets"/>[i] from <paramref name="roundKeys"/>.
    /// </summary>
    static abstract void Encrypt8Keys(ref byte roundKeys, ref nint keyOffsets, ref Vector128<byte> blocks);
}
