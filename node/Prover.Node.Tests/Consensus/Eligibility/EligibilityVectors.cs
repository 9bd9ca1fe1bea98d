using System.Numerics;
using System.Text.Json;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Tests.Codec;
using Prover.Node.Vrf;

namespace Prover.Node.Tests.Consensus.Eligibility;

/// <summary>eligibility.json by index, and the VRF keys of ecvrf.json (its vectors name the seed of each public key).</summary>
internal static class EligibilityVectors
{
    public const string File = "eligibility.json";

    private static readonly Lazy<JsonElement[]> All = new(() => NodeVectors.Load(File));

    public static JsonElement At(int index) => All.Value[index];

    public static IEnumerable<object[]> Of(string kind) => NodeVectors.Indexed(File, kind);

    public static byte[] Bytes(this JsonElement v, string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);

    /// <summary>The signer whose public key is <paramref name="nodeIdHex"/>, from the seed ecvrf.json gives for it.</summary>
    public static (EdSigner Ed, VrfSigner Vrf) SignerFor(string nodeIdHex)
    {
        var seed = NodeVectors.Load("ecvrf.json")
            .Where(v => v.Str("pub") == nodeIdHex && v.Str("seed") is not null)
            .Select(v => Convert.FromHexString(v.Str("seed")!))
            .First();
        var ed = EdSigner.FromSeed(seed, GenesisConfig.Mainnet.GenesisId);
        return (ed, new VrfSigner(ed));
    }

    /// <summary>"a/b" as a numerator and a denominator.</summary>
    public static (BigInteger Num, BigInteger Den) Rational(string text)
    {
        var parts = text.Split('/');
        return (BigInteger.Parse(parts[0]), parts.Length > 1 ? BigInteger.Parse(parts[1]) : BigInteger.One);
    }
}
