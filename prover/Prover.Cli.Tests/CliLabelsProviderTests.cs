using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// <c>post labels --provider P</c> prints the spec's label vectors (every set with N ≤ 512) for the CPU SIMD provider,
/// the ILGPU CPU accelerator running the GPU kernel, and the scalar reference: the same bytes whichever backend.
/// </summary>
public class CliLabelsProviderTests
{
    private static readonly Dictionary<string, (ulong N, string Commitment)> Sets = new()
    {
        ["N2_commitment_node77_atx0"] = (2, "788596c567c2b8f4d5fd10329c57077e432f42caee8283101e0f3964f8c7e076"),
        ["N4_commitment_zero"] = (4, new string('0', 64)),
        ["N32_commitment_zero"] = (32, new string('0', 64)),
        ["N512_commitment_zero"] = (512, new string('0', 64)),
    };

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    [InlineData("reference")]
    public void Labels_command_prints_every_small_N_vector(string provider)
    {
        var labels = TestData.Load("vectors_basic.json").GetProperty("labels");
        foreach (var (name, (n, commitment)) in Sets)
        {
            var vectors = labels.GetProperty(name).EnumerateArray()
                .Select(v => (Index: v.GetProperty("index").GetUInt64(), Out: v.GetProperty("scrypt_out32").GetString()!))
                .ToList();
            ulong start = vectors[0].Index;
            Assert.All(vectors.Select((v, i) => v.Index - (ulong)i), s => Assert.Equal(start, s)); // contiguous

            var (code, stdout, stderr) = PostCli.Run("labels", "--commitment", commitment, "--start",
                start.ToString(System.Globalization.CultureInfo.InvariantCulture), "--count",
                vectors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--scrypt-n",
                n.ToString(System.Globalization.CultureInfo.InvariantCulture), "--provider", provider);
            Assert.True(code == 0, stderr);
            var expected = vectors.Select(v => $"{v.Index} {v.Out}");
            Assert.Equal(expected, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }
}
