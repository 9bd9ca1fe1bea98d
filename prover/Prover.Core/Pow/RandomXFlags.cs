using System.Diagnostics.CodeAnalysis;

namespace Prover.Core.Pow;

/// <summary>RandomX flags (<c>randomx_flags</c> in <c>randomx.h</c>; same bit values as randomx-rs).</summary>
[Flags]
[SuppressMessage("Naming", "CA1711", Justification = "Mirrors randomx_flags of the C API.")]
public enum RandomXFlags
{
    /// <summary><c>RANDOMX_FLAG_DEFAULT</c>: portable interpreter, software AES, light mode.</summary>
    None = 0,
    LargePages = 1,
    HardAes = 2,
    /// <summary>Fast mode: the VM reads the full ~2 GiB dataset instead of computing items from the cache.</summary>
    FullMem = 4,
    Jit = 8,
    Secure = 16,
    Argon2Ssse3 = 32,
    Argon2Avx2 = 64,
}

/// <summary>How RandomX hashes are computed; both give identical hashes (spec §5.1).</summary>
public enum RandomXMode
{
    /// <summary>Cache only (~256 MiB): quick to set up, several times slower per hash. Good for verification.</summary>
    Light,

    /// <summary>Full dataset (~2080 MiB), built once from the cache: fast hashing. Good for proving.</summary>
    Fast,
}
