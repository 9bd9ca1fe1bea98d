using Prover.Node.Genesis;
using Prover.Node.Signing;
using Xunit;

namespace Prover.Node.Tests.Signing;

public class Ed25519RuleTests
{
    [Fact]
    public void Flipping_any_bit_of_signature_key_or_message_is_rejected_on_both_paths()
    {
        using var signer = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        var msg = "a ballot"u8.ToArray();
        var signed = EdSigner.SignedBytes(signer.Prefix, SignatureDomain.Ballot, msg);
        var sig = signer.Sign(SignatureDomain.Ballot, msg);
        var pub = signer.PublicKey;
        Assert.True(Ed25519.VerifyByRule(pub, signed, sig, null));

        for (var bit = 0; bit < sig.Length * 8; bit += 7)
        {
            var bad = (byte[])sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(pub, signed, bad), $"signature bit {bit}");
            Assert.False(Ed25519.VerifyByRule(pub, signed, bad, Ed25519VerifyOptions.Zip215), $"signature bit {bit}");
        }

        for (var bit = 0; bit < pub.Length * 8; bit += 11)
        {
            var bad = (byte[])pub.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(bad, signed, sig), $"key bit {bit}");
            Assert.False(Ed25519.VerifyByRule(bad, signed, sig, Ed25519VerifyOptions.GoStdlib), $"key bit {bit}");
        }

        var other = (byte[])signed.Clone();
        other[^1] ^= 0x80;
        Assert.False(Ed25519.VerifyByRule(pub, other, sig, Ed25519VerifyOptions.Zip215));
    }

    [Fact]
    public void Wrong_lengths_are_rejected_not_thrown()
    {
        using var signer = EdSigner.Generate(GenesisConfig.Mainnet.GenesisId);
        var sig = signer.Sign(SignatureDomain.Atx, []);
        var verifier = new EdVerifier(signer.Prefix);
        Assert.True(verifier.Verify(SignatureDomain.Atx, signer.NodeId, [], sig));
        Assert.False(verifier.Verify(SignatureDomain.Atx, signer.NodeId, [], sig.AsSpan(0, 63)));
        Assert.False(Ed25519.Verify(signer.PublicKey.AsSpan(0, 31), [], sig));
        Assert.Throws<ArgumentException>(() => EdSigner.FromPrivateKey(new byte[63], signer.Prefix));
        Assert.Throws<ArgumentException>(() => EdSigner.FromSeed(new byte[31], signer.Prefix));
    }

    [Fact]
    public void Scalar_multiplication_of_a_mixed_order_point_matches_repeated_addition()
    {
        // P = B + T with T of order 8 (a torsion point from the small-order list): [k]P must equal k additions of P.
        var torsion = Convert.FromHexString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
        Span<byte> one = stackalloc byte[32];
        one.Clear();
        one[0] = 1;
        Span<byte> b = stackalloc byte[32];
        EdPoint.MulBase(one, b);
        Span<byte> p = stackalloc byte[32];
        Assert.True(EdPoint.TryDecode(torsion, p));
        Assert.True(EdPoint.IsSmallOrder(p));
        Span<byte> mixed = stackalloc byte[32];
        EdPoint.Add(b, p, mixed);
        Assert.False(EdPoint.IsSmallOrder(mixed));

        Span<byte> sum = stackalloc byte[32];
        EdPoint.Identity.CopyTo(sum);
        Span<byte> tmp = stackalloc byte[32];
        Span<byte> k = stackalloc byte[32];
        Span<byte> product = stackalloc byte[32];
        for (var i = 1; i <= 19; i++)
        {
            EdPoint.Add(sum, mixed, tmp);
            tmp.CopyTo(sum);
            k.Clear();
            k[0] = (byte)i;
            EdPoint.Mul(k, mixed, product);
            Assert.True(sum.SequenceEqual(product), $"k = {i}");
        }
    }
}
