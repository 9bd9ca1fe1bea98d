using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Init;
using Prover.Kernels.Gpu;
using Prover.Kernels.Simd;

namespace Prover.Kernels;

/// <summary>One usable label provider: what it is and how to create it.</summary>
/// <param name="Id">The <c>--provider</c> identifier ("cpu", "cuda:0", "opencl:1", "ilgpu-cpu").</param>
/// <param name="Kind">Hardware kind.</param>
/// <param name="Name">Device name (GPU model, CPU SIMD level).</param>
/// <param name="ComputeUnits">Multiprocessors / compute units, or worker threads for the CPU provider.</param>
/// <param name="MemoryBytes">Device memory (GPU) or memory available to the process (CPU).</param>
/// <param name="LaneWidth">Labels one unit works on side by side: the warp/wavefront size on GPUs, the SIMD lanes on
/// the CPU.</param>
/// <param name="Details">Further facts worth printing (driver, architecture, vendor, max threads per group).</param>
/// <param name="Create">Creates the provider; the caller disposes it.</param>
public sealed record ProviderDescriptor(
    string Id,
    ProviderKind Kind,
    string Name,
    int ComputeUnits,
    long MemoryBytes,
    int LaneWidth,
    IReadOnlyDictionary<string, string> Details,
    Func<ILabelProvider> Create);

/// <summary>
/// Lists every label provider this machine can run: the CPU SIMD provider, each CUDA and OpenCL device ILGPU can
/// drive, and the ILGPU CPU accelerator. Discovery never throws: a backend whose driver is missing or broken is left
/// out and the reason is recorded in <see cref="Notes"/> (and passed to the optional log callback).
/// </summary>
public sealed class ProviderCatalog
{
    private ProviderCatalog(IReadOnlyList<ProviderDescriptor> providers, IReadOnlyList<string> notes)
    {
        Providers = providers;
        Notes = notes;
    }

    /// <summary>Usable providers, CPU first, then CUDA, OpenCL and the ILGPU CPU accelerator.</summary>
    public IReadOnlyList<ProviderDescriptor> Providers { get; }

    /// <summary>Why a backend is missing or was skipped (one line each).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The provider with this id (case-insensitive), or null.</summary>
    public ProviderDescriptor? Find(string id) =>
        Providers.FirstOrDefault(p => p.Id.Equals(id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Probes all backends.</summary>
    /// <param name="cpuThreads">Worker threads of the CPU SIMD provider (0 = all cores).</param>
    /// <param name="gpuOptions">Options handed to every GPU provider the catalog creates.</param>
    /// <param name="logger">Receives each note as it is found (the same text as <see cref="Notes"/>); none: not logged.</param>
    public static ProviderCatalog Discover(int cpuThreads = 0, GpuProviderOptions? gpuOptions = null,
        ILogger<ProviderCatalog>? logger = null)
    {
        var providers = new List<ProviderDescriptor>();
        var note = new NoteRecorder(logger ?? (ILogger)NullLogger<ProviderCatalog>.Instance);
        if (CpuSimdEntry(cpuThreads, note) is { } cpu)
            providers.Add(cpu);
        Probe("CUDA", AcceleratorType.Cuda, b => b.Cuda(), providers, gpuOptions, note);
        Probe("OpenCL", AcceleratorType.OpenCL, b => b.OpenCL(), providers, gpuOptions, note);
        Probe("ILGPU CPU accelerator", AcceleratorType.CPU, b => b.CPU(), providers, gpuOptions, note);
        return new ProviderCatalog(providers, note.Lines);
    }

    private static ProviderDescriptor? CpuSimdEntry(int cpuThreads, ILogger note)
    {
        SimdLevel level = SimdLevels.Best;
        int threads = cpuThreads > 0 ? cpuThreads : Environment.ProcessorCount;
        if (level == SimdLevel.Scalar)
            note.ScalarCpu();
        var details = new Dictionary<string, string>
        {
            ["simd"] = level.ToString(),
            ["lanes"] = SimdLevels.Lanes(level).ToString(CultureInfo.InvariantCulture),
            ["threads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["architecture"] = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(),
        };
        return new ProviderDescriptor("cpu", ProviderKind.CpuSimd, $"CPU {level} x {threads} {(threads == 1 ? "thread" : "threads")}", threads,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, SimdLevels.Lanes(level), details,
            () => new CpuLabelProvider(cpuThreads, level));
    }

    private static void Probe(string backend, AcceleratorType type, Func<Context.Builder, Context.Builder> configure,
        List<ProviderDescriptor> providers, GpuProviderOptions? gpuOptions, ILogger note)
    {
        try
        {
            using var context = Context.Create(b => configure(b));
            int index = 0, listed = 0;
            foreach (Device device in context.Devices)
            {
                if (device.AcceleratorType != type)
                    continue;
                int deviceIndex = index++;
                if (type == AcceleratorType.CPU && deviceIndex > 0)
                    break; // one entry for the simulator is enough
                try
                {
                    providers.Add(Describe(device, type, deviceIndex, gpuOptions));
                    listed++;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    note.DeviceSkipped(backend, deviceIndex, device.Name, e.GetType().Name, e.Message);
                }
            }
            if (listed == 0)
                note.NoDevice(backend);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing driver shows up as DllNotFoundException, TypeInitializationException, or a backend exception.
            note.BackendUnavailable(backend, Describe(e));
        }
    }

    private static string Describe(Exception e)
    {
        Exception inner = e;
        while (inner.InnerException is not null && inner is TypeInitializationException)
            inner = inner.InnerException;
        return $"{inner.GetType().Name}: {inner.Message}";
    }

    private static ProviderDescriptor Describe(Device device, AcceleratorType type, int index,
        GpuProviderOptions? gpuOptions)
    {
        var details = new Dictionary<string, string>
        {
            ["max threads per group"] = device.MaxNumThreadsPerGroup.ToString(CultureInfo.InvariantCulture),
            ["max threads per multiprocessor"] = device.MaxNumThreadsPerMultiprocessor.ToString(CultureInfo.InvariantCulture),
        };
        string id;
        ProviderKind kind;
        switch (device)
        {
            case CudaDevice cuda:
                id = $"cuda:{index}";
                kind = ProviderKind.Cuda;
                details["architecture"] = cuda.Architecture?.ToString() ?? "unknown";
                details["driver"] = cuda.DriverVersion.ToString();
                details["clock MHz"] = cuda.ClockRate.ToString(CultureInfo.InvariantCulture);
                break;
            case CLDevice cl:
                id = $"opencl:{index}";
                kind = ProviderKind.OpenCL;
                details["platform"] = cl.PlatformName;
                details["vendor"] = cl.VendorName;
                details["device type"] = cl.DeviceType.ToString();
                details["OpenCL C"] = cl.CVersion.ToString();
                break;
            default:
                id = "ilgpu-cpu";
                kind = ProviderKind.IlgpuCpu;
                details["note"] = "GPU simulator on the CPU: correct but slow (tests and kernel checks)";
                break;
        }
        GpuProviderOptions options = gpuOptions ?? new GpuProviderOptions { AutoLookupGap = true };
        if (kind == ProviderKind.IlgpuCpu && options.AutoLookupGap)
            options = options with { LookupGap = 1 };
        Func<ILabelProvider> create = type switch
        {
            AcceleratorType.Cuda => () => GpuLabelProvider.CreateCuda(index, options),
            AcceleratorType.OpenCL => () => GpuLabelProvider.CreateOpenCL(index, options),
            _ => () => GpuLabelProvider.CreateIlgpuCpu(options),
        };
        // The simulator reports an unbounded memory size; its buffers live in the process heap.
        long memory = kind == ProviderKind.IlgpuCpu ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : device.MemorySize;
        return new ProviderDescriptor(id, kind, device.Name, device.NumMultiprocessors, memory, device.WarpSize, details,
            create);
    }
}
