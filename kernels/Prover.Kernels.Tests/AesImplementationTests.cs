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
    public void Software_IsAlwaysAvailable_AndHardwareIsListedWhenTheCpuHasIt()
    {
        Assert.Contains(AesImplementation.Software, AesEcb.Available);
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, AesEcb.Available.Contains(AesImplementation.X86AesNi));
        Assert.Equal(System.Runtime.Intrinsics.Arm.Aes.IsSupported, AesEcb.Available.Contains(AesImplementation.ArmAes));
    }

    [Fact]
    public void KeySchedule_MatchesReference()
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
    public void Fips197_AppendixC1(AesImplementation implementation)
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        AesKeySchedule.Expand(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"), roundKeys);
        var output = new byte[16];
        AesEcb.Encrypt(implementation, roundKeys, Convert.FromHexString("00112233445566778899aabbccddeeff"), output);
        Assert.Equal("69c4e0d86a7b0430d8cdb78070b4c55a", Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void SpecVector_GroupAesOfExampleLabel(AesImplementation implementation)
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
    public void Ecb_MatchesReference_AtBoundarySizes(AesImplementation implementation)
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
    public void OwnKeyPerBlock_MatchesReference(AesImplementation implementation)
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
    public void UnsupportedImplementation_IsRefused()
    {
        var roundKeys = new byte[AesKeySchedule.ExpandedSize];
        foreach (var implementation in Enum.GetValues<AesImplementation>().Where(i => !AesEcb.IsSupported(i)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => AesEcb.Encrypt(implementation, roundKeys, new byte[16], new byte[16]));
        }

        Assert.Throws<ArgumentException>(() => AesEcb.Encrypt(AesImplementation.Software, roundKeys, new byte[15], new byte[16]));
    }
}
