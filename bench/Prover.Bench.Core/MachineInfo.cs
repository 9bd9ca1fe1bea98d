using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Prover.Core.Init;
using Prover.Kernels;
using Prover.Kernels.Aes;
using Prover.Kernels.Simd;

namespace Prover.Bench.Core;

/// <summary>A GPU (or other accelerator) the provider catalog found.</summary>
public sealed record GpuInfo(string Id, string Name, string Kind, long MemoryBytes, string? Driver);

/// <summary>The machine a benchmark ran on: what a reviewer needs to compare two runs.</summary>
public sealed record MachineInfo
{
    public required string CpuModel { get; init; }

    public required int LogicalCores { get; init; }

    /// <summary>The SIMD level of the CPU label provider (V512, V256, V128, Scalar).</summary>
    public required string Simd { get; init; }

    /// <summary>Vector widths the runtime accelerates and the CPU feature flags that matter here.</summary>
    public required string CpuFeatures { get; init; }

    /// <summary>AES implementation of the proving scanner.</summary>
    public required string Aes { get; init; }

    public required long MemoryBytes { get; init; }

    public required string Os { get; init; }

    public required string Runtime { get; init; }

    public required string ProjectVersion { get; init; }

    /// <summary><c>git describe</c> of the working directory when it is a checkout, else null.</summary>
    public string? GitDescribe { get; init; }

    public required IReadOnlyList<GpuInfo> Gpus { get; init; }

    /// <summary>Why a GPU backend is missing (the catalog's notes).</summary>
    public required IReadOnlyList<string> GpuNotes { get; init; }

    /// <summary>The directory the proving file was written to and its file system.</summary>
    public required string Disk { get; init; }

    public static MachineInfo Collect(ProviderCatalog catalog, string diskDirectory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var gpus = catalog.Providers
            .Where(p => p.Kind is ProviderKind.Cuda or ProviderKind.OpenCL)
            .Select(p => new GpuInfo(p.Id, p.Name, p.Kind.ToString(), p.MemoryBytes,
                p.Details.TryGetValue("driver", out string? d) ? d
                : p.Details.TryGetValue("platform", out string? platform) ? platform : null))
            .ToList();
        return new MachineInfo
        {
            CpuModel = CpuModelName(),
            LogicalCores = Environment.ProcessorCount,
            Simd = SimdLevels.Best.ToString(),
            CpuFeatures = Features(),
            Aes = AesEcb.Best.ToString(),
            MemoryBytes = TotalMemory(),
            Os = RuntimeInformation.OSDescription,
            Runtime = $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
            ProjectVersion = ProjectVersionString(),
            GitDescribe = RunGitDescribe(),
            Gpus = gpus,
            GpuNotes = catalog.Notes,
            Disk = DiskDescription(diskDirectory),
        };
    }

    private static string CpuModelName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    // x86: "model name"; some ARM kernels: "Model" or "Hardware".
                    if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Model", StringComparison.Ordinal))
                    {
                        int colon = line.IndexOf(':', StringComparison.Ordinal);
                        if (colon > 0 && line[(colon + 1)..].Trim() is { Length: > 0 } name)
                        {
                            return name;
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    }

    private static string Features()
    {
        var parts = new List<string>();
        if (Vector512.IsHardwareAccelerated)
        {
            parts.Add("Vector512");
        }

        if (Vector256.IsHardwareAccelerated)
        {
            parts.Add("Vector256");
        }

        if (Vector128.IsHardwareAccelerated)
        {
            parts.Add("Vector128");
        }

        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            parts.Add("AVX-512F");
        }

        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            parts.Add("AVX2");
        }

        if (System.Runtime.Intrinsics.X86.Aes.IsSupported)
        {
            parts.Add("AES-NI");
        }

        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            parts.Add("NEON");
        }

        if (System.Runtime.Intrinsics.Arm.Aes.IsSupported)
        {
            parts.Add("ARM AES");
        }

        return parts.Count > 0 ? string.Join(", ", parts) : "none";
    }

    private static long TotalMemory()
    {
        try
        {
            if (File.Exists("/proc/meminfo"))
            {
                foreach (string line in File.ReadLines("/proc/meminfo"))
                {
                    if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    {
                        string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
                        {
                            return kib * 1024;
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string ProjectVersionString()
    {
        var assembly = typeof(MachineInfo).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }

    /// <summary><c>git describe --always --dirty --tags</c> in the current directory; null when git or a checkout is missing.</summary>
    private static string? RunGitDescribe()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "describe --always --dirty --tags")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(3000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            string text = output.Result.Trim();
            return process.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The mount holding <paramref name="directory"/> (the longest mount root that prefixes it), or null.</summary>
    internal static DriveInfo? MountOf(string directory)
    {
        string full = Path.GetFullPath(directory);
        try
        {
            return DriveInfo.GetDrives()
                .Where(d => full.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
                .MaxBy(d => d.RootDirectory.FullName.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string DiskDescription(string directory)
    {
        string full = Path.GetFullPath(directory);
        try
        {
            var drive = MountOf(directory);
            if (drive is { IsReady: true })
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"{full} ({drive.DriveFormat} on {drive.Name}, {drive.TotalSize / (double)(1L << 30):F0} GiB, {drive.AvailableFreeSpace / (double)(1L << 30):F0} GiB free)");
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return full;
    }
}
