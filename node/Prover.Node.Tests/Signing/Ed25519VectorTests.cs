using System.Text.Json;
using Prover.Node.Signing;
using Xunit;

namespace Prover.Node.Tests.Signing;

public class Ed25519VectorTests
{
    private static readonly Dictionary<string, Ed25519VerifyOptions> Presets = new()
    {
        ["default"] = Ed25519VerifyOptions.Default,
        ["stdlib"] = Ed25519VerifyOptions.GoStdlib,
        ["fips186_5"] = Ed25519VerifyOptions.Fips1865,
        ["zip215"] = Ed25519VerifyOptions.Zip215,
    };

    [Fact]
    public void Presets_match_the_flags_the_vector_file_gives_for_voi()
    {
        var presets = IdentityVectors.Root("ed25519.json").GetProperty("verify_presets");
        foreach (var (name, options) in Presets)
        {
            var p = presets.GetProperty(name);
            Assert.Equal(p.GetProperty("small_a").GetBoolean(), options.AllowSmallOrderA);
            Assert.Equal(p.GetProperty("small_r").GetBoolean(), options.AllowSmallOrderR);
            Assert.Equal(p.GetProperty("noncanon_a").GetBoolean(), options.AllowNonCanonicalA);
            Assert.Equal(p.GetProperty("noncanon_r").GetBoolean(), options.AllowNonCanonicalR);
            Assert.Equal(p.GetProperty("cofactorless").GetBoolean(), options.Cofactorless);
        }
    }

    [Fact]
    public void Every_verify_vector_gets_its_listed_verdict_in_every_preset_on_both_paths()
    {
        // Verify = libsodium's strict verify || the rule. So: the rule alone gives every verdict, and libsodium never
        // accepts what a preset rejects.
        var vectors = IdentityVectors.Load("ed25519.json", "verify");
        Assert.True(vectors.Count > 1000);
        var failures = new List<string>();
        var checkedVerdicts = 0;
        var decidedByRuleOnly = 0;
        foreach (var v in vectors)
        {
            var pub = v.Hex("pub");
            var msg = v.Hex("msg");
            var sig = v.Hex("sig");
            var fast = Ed25519.LibsodiumAccepts(pub, msg, sig);
            foreach (var expect in v.GetProperty("expect").EnumerateObject())
            {
                var want = expect.Value.GetBoolean();
                var rule = Ed25519.VerifyByRule(pub, msg, sig, Presets[expect.Name]);
                checkedVerdicts++;
                decidedByRuleOnly += want && !fast ? 1 : 0;
                if (rule != want || (fast && !want))
                {
                    failures.Add($"{v.Str("set")} #{v.GetProperty("case")} {expect.Name}: want {want}, rule {rule}, libsodium {fast}");
                }
            }

            if (v.GetProperty("expect").GetProperty("default").GetBoolean() != Ed25519.Verify(pub, msg, sig))
            {
                failures.Add($"{v.Str("set")} #{v.GetProperty("case")}: the public Verify differs from the default verdict");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedVerdicts} verdicts differ:\n" + string.Join("\n", failures.Take(40)));
        Assert.True(decidedByRuleOnly > 0, "no accepted vector needed the rule: the vectors do not exercise it");
    }

    [Fact]
    public void Rfc8032_signing_reproduces_every_signature_and_the_rule_accepts_it()
    {
        var vectors = IdentityVectors.Load("ed25519.json", "rfc8032");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            using var signer = EdSigner.FromSeed(v.Hex("seed"), default);
            Assert.Equal(v.Hex("pub"), signer.PublicKey);
            using var key = NSec.Cryptography.Key.Import(
                NSec.Cryptography.SignatureAlgorithm.Ed25519, v.Hex("seed"), NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
            Assert.Equal(v.Hex("sig"), NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(key, v.Hex("msg")));
            // cofactored and cofactorless: the rule accepts what RFC 8032 signs
            Assert.True(Ed25519.VerifyByRule(v.Hex("pub"), v.Hex("msg"), v.Hex("sig"), Ed25519VerifyOptions.Default));
            Assert.True(Ed25519.VerifyByRule(v.Hex("pub"), v.Hex("msg"), v.Hex("sig"), Ed25519VerifyOptions.GoStdlib));

            var tampered = v.Hex("msg").Append((byte)0).ToArray();
            Assert.False(Ed25519.Verify(v.Hex("pub"), tampered, v.Hex("sig")));
            Assert.False(Ed25519.VerifyByRule(v.Hex("pub"), tampered, v.Hex("sig"), null));
        }
    }

    [Fact]
    public void Spacemesh_literal_keys_load_and_give_their_public_key()
    {
        var vectors = IdentityVectors.Load("ed25519.json", "sm_key");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            using var signer = EdSigner.FromPrivateKey(v.Hex("private_key"), default);
            Assert.Equal(v.Hex("pub"), signer.NodeId.ToArray());
            Assert.Equal(v.Hex("private_key"), signer.ExportPrivateKey());
        }
    }

    [Fact]
    public void Spacemesh_domain_signatures_sign_and_verify_as_listed()
    {
        var vectors = IdentityVectors.Load("ed25519.json", "sm_sign");
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var prefix = new Prover.Node.Genesis.GenesisId(v.Hex("prefix"));
            var domain = (SignatureDomain)v.GetProperty("domain_byte").GetInt32();
            Assert.Equal(v.Str("domain"), DomainName(domain));
            Assert.Equal(v.Hex("signed_message"), EdSigner.SignedBytes(prefix, domain, v.Hex("msg")));

            var verifier = new EdVerifier(prefix);
            var nodeId = new Prover.Core.Primitives.NodeId(v.Hex("node_id"));
            Assert.Equal(v.GetProperty("valid").GetBoolean(), verifier.Verify(domain, nodeId, v.Hex("msg"), v.Hex("sig")));

            if (v.GetProperty("valid").GetBoolean())
            {
                using var signer = EdSigner.FromSeed(v.Hex("seed"), prefix);
                Assert.Equal(nodeId, signer.NodeId);
                Assert.Equal(v.Hex("sig"), signer.Sign(domain, v.Hex("msg")));
            }
        }
    }

    private static string DomainName(SignatureDomain d) => d switch
    {
        SignatureDomain.Atx => "ATX",
        SignatureDomain.Proposal => "PROPOSAL",
        SignatureDomain.Ballot => "BALLOT",
        SignatureDomain.Hare => "HARE",
        SignatureDomain.Poet => "POET",
        SignatureDomain.Marriage => "MARRIAGE",
        SignatureDomain.BeaconFirstMessage => "BEACON_FIRST_MSG",
        SignatureDomain.BeaconFollowupMessage => "BEACON_FOLLOWUP_MSG",
        _ => d.ToString(),
    };
}
