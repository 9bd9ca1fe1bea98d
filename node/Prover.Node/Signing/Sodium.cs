using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Prover.Node.Signing;

/// <summary>
/// The few libsodium exports the node's verification rules and ECVRF are built on: ed25519 point addition and
/// subtraction, scalar multiplication and scalar arithmetic modulo L. The library is the one NSec ships and loads
/// (NuGet package <c>libsodium</c>, native asset <c>libsodium</c>); when the runtime's own probing does not find it
/// from this assembly, it is loaded the way NSec's assembly resolves it.
/// </summary>
internal static partial class Sodium
{
    private const string Library = "libsodium";

    /// <summary>Bytes of a compressed point and of a scalar.</summary>
    internal const int PointBytes = 32;

    private static readonly Lazy<bool> s_ready = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads and initializes libsodium (once); throws when it cannot be loaded.</summary>
    internal static void EnsureReady()
    {
        if (!s_ready.Value)
        {
            throw new InvalidOperationException("libsodium failed to initialize (sodium_init returned -1)");
        }
    }

    private static bool Initialize()
    {
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveThroughNSec;
        // NSec initializes libsodium when its algorithms are first used; sodium_init is idempotent (1 = already done).
        _ = NSec.Cryptography.SignatureAlgorithm.Ed25519;
        return sodium_init() >= 0;
    }

    private static nint ResolveThroughNSec(Assembly assembly, string name)
    {
        if (name != Library || assembly != typeof(Sodium).Assembly)
        {
            return 0;
        }

        return NativeLibrary.TryLoad(Library, typeof(NSec.Cryptography.Key).Assembly, null, out var handle) ? handle : 0;
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    internal static partial int crypto_core_ed25519_add(Span<byte> r, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ed25519_sub(Span<byte> r, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ed25519_from_uniform(Span<byte> p, ReadOnlySpan<byte> r);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_ed25519_noclamp(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_ed25519_base_noclamp(Span<byte> q, ReadOnlySpan<byte> n);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ed25519_scalar_reduce(Span<byte> r, ReadOnlySpan<byte> s);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ed25519_scalar_mul(Span<byte> z, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ed25519_scalar_add(Span<byte> z, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y);
}
