using System.Text.Json;
using Prover.Kernels.Aes;
using Prover.Verifier;
using Xunit;

namespace Prover.Kernels.Tests;

public class AesImplementationTests
{
    public static TheoryData<AesImplementation> Implementations()
    {
        var data = new TheoryData<AesImplementation>();
        foreach (var implementation in AesEcb.Available)
        {
            data.Add(implementation);
        }

        return data;
    }

    [Fact]
    public void Software_is_always_available_and_hardware_is_listed_when_the_cpu_has_it()
    {
        Assert.Contains(AesImplementation.Software, AesEcb.Available);
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, AesEcb.Available.Contains(AesImplementation.X86AesNi));
        Assert.Equal(System.Runtime.Intrinsics.Arm.Aes.IsSupported, AesEcb.Available.Contains(AesImplementation.ArmAes));
    }

    [Fact]
    public void Key_schedule_matches_reference()
    {
        var random = new Random(1);
        var key = new byte[16];
        var expected = new byte[Aes128.ExpandedKeySize];
        var actual = new byte[AesKeySchedule.ExpandedSize];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(key);
            Aes128.ExpandKey(key, expected);
            AesKeySchedule.Expand(key, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Fips197_appendix_C1(AesImplementation implementation)
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"), roundKeys);
        var output = new byte[16];
        AesEcb.Encrypt(implementation, roundKeys, Convert.FromHexString("00112233445566778899aabbccddeeff"), output);
        Assert.Equal("69c4e0d86a7b0430d8cdb78070b4c55a", Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Spec_vector_group_aes_of_example_label(AesImplementation implementation)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "vectors_basic.json")));
        var aes = doc.RootElement.GetProperty("aes");
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString(aes.GetProperty("key_ng0_pow0").GetString()!), roundKeys);
        var output = new byte[16];
        AesEcb.Encrypt(implementation, roundKeys, Convert.FromHexString(aes.GetProperty("example_label").GetString()!), output);
        Assert.Equal(aes.GetProperty("aes_out_ng0").GetString(), Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Ecb_matches_reference_at_boundary_sizes(AesImplementation implementation)
    {
        var random = new Random(2);
        var key = new byte[16];
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        foreach (int blocks in new[] { 1, 7, 8, 9, 15, 16, 17, 64, 100 })
        {
            random.NextBytes(key);
            AesKeySchedule.Expand(key, roundKeys);
            var input = new byte[blocks * 16];
            random.NextBytes(input);
            var expected = new byte[input.Length];
            Aes128.EncryptEcb(roundKeys, input, expected);
            var actual = new byte[input.Length];
            AesEcb.Encrypt(implementation, roundKeys, input, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Own_key_per_block_matches_reference(AesImplementation implementation)
    {
        var random = new Random(3);
        const int keyCount = 10;
        var keys = new byte[keyCount * 16];
        random.NextBytes(keys);
        byte[] roundKeys = AesKeySchedule.ExpandMany(keys, keyCount);
        foreach (int blocks in new[] { 1, 3, 4, 5, 8, 13 })
        {
            var indices = Enumerable.Range(0, blocks).Select(_ => random.Next(keyCount)).ToArray();
            var input = new byte[blocks * 16];
            random.NextBytes(input);
            var actual = new byte[input.Length];
            AesEcb.EncryptWithKeys(implementation, roundKeys, indices, input, actual);
            for (int b = 0; b < blocks; b++)
            {
                var expected = new byte[16];
                Aes128.Encrypt(keys.AsSpan(indices[b] * 16, 16), input.AsSpan(b * 16, 16), expected);
                Assert.Equal(expected, actual.AsSpan(b * 16, 16).ToArray());
            }
        }
    }

    [Fact]
    public void Best_is_the_hardware_path_where_the_cpu_has_one_else_software()
    {
        AesImplementation expected = System.Runtime.Intrinsics.X86.Aes.IsSupported ? AesImplementation.X86AesNi
            : System.Runtime.Intrinsics.Arm.Aes.IsSupported ? AesImplementation.ArmAes
            : AesImplementation.Software;
        Assert.Equal(expected, AesEcb.Best);
        Assert.Equal(expected, new Proving.ProvingScannerFactory().Implementation);
        Assert.Equal(AesImplementation.Software, AesEcb.Available[^1]);
    }

    [Fact]
    public void Key_schedule_fips197_appendix_A1()
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"), roundKeys);
        Assert.Equal("2b7e151628aed2a6abf7158809cf4f3c", Convert.ToHexStringLower(roundKeys, 0, 16));
        Assert.Equal("a0fafe1788542cb123a339392a6c7605", Convert.ToHexStringLower(roundKeys, 16, 16));
        Assert.Equal("d014f9a8c9ee2589e13f0cc8b6630ca6", Convert.ToHexStringLower(roundKeys, 160, 16));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Fips197_appendix_B(AesImplementation implementation)
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"), roundKeys);
        var output = new byte[16];
        AesEcb.Encrypt(implementation, roundKeys, Convert.FromHexString("3243f6a8885a308d313198a2e0370734"), output);
        Assert.Equal("3925841d02dc09fbdc118597196a0b32", Convert.ToHexStringLower(output));
    }

    /// <summary>
    /// NIST SP 800-38A F.1.1 ECB-AES128, the four blocks twice over: 8 blocks go through the 8-block (one key) path
    /// that the proving scan uses, then the same 4 through the single-block path.
    /// </summary>
    [Theory]
    [MemberData(nameof(Implementations))]
    public void Sp800_38A_ecb_aes128_through_the_eight_block_and_single_block_paths(AesImplementation implementation)
    {
        const string plain = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
        const string cipher = "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
            + "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4";
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"), roundKeys);
        byte[] input = Convert.FromHexString(plain + plain + plain);
        var output = new byte[input.Length];
        AesEcb.Encrypt(implementation, roundKeys, input, output);
        Assert.Equal(cipher + cipher + cipher, Convert.ToHexStringLower(output));
    }

    /// <summary>A third, independent AES: .NET's own (OpenSSL's libcrypto on Linux), on random keys and 16 KiB buffers.</summary>
    [Theory]
    [MemberData(nameof(Implementations))]
    public void Matches_system_cryptography_aes_ecb(AesImplementation implementation)
    {
        var random = new Random(4);
        var key = new byte[16];
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        var input = new byte[16384];
        var actual = new byte[input.Length];
        using var system = System.Security.Cryptography.Aes.Create();
        for (int i = 0; i < 4; i++)
        {
            random.NextBytes(key);
            random.NextBytes(input);
            system.Key = key;
            byte[] expected = system.EncryptEcb(input, System.Security.Cryptography.PaddingMode.None);
            AesKeySchedule.Expand(key, roundKeys);
            AesEcb.Encrypt(implementation, roundKeys, input, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Scanner_factory_refuses_an_implementation_the_cpu_lacks()
    {
        foreach (var implementation in Enum.GetValues<AesImplementation>())
        {
            if (AesEcb.IsSupported(implementation))
            {
                Assert.Equal(implementation, new Proving.ProvingScannerFactory(implementation).Implementation);
            }
            else
            {
                Assert.Throws<PlatformNotSupportedException>(() => new Proving.ProvingScannerFactory(implementation));
            }
        }
    }

    [Fact]
    public void Unsupported_implementation_is_refused()
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        foreach (var implementation in Enum.GetValues<AesImplementation>().Where(i => !AesEcb.IsSupported(i)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => AesEcb.Encrypt(implementation, roundKeys, new byte[16], new byte[16]));
        }

        Assert.Throws<ArgumentException>(() => AesEcb.Encrypt(AesImplementation.Software, roundKeys, new byte[15], new byte[16]));
    }
}
