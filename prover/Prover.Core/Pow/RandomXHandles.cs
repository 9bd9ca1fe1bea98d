using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prover.Core.Pow;

/// <summary>Owns a <c>randomx_cache*</c>.</summary>
internal sealed class RandomXCacheHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public RandomXCacheHandle()
        : base(ownsHandle: true)
    {
    }

    internal RandomXCacheHandle(nint cache)
        : base(ownsHandle: true) => SetHandle(cache);

    protected override bool ReleaseHandle()
    {
        RandomXNative.ReleaseCache(handle);
        return true;
    }
}

/// <summary>Owns a <c>randomx_dataset*</c>.</summary>
internal sealed class RandomXDatasetHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public RandomXDatasetHandle()
        : base(ownsHandle: true)
    {
    }

    internal RandomXDatasetHandle(nint dataset)
        : base(ownsHandle: true) => SetHandle(dataset);

    protected override bool ReleaseHandle()
    {
        RandomXNative.ReleaseDataset(handle);
        return true;
    }
}

/// <summary>
/// Owns a <c>randomx_vm*</c> and keeps the cache or dataset it reads alive (a reference is added on creation and
/// released after the VM is destroyed), so disposing a <see cref="RandomXContext"/> while VMs exist is safe.
/// </summary>
internal sealed class RandomXVmHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SafeHandle? _memory;

    public RandomXVmHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a VM over <paramref name="dataset"/> in fast mode, else over <paramref name="cache"/> (light mode).</summary>
    internal static RandomXVmHandle Create(RandomXFlags flags, RandomXCacheHandle? cache, RandomXDatasetHandle? dataset)
    {
        SafeHandle memory = (SafeHandle?)dataset ?? cache ?? throw new ArgumentException("a cache or a dataset is required");
        var added = false;
        memory.DangerousAddRef(ref added);
        try
        {
            var vm = RandomXNative.CreateVm(flags, cache?.DangerousGetHandle() ?? 0, dataset?.DangerousGetHandle() ?? 0);
            if (vm == 0)
            {
                throw new InvalidOperationException($"randomx_create_vm failed (flags {flags}).");
            }

            var result = new RandomXVmHandle { _memory = memory };
            result.SetHandle(vm);
            added = false; // ownership of the reference moved to the VM handle
            return result;
        }
        finally
        {
            if (added)
            {
                memory.DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        RandomXNative.DestroyVm(handle);
        _memory?.DangerousRelease();
        _memory = null;
        return true;
    }
}
