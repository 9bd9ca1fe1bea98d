using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Prover.Core.Pow;

/// <summary>
/// Raw bindings of tevador RandomX's C API (<c>randomx.h</c>). Pointers to RandomX objects are passed as
/// <see cref="nint"/>; lifetimes are managed by the <see cref="SafeHandle"/> wrappers in <c>RandomXHandles.cs</c>.
/// The library is resolved by <see cref="EnsureLoaded"/> (Debian package <c>librandomx0</c> ships
/// <c>librandomx.so.0</c> only, without the unversioned development symlink).
/// </summary>
internal static partial class RandomXNative
{
    /// <summary>Logical library name used by the imports below; mapped to a real file by the resolver.</summary>
    internal const string LibraryName = "randomx";

    /// <summary>Environment variable naming an explicit path of the RandomX shared library (optional).</summary>
    internal const string LibraryPathVariable = "POST_RANDOMX_LIBRARY";

    internal static readonly string[] Candidates = ["librandomx.so.0", "librandomx.so", "randomx"];

    private static readonly Lock s_gate = new();
    private static bool s_resolverInstalled;
    private static nint s_library;

    /// <summary>
    /// Installs the library resolver (once) and loads the library, throwing <see cref="RandomXLibraryNotFoundException"/>
    /// with installation instructions when it is missing. Must be called before the first native call.
    /// </summary>
    internal static void EnsureLoaded()
    {
        lock (s_gate)
        {
            if (!s_resolverInstalled)
            {
                InstallResolver();
                s_resolverInstalled = true;
            }

            if (s_library == 0)
            {
                s_library = TryLoadLibrary(typeof(RandomXNative).Assembly, null);
                if (s_library == 0)
                {
                    throw new RandomXLibraryNotFoundException(DescribeCandidates());
                }
            }
        }
    }

    private static void InstallResolver()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(RandomXNative).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Another component of this assembly already owns the (single) per-assembly resolver: fall back to the
            // load-context event, which the runtime raises after its own probing for "randomx" failed.
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
                name == LibraryName ? Resolve(name, assembly, null) : 0;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return 0; // not ours: default probing
        }

        lock (s_gate)
        {
            if (s_library == 0)
            {
                s_library = TryLoadLibrary(assembly, searchPath);
            }

            return s_library;
        }
    }

    private static nint TryLoadLibrary(Assembly assembly, DllImportSearchPath? searchPath)
    {
        var explicitPath = Environment.GetEnvironmentVariable(LibraryPathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath) && NativeLibrary.TryLoad(explicitPath, out var byPath))
        {
            return byPath;
        }

        foreach (var name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }

    private static string DescribeCandidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable(LibraryPathVariable);
        var tried = string.Join(", ", Candidates);
        return string.IsNullOrWhiteSpace(explicitPath) ? tried : $"{explicitPath} ({LibraryPathVariable}), {tried}";
    }

    [LibraryImport(LibraryName, EntryPoint = "randomx_get_flags")]
    internal static partial RandomXFlags GetFlags();

    [LibraryImport(LibraryName, EntryPoint = "randomx_alloc_cache")]
    internal static partial nint AllocCache(RandomXFlags flags);

    [LibraryImport(LibraryName, EntryPoint = "randomx_init_cache")]
    internal static unsafe partial void InitCache(nint cache, byte* key, nuint keySize);

    [LibraryImport(LibraryName, EntryPoint = "randomx_release_cache")]
    internal static partial void ReleaseCache(nint cache);

    [LibraryImport(LibraryName, EntryPoint = "randomx_alloc_dataset")]
    internal static partial nint AllocDataset(RandomXFlags flags);

    [LibraryImport(LibraryName, EntryPoint = "randomx_dataset_item_count")]
    internal static partial CULong DatasetItemCount();

    [LibraryImport(LibraryName, EntryPoint = "randomx_init_dataset")]
    internal static partial void InitDataset(nint dataset, nint cache, CULong startItem, CULong itemCount);

    [LibraryImport(LibraryName, EntryPoint = "randomx_release_dataset")]
    internal static partial void ReleaseDataset(nint dataset);

    [LibraryImport(LibraryName, EntryPoint = "randomx_create_vm")]
    internal static partial nint CreateVm(RandomXFlags flags, nint cache, nint dataset);

    [LibraryImport(LibraryName, EntryPoint = "randomx_destroy_vm")]
    internal static partial void DestroyVm(nint vm);

    [LibraryImport(LibraryName, EntryPoint = "randomx_calculate_hash")]
    internal static unsafe partial void CalculateHash(RandomXVmHandle vm, byte* input, nuint inputSize, byte* output);

    [LibraryImport(LibraryName, EntryPoint = "randomx_calculate_hash_first")]
    internal static unsafe partial void CalculateHashFirst(RandomXVmHandle vm, byte* input, nuint inputSize);

    [LibraryImport(LibraryName, EntryPoint = "randomx_calculate_hash_next")]
    internal static unsafe partial void CalculateHashNext(RandomXVmHandle vm, byte* nextInput, nuint nextInputSize,
        byte* output);

    [LibraryImport(LibraryName, EntryPoint = "randomx_calculate_hash_last")]
    internal static unsafe partial void CalculateHashLast(RandomXVmHandle vm, byte* output);
}
