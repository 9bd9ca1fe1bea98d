using System.Text.Json;
using Prover.Kernels.Gpu;

namespace Prover.Kernels.Tests;

/// <summary>Known-answer vectors (one copy in the repo's vectors/, linked into TestData/) and helpers for the GPU kernel tests.</summary>
internal static class GpuTestSupport
{
    public static JsonElement Load(string file) => TestVectors.Load(file);

    /// <summary>(N, commitment hex) of each label set in vectors_basic.json (spec §7.2).</summary>
    public static (ulong N, byte[] Commitment) LabelSet(string name)
    {
        JsonElement basic = Load("vectors_basic.json");
        ulong n = name switch
        {
            "N8192_commitment_zero" => 8192,
            "N2_commitment_node77_atx0" => 2,
            "N4_commitment_zero" => 4,
            "N32_commitment_zero" => 32,
            "N512_commitment_zero" => 512,
            _ => throw new ArgumentException($"unknown label set {name}", nameof(name)),
        };
        byte[] commitment = name == "N2_commitment_node77_atx0"
            ? Convert.FromHexString(basic.GetProperty("commitments").GetProperty("node77_atx0").GetProperty("commitment").GetString()!)
            : new byte[32];
        return (n, commitment);
    }

    /// <summary>(index, expected 32-byte output hex) of a label set.</summary>
    public static List<(ulong Index, string Output)> LabelVectors(string name) =>
        [.. Load("vectors_basic.json").GetProperty("labels").GetProperty(name).EnumerateArray()
            .Select(v => (v.GetProperty("index").GetUInt64(), v.GetProperty("scrypt_out32").GetString()!))];

    /// <summary>The 128 gpu-post outputs at N = 512 (commitment 0^32), spec §7.1 (h).</summary>
    public static List<(ulong Index, string Output)> GpuPostVectors() =>
        [.. Load("upstream_gpu_post_n512.json").GetProperty("outputs").EnumerateArray()
            .Select(v => (v.GetProperty("index").GetUInt64(), v.GetProperty("scrypt_out32").GetString()!))];

    /// <summary>Outputs of <paramref name="count"/> consecutive labels from the scalar oracle.</summary>
    public static byte[] OracleOutputs(byte[] commitment, ulong n, ulong start, int count)
    {
        var expected = new byte[count * 32];
        Parallel.For(0, count, i =>
            Verifier.Labels.Output32(commitment, start + (ulong)i, n, expected.AsSpan(i * 32, 32)));
        return expected;
    }

    /// <summary>Asserts equality label by label so a failure names the first wrong index.</summary>
    public static void AssertSameOutputs(byte[] expected, byte[] actual, ulong start, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length / 32; i++)
        {
            string e = Convert.ToHexStringLower(expected, i * 32, 32);
            string a = Convert.ToHexStringLower(actual, i * 32, 32);
            if (e != a)
                Xunit.Assert.Fail($"{what}: label {start + (ulong)i} (position {i}) expected {e} got {a}");
        }
    }

    public static GpuLabelProvider CpuProvider(int gap, RecomputeMode mode = RecomputeMode.Interleaved,
        ScratchLayout layout = ScratchLayout.BlockMajor, int batch = 0, int groupSize = 0) =>
        GpuLabelProvider.CreateIlgpuCpu(new GpuProviderOptions
        {
            LookupGap = gap,
            Recompute = mode,
            Layout = layout,
            BatchSize = batch,
            GroupSize = groupSize,
        });
}
