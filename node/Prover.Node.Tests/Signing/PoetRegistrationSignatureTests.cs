using Prover.Node.Genesis;
using Prover.Node.Signing;
using Xunit;

namespace Prover.Node.Tests.Signing;

public class PoetRegistrationSignatureTests
{
    [Fact]
    public void Submit_signature_vector_is_made_by_the_node_and_accepted_by_the_poet_check()
    {
        var v = Assert.Single(IdentityVectors.Load("poet.json", "poet_submit_signature"));
        var genesis = GenesisConfig.Mainnet.GenesisId;
        Assert.Equal(v.Hex("prefix"), PoetRegistrationSignature.Prefix(genesis));
        Assert.Equal(v.GetProperty("valid_stdlib").GetBoolean(),
            PoetRegistrationSignature.Verify(v.Hex("node_id"), v.Hex("prefix"), v.Hex("challenge"), v.Hex("signature")));

        // The identity of the vector (the sm_sign seed with this node id) reproduces the signature.
        var key = IdentityVectors.Load("ed25519.json", "sm_sign").First(k => k.Str("node_id") == v.Str("node_id"));
        using var signer = EdSigner.FromSeed(key.Hex("seed"), genesis);
        Assert.Equal(v.Hex("signature"), PoetRegistrationSignature.Sign(signer, v.Hex("challenge")));

        var other = v.Hex("challenge");
        other[0] ^= 1;
        Assert.False(PoetRegistrationSignature.Verify(v.Hex("node_id"), v.Hex("prefix"), other, v.Hex("signature")));
    }

    [Fact]
    public void Registration_check_follows_go_stdlib_wherever_it_and_voi_default_disagree()
    {
        // Vectors where Go's stdlib and voi's default disagree: the registration check must follow Go's.
        var disagree = IdentityVectors.Load("ed25519.json", "verify")
            .Where(v => v.GetProperty("expect").TryGetProperty("stdlib", out var s)
                        && s.GetBoolean() != v.GetProperty("expect").GetProperty("default").GetBoolean())
            .ToList();
        Assert.Contains(disagree, v => v.GetProperty("expect").GetProperty("stdlib").GetBoolean());
        foreach (var v in disagree)
        {
            var stdlib = v.GetProperty("expect").GetProperty("stdlib").GetBoolean();
            Assert.Equal(stdlib, PoetRegistrationSignature.Verify(v.Hex("pub"), [], v.Hex("msg"), v.Hex("sig")));
            Assert.Equal(!stdlib, Ed25519.Verify(v.Hex("pub"), v.Hex("msg"), v.Hex("sig")));
        }
    }
}
