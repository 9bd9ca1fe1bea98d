using System.Numerics;
using System.Text;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Tests.Signing;
using Prover.Node.Vrf;
using Xunit;

namespace Prover.Node.Tests.Vrf;

public class EcVrfTests
{
    [Fact]
    public void Expand_message_xmd_reproduces_the_rfc_9380_sha512_vectors()
    {
        var vectors = IdentityVectors.Load("ecvrf.json", "expand_xmd_sha512");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var output = HashToCurve.ExpandMessageXmd(v.Hex("msg"), v.Hex("dst"), v.GetProperty("len").GetInt32());
            Assert.Equal(v.Str("uniform_bytes"), Convert.ToHexStringLower(output));
        }
    }

    [Fact]
    public void Encode_to_curve_reproduces_the_rfc_9380_edwards25519_nu_vectors()
    {
        var vectors = IdentityVectors.Load("ecvrf.json", "h2c_nu");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var dst = Encoding.ASCII.GetBytes(v.Str("dst"));
            var u = HashToCurve.HashToField(v.Hex("msg"), dst);
            Assert.Equal(BigHex(v.Str("u")), u);
            var expected = HashToCurve.Compress(BigHex(v.Str("x")), BigHex(v.Str("y")));
            Assert.Equal(expected, HashToCurve.EncodeToCurve(v.Hex("msg"), dst));
        }
    }

    [Fact]
    public void The_map_agrees_with_libsodiums_own_elligator2_given_the_derived_sign()
    {
        var rng = new Random(7);
        var bytes = new byte[40];
        for (var i = 0; i < 32; i++)
        {
            rng.NextBytes(bytes);
            var u = new BigInteger(bytes, isUnsigned: true) % HashToCurve.P;
            var (x, y) = HashToCurve.MapToCurve(u);
            var cleared = new byte[32];
            EdPoint.MulByCofactor(HashToCurve.Compress(x, y), cleared);

            var r = new byte[32];
            u.TryWriteBytes(r, out _, isUnsigned: true);
            r[31] |= (byte)(x.IsEven ? 0 : 0x80);
            var sodium = new byte[32];
            Assert.Equal(0, Sodium.crypto_core_ed25519_from_uniform(sodium, r));
            Assert.Equal(cleared, sodium);
        }
    }

    [Fact]
    public void H_of_rfc_9381_example_19_is_reproduced()
    {
        var v = Assert.Single(IdentityVectors.Load("ecvrf.json", "ecvrf_H"));
        Assert.Equal(v.Hex("H"), EcVrf.EncodeToCurveH(v.Hex("pub"), v.Hex("alpha")));
    }

    [Fact]
    public void Every_proof_vector_is_reproduced_byte_for_byte_and_verifies_with_its_output()
    {
        var vectors = IdentityVectors.Load("ecvrf.json", "ecvrf");
        Assert.True(vectors.Count >= 9);
        foreach (var v in vectors)
        {
            var version = v.Str("draft") == "v10" ? EcVrfVersion.Draft10 : EcVrfVersion.Rfc9381;
            var pi = EcVrf.Prove(v.Hex("seed"), v.Hex("alpha"), version);
            Assert.Equal(v.Str("pi"), Convert.ToHexStringLower(pi));

            var beta = new byte[EcVrf.OutputSize];
            Assert.True(EcVrf.Verify(v.Hex("pub"), v.Hex("alpha"), pi, beta, version));
            Assert.Equal(v.Str("beta"), Convert.ToHexStringLower(beta));
            Assert.Equal(v.Str("beta"), Convert.ToHexStringLower(EcVrf.ProofToHash(pi)));

            // The other draft's challenge does not verify the proof.
            var other = version == EcVrfVersion.Rfc9381 ? EcVrfVersion.Draft10 : EcVrfVersion.Rfc9381;
            Assert.False(EcVrf.Verify(v.Hex("pub"), v.Hex("alpha"), pi, other));
        }
    }

    [Fact]
    public void Every_reject_vector_is_rejected()
    {
        var vectors = IdentityVectors.Load("ecvrf.json", "ecvrf_reject");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            Assert.False(EcVrf.Verify(v.Hex("pub"), v.Hex("alpha"), v.Hex("pi")), v.Str("what"));
        }
    }

    [Fact]
    public void Verify_rejects_wrong_lengths_small_order_keys_and_any_flipped_bit()
    {
        var seed = Convert.FromHexString("1f2b77052ecc193038156d5c32f08d449742e7dda81fa172f8ac90839d34c769");
        using var signer = EdSigner.FromSeed(seed, GenesisConfig.Mainnet.GenesisId);
        using var vrf = new VrfSigner(signer);
        var msg = "eligibility"u8.ToArray();
        var pi = vrf.Sign(msg);
        Assert.True(VrfVerifier.Verify(signer.NodeId, msg, pi));
        Assert.Equal(pi, vrf.Sign(msg)); // deterministic

        Assert.False(EcVrf.Verify(signer.PublicKey, msg, pi.AsSpan(0, 79)));
        Assert.False(EcVrf.Verify(signer.PublicKey, msg, [.. pi, 0]));
        var identity = new byte[32];
        identity[0] = 1;
        Assert.False(EcVrf.Verify(identity, msg, pi));
        for (var bit = 0; bit < pi.Length * 8; bit += 13)
        {
            var bad = (byte[])pi.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(EcVrf.Verify(signer.PublicKey, msg, bad), $"bit {bit}");
        }

        using var otherSigner = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        Assert.False(VrfVerifier.Verify(otherSigner.NodeId, msg, pi));
    }

    private static BigInteger BigHex(string hex) =>
        new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
