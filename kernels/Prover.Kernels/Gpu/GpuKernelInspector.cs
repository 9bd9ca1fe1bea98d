using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Prover.Kernels.Gpu;

/// <summary>
/// Produces the PTX of the ROMix kernel (the hot one of the three label kernels) for a given shape without any GPU (ILGPU's PTX backend runs on the host), so
/// that code generation can be read and checked here and assembled with <c>ptxas -v</c> / <c>cuobjdump -sass</c> where
/// the CUDA tools are.
/// </summary>
public static class GpuKernelInspector
{
    private static readonly Lock Gate = new();

    /// <summary>PTX of the ROMix kernel specialised for the given constants (ILGPU emits it for sm_80-level PTX; ptxas
    /// assembles it for sm_90).</summary>
    public static string GeneratePtx(int scryptN, int lookupGap, ScratchLayout layout, RecomputeMode mode,
        int groupSize = 128, int minGroupsPerMultiprocessor = 0)
    {
        if (scryptN < 2 || (scryptN & (scryptN - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(scryptN), scryptN, "scrypt N must be a power of two ≥ 2");
        if (lookupGap < 1 || lookupGap > scryptN || (lookupGap & (lookupGap - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(lookupGap), lookupGap, "lookup gap must be a power of two ≤ N");

        lock (Gate)
        {
            GpuScrypt.PtxShape.N = scryptN;
            GpuScrypt.PtxShape.Gap = lookupGap;
            GpuScrypt.PtxShape.Layout = (int)layout;
            GpuScrypt.PtxShape.Mode = (int)mode;
            using var context = Context.Create(b => b
                .StaticFields(StaticFieldMode.MutableStaticFields)
                .Optimize(OptimizationLevel.O2));
            using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null!);
            MethodInfo method = typeof(GpuScrypt).GetMethod(nameof(GpuScrypt.InspectionKernel),
                BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
            var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
            var specialization = new KernelSpecialization(groupSize,
                minGroupsPerMultiprocessor > 0 ? minGroupsPerMultiprocessor : null);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, specialization);
            return compiled.PTXAssembly;
        }
    }
}
