using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Prover.Core.Init;

namespace Prover.Kernels.Gpu;

/// <summary>
/// Label provider running the scrypt-jane kernel (<see cref="GpuScrypt"/>) on one ILGPU accelerator: a CUDA device, an
/// OpenCL device, or the ILGPU CPU accelerator (slow; for tests and as a kernel check).
/// <para>
/// A call is split into launches of at most <see cref="BatchSize"/> labels. All launches go to one stream with a
/// profiling marker after each output copy; while launch k runs on the device, the host waits only for the marker of
/// launch k − 1 and copies that launch's outputs out of one of two page-locked buffers, so the device is never idle
/// waiting for the host inside a call.
/// </para>
/// </summary>
public sealed class GpuLabelProvider : ILabelProvider
{
    private const long Mi = 1024 * 1024;

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<U4>, LabelBatchArgs> _pbkdf2;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<U4>, ArrayView<U4>, LabelBatchArgs,
        SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>> _romix;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<U4>, ArrayView<uint>, LabelBatchArgs> _final;
    private readonly int _groupSize;

    private MemoryBuffer1D<U4, Stride1D.Dense>? _scratch;
    private MemoryBuffer1D<U4, Stride1D.Dense>? _x;
    private MemoryBuffer1D<uint, Stride1D.Dense>? _outputs;
    private PageLockedArray1D<uint>? _hostA;
    private PageLockedArray1D<uint>? _hostB;
    private ulong _scratchN;
    private int _scratchGap;
    private int _slots;
    private bool _disposed;

    private GpuLabelProvider(Context context, Accelerator accelerator, string id, ProviderKind kind,
        GpuProviderOptions options)
    {
        _context = context;
        _accelerator = accelerator;
        Id = id;
        Kind = kind;
        Options = options;
        _groupSize = options.GroupSize > 0
            ? Math.Min(options.GroupSize, accelerator.MaxNumThreadsPerGroup)
            : kind == ProviderKind.IlgpuCpu ? accelerator.MaxNumThreadsPerGroup : Math.Min(128, accelerator.MaxNumThreadsPerGroup);
        Name = kind == ProviderKind.IlgpuCpu
            ? string.Create(CultureInfo.InvariantCulture, $"ILGPU CPU accelerator (simulated GPU, group {_groupSize})")
            : string.Create(CultureInfo.InvariantCulture,
                $"{accelerator.Name} ({kind}, {accelerator.NumMultiprocessors} CUs, {accelerator.MemorySize / Mi} MiB, group {_groupSize})");
        _stream = accelerator.CreateStream();
        var specialization = new KernelSpecialization(_groupSize,
            options.MinGroupsPerMultiprocessor > 0 ? options.MinGroupsPerMultiprocessor : null);
        var plain = new KernelSpecialization(_groupSize, null);
        _pbkdf2 = accelerator.LoadKernel<ArrayView<U4>, LabelBatchArgs>(GpuScrypt.Pbkdf2Kernel, plain);
        _romix = accelerator.LoadKernel<ArrayView<U4>, ArrayView<U4>, LabelBatchArgs, SpecializedValue<int>,
            SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(GpuScrypt.RomixKernel, specialization);
        _final = accelerator.LoadKernel<ArrayView<U4>, ArrayView<uint>, LabelBatchArgs>(GpuScrypt.FinalKernel, plain);
    }

    public string Id { get; }

    public string Name { get; }

    public ProviderKind Kind { get; }

    public GpuProviderOptions Options { get; }

    /// <summary>The accelerator's name as ILGPU reports it.</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>Threads per group used for launches.</summary>
    public int GroupSize => _groupSize;

    /// <summary>Labels per launch for the N of the last call (0 before the first call).</summary>
    public int BatchSize => _slots;

    /// <summary>Lookup gap of the last call (the configured gap clamped to N).</summary>
    public int EffectiveLookupGap => _scratchGap;

    /// <summary>Creates a provider on the <paramref name="deviceIndex"/>-th CUDA device.</summary>
    public static GpuLabelProvider CreateCuda(int deviceIndex, GpuProviderOptions? options = null) =>
        Create(AcceleratorType.Cuda, deviceIndex, options);

    /// <summary>Creates a provider on the <paramref name="deviceIndex"/>-th OpenCL device (ILGPU-compatible devices only).</summary>
    public static GpuLabelProvider CreateOpenCL(int deviceIndex, GpuProviderOptions? options = null) =>
        Create(AcceleratorType.OpenCL, deviceIndex, options);

    /// <summary>Creates a provider on the ILGPU CPU accelerator (a GPU simulator: correct but slow).</summary>
    public static GpuLabelProvider CreateIlgpuCpu(GpuProviderOptions? options = null) =>
        Create(AcceleratorType.CPU, 0, options);

    /// <summary>Creates a provider for an ILGPU accelerator type and a device index within that type.</summary>
    public static GpuLabelProvider Create(AcceleratorType type, int deviceIndex, GpuProviderOptions? options = null)
    {
        options ??= new GpuProviderOptions();
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        Context context = type switch
        {
            AcceleratorType.Cuda => Context.Create(b => b.Cuda().Profiling().Optimize(OptimizationLevel.O2)),
            AcceleratorType.OpenCL => Context.Create(b => b.OpenCL().Profiling().Optimize(OptimizationLevel.O2)),
            AcceleratorType.CPU => Context.Create(b => b.CPU().Profiling().Optimize(OptimizationLevel.O2)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported accelerator type"),
        };
        Accelerator? accelerator = null;
        try
        {
            (Device device, string id, ProviderKind kind) = type switch
            {
                AcceleratorType.Cuda => (Pick(context.GetDevices<CudaDevice>(), deviceIndex, "CUDA"),
                    $"cuda:{deviceIndex}", ProviderKind.Cuda),
                AcceleratorType.OpenCL => (Pick(context.GetDevices<CLDevice>(), deviceIndex, "OpenCL"),
                    $"opencl:{deviceIndex}", ProviderKind.OpenCL),
                _ => (Pick(context.GetDevices<CPUDevice>(), 0, "ILGPU CPU"), "ilgpu-cpu", ProviderKind.IlgpuCpu),
            };
            accelerator = device.CreateAccelerator(context);
            return new GpuLabelProvider(context, accelerator, id, kind, options);
        }
        catch
        {
            accelerator?.Dispose();
            context.Dispose();
            throw;
        }
    }

    private static Device Pick<T>(Context.DeviceCollection<T> devices, int index, string what) where T : Device =>
        index < devices.Count
            ? devices[index]
            : throw new InvalidOperationException($"no {what} device with index {index} (found {devices.Count})");

    public int PreferredBatchSize(ulong scryptN)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ValidateN(scryptN);
        int gap = EffectiveGap(scryptN);
        int slots = _scratch is not null && _scratchN == scryptN && _scratchGap == gap
            ? _slots
            : ComputeSlots(scryptN, gap, includeCurrent: true);
        // Several launches per call keep the device busy while the host drains the previous launch.
        return Kind == ProviderKind.IlgpuCpu ? slots : (int)Math.Min(int.MaxValue / 32, 4L * slots);
    }

    public void ComputeOutputs(ReadOnlySpan<byte> commitment, ulong scryptN, ulong startIndex, int count,
        Span<byte> output32, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (commitment.Length != 32)
            throw new ArgumentException($"commitment must be 32 bytes (got {commitment.Length})", nameof(commitment));
        ValidateN(scryptN);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (output32.Length < (long)count * 32)
            throw new ArgumentException($"output needs {(long)count * 32} bytes (got {output32.Length})", nameof(output32));
        if (count == 0)
            return;

        EnsureBuffers(scryptN);
        var args = new LabelBatchArgs
        {
            C0 = BinaryPrimitives.ReadUInt64LittleEndian(commitment),
            C1 = BinaryPrimitives.ReadUInt64LittleEndian(commitment[8..]),
            C2 = BinaryPrimitives.ReadUInt64LittleEndian(commitment[16..]),
            C3 = BinaryPrimitives.ReadUInt64LittleEndian(commitment[24..]),
            Slots = _slots,
        };
        var n = SpecializedValue.New((int)scryptN);
        var gap = SpecializedValue.New(_scratchGap);
        var layout = SpecializedValue.New((int)Options.Layout);
        var mode = SpecializedValue.New((int)Options.Recompute);

        ProfilingMarker? pending = null;
        int pendingOffset = 0, pendingCount = 0;
        try
        {
            int launch = 0;
            for (int offset = 0; offset < count; offset += _slots, launch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int chunk = Math.Min(_slots, count - offset);
                args.StartIndex = startIndex + (ulong)offset;
                args.Count = chunk;
                int groups = (chunk + _groupSize - 1) / _groupSize;
                var config = new KernelConfig(groups, _groupSize);
                _pbkdf2(_stream, config, _x!.View, args);
                _romix(_stream, config, _scratch!.View, _x.View, args, n, gap, layout, mode);
                _final(_stream, config, _x.View, _outputs!.View, args);
                PageLockedArray1D<uint> host = (launch & 1) == 0 ? _hostA! : _hostB!;
                _outputs.View.SubView(0, chunk * 8L).CopyTo(_stream, host.ArrayView.SubView(0, chunk * 8L));
                ProfilingMarker marker = _stream.AddProfilingMarker();
                if (pending is not null)
                {
                    Drain(pending, (launch & 1) == 0 ? _hostB! : _hostA!, pendingOffset, pendingCount, output32);
                    pending = null;
                }
                pending = marker;
                pendingOffset = offset;
                pendingCount = chunk;
            }
            if (pending is not null)
            {
                Drain(pending, (launch & 1) == 0 ? _hostB! : _hostA!, pendingOffset, pendingCount, output32);
                pending = null;
            }
        }
        finally
        {
            if (pending is not null)
            {
                // Cancelled or failed mid-way: let the queued work finish before the buffers can be reused.
                _stream.Synchronize();
                pending.Dispose();
            }
        }
    }

    private static void Drain(ProfilingMarker marker, PageLockedArray1D<uint> host, int offset, int count,
        Span<byte> output32)
    {
        marker.Synchronize();
        marker.Dispose();
        MemoryMarshal.AsBytes(host.Span[..(count * 8)]).CopyTo(output32[(offset * 32)..]);
    }

    private static void ValidateN(ulong scryptN)
    {
        if (scryptN < 2 || (scryptN & (scryptN - 1)) != 0 || scryptN > (1UL << 24))
            throw new ArgumentOutOfRangeException(nameof(scryptN), scryptN,
                "scrypt N must be a power of two in [2, 2^24]");
    }

    private int EffectiveGap(ulong scryptN) => (int)Math.Min((ulong)Options.LookupGap, scryptN);

    private void EnsureBuffers(ulong scryptN)
    {
        int gap = EffectiveGap(scryptN);
        if (_scratch is not null && _scratchN == scryptN && _scratchGap == gap)
            return;
        ReleaseBuffers();
        int slots = ComputeSlots(scryptN, gap, includeCurrent: false);
        long units = (long)slots * (long)(scryptN / (ulong)gap) * 8;
        _scratch = _accelerator.Allocate1D<U4>(units);
        _x = _accelerator.Allocate1D<U4>(slots * 8L);
        _outputs = _accelerator.Allocate1D<uint>(slots * 8L);
        _hostA = _accelerator.AllocatePageLocked1D<uint>(slots * 8L);
        _hostB = _accelerator.AllocatePageLocked1D<uint>(slots * 8L);
        _scratchN = scryptN;
        _scratchGap = gap;
        _slots = slots;
    }

    /// <summary>Labels per launch: the configured batch, or as many as the scratch budget allows, rounded down to a
    /// whole number of groups per multiprocessor.</summary>
    private int ComputeSlots(ulong scryptN, int gap, bool includeCurrent)
    {
        long perSlot = (long)(scryptN / (ulong)gap) * 128 + 128 + 32 * 3;
        long slots;
        if (Options.BatchSize > 0)
        {
            slots = Options.BatchSize;
        }
        else if (Kind == ProviderKind.IlgpuCpu)
        {
            slots = 4L * _groupSize;
        }
        else
        {
            long budget = (long)(ScratchBudgetBytes(includeCurrent) * Options.MemoryFraction);
            slots = budget / perSlot;
            long wave = (long)_groupSize * Math.Max(1, _accelerator.NumMultiprocessors);
            if (slots >= wave)
                slots -= slots % wave;
        }
        // Output indices are 32-bit inside the kernel; 2^22 labels per launch is far beyond any device's memory anyway.
        slots = Math.Clamp(slots, 1, 1L << 22);
        if (slots * perSlot > ScratchCeilingBytes())
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{Id}: a batch of {slots} labels at N={scryptN}, lookup gap {gap} needs {slots * perSlot / Mi} MiB of device memory; reduce the batch or raise the lookup gap"));
        return (int)slots;
    }

    /// <summary>Device memory the scratch may take: free memory on CUDA (plus what this provider already holds),
    /// the largest single allocation on OpenCL, and 1 GiB on the CPU accelerator.</summary>
    private long ScratchBudgetBytes(bool includeCurrent)
    {
        long held = includeCurrent && _scratch is not null
            ? _scratch.LengthInBytes + _x!.LengthInBytes + _outputs!.LengthInBytes
            : 0;
        return _accelerator switch
        {
            CudaAccelerator cuda => Math.Max(0, cuda.GetFreeMemory() + held - 256 * Mi),
            CLAccelerator cl => Math.Min(cl.MemorySize * 3 / 4, MaxOpenClAllocation(cl)),
            _ => 1024 * Mi,
        };
    }

    private long ScratchCeilingBytes() => _accelerator switch
    {
        CLAccelerator cl => MaxOpenClAllocation(cl),
        CPUAccelerator => long.MaxValue,
        _ => _accelerator.MemorySize,
    };

    private static long MaxOpenClAllocation(CLAccelerator cl)
    {
        // OpenCL caps single buffers (often at a quarter of the device memory); ILGPU does not expose the cap, so stay
        // within that common bound.
        return cl.MemorySize / 4;
    }

    private void ReleaseBuffers()
    {
        _scratch?.Dispose();
        _x?.Dispose();
        _outputs?.Dispose();
        _hostA?.Dispose();
        _hostB?.Dispose();
        _scratch = null;
        _x = null;
        _outputs = null;
        _hostA = null;
        _hostB = null;
        _slots = 0;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stream.Synchronize();
        ReleaseBuffers();
        _stream.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }
}
