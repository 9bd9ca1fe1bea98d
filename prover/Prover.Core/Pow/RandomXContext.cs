using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Prover.Core.Threading;

namespace Prover.Core.Pow;

/// <summary>Options for building a <see cref="RandomXContext"/>.</summary>
public sealed record RandomXContextOptions
{
    /// <summary>Threads used to build the fast-mode dataset; 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    public int InitThreads { get; init; }

    /// <summary>Ask RandomX for large pages (falls back to normal pages when the system has none reserved).</summary>
    public bool LargePages { get; init; }

    /// <summary>Dataset initialization progress (0..1), fast mode only; reported from worker threads.</summary>
    public IProgress<double>? DatasetProgress { get; init; }
}

/// <summary>
/// The RandomX state for one key: the cache (light mode) or the full dataset built from it (fast mode), plus a pool of
/// VMs. Building it is expensive (light ≈ 1 s, fast ≈ tens of seconds and ~2 GiB), so build one per process and share
/// it between every prover and verifier (several identities can hash over one dataset). Thread-safe: VMs are created
/// or rented per thread; the cache/dataset are read-only once built.
/// </summary>
public sealed class RandomXContext : IDisposable
{
    /// <summary>Items handed to one dataset-initialization call (64 bytes each: 2 MiB per chunk).</summary>
    private const ulong DatasetChunkItems = 1 << 15;

    private readonly RandomXCacheHandle? _cache;
    private readonly RandomXDatasetHandle? _dataset;
    private readonly ConcurrentBag<RandomXVm> _pool = [];
    private volatile bool _disposed;

    private RandomXContext(RandomXMode mode, RandomXFlags vmFlags, RandomXCacheHandle? cache,
        RandomXDatasetHandle? dataset, TimeSpan initTime)
    {
        Mode = mode;
        Flags = vmFlags;
        _cache = cache;
        _dataset = dataset;
        InitTime = initTime;
    }

    /// <summary>The RandomX key of Spacemesh's k2pow: ASCII <c>spacemesh-randomx-cache-key</c> (spec §5.1).</summary>
    public static ReadOnlySpan<byte> SpacemeshKey => "spacemesh-randomx-cache-key"u8;

    public RandomXMode Mode { get; }

    /// <summary>The flags the VMs of this context are created with (after any large-page/JIT fallback).</summary>
    public RandomXFlags Flags { get; }

    /// <summary>Wall time spent building the cache (and the dataset in fast mode).</summary>
    public TimeSpan InitTime { get; }

    /// <summary>The flags RandomX recommends for this CPU (<c>randomx_get_flags</c>: JIT, hardware AES, Argon2 SIMD).</summary>
    public static RandomXFlags RecommendedFlags()
    {
        RandomXNative.EnsureLoaded();
        return RandomXNative.GetFlags();
    }

    /// <summary>Builds the context for Spacemesh's k2pow key.</summary>
    public static RandomXContext Create(RandomXMode mode, RandomXContextOptions? options = null,
        CancellationToken cancellationToken = default) => Create(mode, SpacemeshKey, options, cancellationToken);

    /// <summary>Builds the context for an arbitrary key.</summary>
    /// <exception cref="RandomXLibraryNotFoundException">librandomx is not installed.</exception>
    public static RandomXContext Create(RandomXMode mode, ReadOnlySpan<byte> key, RandomXContextOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RandomXContextOptions();
        RandomXNative.EnsureLoaded();
        var started = Stopwatch.GetTimestamp();

        var flags = RandomXNative.GetFlags();
        if (options.LargePages)
        {
            flags |= RandomXFlags.LargePages;
        }

        var cache = new RandomXCacheHandle(AllocCache(ref flags));
        try
        {
            InitCache(cache, key);
            if (mode == RandomXMode.Light)
            {
                return new RandomXContext(mode, flags, cache, null, Stopwatch.GetElapsedTime(started));
            }

            var datasetFlags = flags;
            var dataset = new RandomXDatasetHandle(AllocDataset(ref datasetFlags));
            try
            {
                InitDataset(dataset, cache, options, cancellationToken);
            }
            catch
            {
                dataset.Dispose();
                throw;
            }

            // Fast VMs read only the dataset: the 256 MiB cache is no longer needed.
            cache.Dispose();
            var vmFlags = (datasetFlags & RandomXFlags.LargePages) == 0 ? flags & ~RandomXFlags.LargePages : flags;
            return new RandomXContext(mode, vmFlags | RandomXFlags.FullMem, null, dataset,
                Stopwatch.GetElapsedTime(started));
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>Creates a new VM owned by the caller (one per thread).</summary>
    public RandomXVm CreateVm()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var flags = Flags;
        RandomXVmHandle handle;
        try
        {
            handle = RandomXVmHandle.Create(flags, _cache, _dataset);
        }
        catch (InvalidOperationException) when ((flags & RandomXFlags.LargePages) != 0)
        {
            handle = RandomXVmHandle.Create(flags & ~RandomXFlags.LargePages, _cache, _dataset);
        }

        return new RandomXVm(handle, this);
    }

    /// <summary>Computes one hash with a pooled VM (convenient for verification and tests; thread-safe).</summary>
    public void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var vm = RentVm();
        try
        {
            vm.Hash(input, output);
        }
        finally
        {
            ReturnVm(vm);
        }
    }

    /// <summary>Takes a VM from the pool (or creates one); give it back with <see cref="ReturnVm"/>.</summary>
    public RandomXVm RentVm()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _pool.TryTake(out var vm) ? vm : CreateVm();
    }

    /// <summary>Returns a VM obtained from <see cref="RentVm"/> to the pool.</summary>
    public void ReturnVm(RandomXVm vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        if (!ReferenceEquals(vm.Context, this))
        {
            throw new ArgumentException("the VM belongs to another context", nameof(vm));
        }

        if (_disposed)
        {
            vm.Dispose();
            return;
        }

        _pool.Add(vm);
        if (_disposed)
        {
            DrainPool(); // raced with Dispose
        }
    }

    /// <summary>
    /// Releases the pooled VMs and this context's reference to the cache/dataset. Memory is freed once VMs created from
    /// this context (and still held by callers) are disposed too.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DrainPool();
        _cache?.Dispose();
        _dataset?.Dispose();
    }

    private void DrainPool()
    {
        while (_pool.TryTake(out var vm))
        {
            vm.Dispose();
        }
    }

    private static nint AllocCache(ref RandomXFlags flags)
    {
        var cache = RandomXNative.AllocCache(flags);
        if (cache == 0 && (flags & RandomXFlags.LargePages) != 0)
        {
            flags &= ~RandomXFlags.LargePages;
            cache = RandomXNative.AllocCache(flags);
        }

        if (cache == 0 && (flags & RandomXFlags.Jit) != 0)
        {
            // JIT needs writable+executable pages; some hardened systems refuse them. The interpreter gives the same hashes.
            flags &= ~RandomXFlags.Jit;
            cache = RandomXNative.AllocCache(flags);
        }

        return cache != 0 ? cache : throw new InsufficientMemoryException($"randomx_alloc_cache failed (flags {flags}).");
    }

    private static nint AllocDataset(ref RandomXFlags flags)
    {
        var dataset = RandomXNative.AllocDataset(flags);
        if (dataset == 0 && (flags & RandomXFlags.LargePages) != 0)
        {
            flags &= ~RandomXFlags.LargePages;
            dataset = RandomXNative.AllocDataset(flags);
        }

        return dataset != 0
            ? dataset
            : throw new InsufficientMemoryException($"randomx_alloc_dataset failed (flags {flags}); fast mode needs ~2.1 GiB.");
    }

    private static unsafe void InitCache(RandomXCacheHandle cache, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            RandomXNative.InitCache(cache.DangerousGetHandle(), k, (nuint)key.Length);
        }
    }

    /// <summary>Fills the dataset from the cache with several threads, each taking item ranges from a shared counter.</summary>
    private static void InitDataset(RandomXDatasetHandle dataset, RandomXCacheHandle cache, RandomXContextOptions options,
        CancellationToken cancellationToken)
    {
        var itemCount = (ulong)RandomXNative.DatasetItemCount().Value;
        var threads = options.InitThreads > 0 ? options.InitThreads : Environment.ProcessorCount;
        var chunks = (long)((itemCount + DatasetChunkItems - 1) / DatasetChunkItems);
        threads = (int)Math.Min(threads, chunks);
        long nextChunk = -1;
        long doneItems = 0;
        var datasetPtr = dataset.DangerousGetHandle();
        var cachePtr = cache.DangerousGetHandle();
        var progress = options.DatasetProgress;

        void Work(CancellationToken token)
        {
            while (!token.IsCancellationRequested)
            {
                var chunk = Interlocked.Increment(ref nextChunk);
                if (chunk >= chunks)
                {
                    return;
                }

                var start = (ulong)chunk * DatasetChunkItems;
                var count = Math.Min(DatasetChunkItems, itemCount - start);
                RandomXNative.InitDataset(datasetPtr, cachePtr, new CULong((nuint)start), new CULong((nuint)count));
                var done = Interlocked.Add(ref doneItems, (long)count);
                progress?.Report((double)done / itemCount);
            }
        }

        using (var workers = new WorkerGroup("randomx-dataset"))
        {
            workers.Run(threads, (_, token) => Work(token), cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
