using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

[Collection(RandomXLightGroup.Name)]
public sealed class RandomXTests(RandomXLightFixture light)
{
    private const string FastVariable = "POST_TEST_RANDOMX_FAST";

    [Fact]
    public void Reference_vector_of_tevador_RandomX_also_from_a_vm_that_outlives_its_context()
    {
        // spec §7.1(k): key "test key 000", input "This is a test".
        const string expected = "639183aae1bf4c9a35884cb46b09cad9175f04efd7684e7262a0ac1c2f0b4e3f";
        var context = RandomXContext.Create(RandomXMode.Light, "test key 000"u8);
        var hash = new byte[32];
        context.Hash("This is a test"u8, hash);
        Assert.Equal(expected, Convert.ToHexStringLower(hash));

        // VMs hold a reference to the cache: disposing the context does not pull it from under them.
        var vm = context.CreateVm();
        context.Dispose();
        Assert.Throws<ObjectDisposedException>(() => context.CreateVm());
        Array.Clear(hash);
        vm.Hash("This is a test"u8, hash);
        Assert.Equal(expected, Convert.ToHexStringLower(hash));
        vm.Dispose();
    }

    [Fact]
    public void Spacemesh_key_hashes_the_k2pow_input_vector()
    {
        var vector = K2PowVectors.SingleHash;
        Assert.Equal(vector.GetProperty("randomx_key_ascii").GetString(),
            System.Text.Encoding.ASCII.GetString(RandomXContext.SpacemeshKey));
        var hash = new byte[32];
        light.Context.Hash(K2PowVectors.Hex(vector, "input48"), hash);
        Assert.Equal(K2PowVectors.Hex(vector, "hash"), hash);
    }

    [Fact]
    public void Pipelined_hashes_equal_single_hashes()
    {
        var inputs = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 20 + i).Select(b => (byte)(b * 7 + i)).ToArray()).ToArray();
        using var vm = light.Context.CreateVm();
        var expected = inputs.Select(input =>
        {
            var h = new byte[32];
            vm.Hash(input, h);
            return h;
        }).ToArray();

        var actual = new List<byte[]>();
        vm.HashFirst(inputs[0]);
        for (var i = 1; i < inputs.Length; i++)
        {
            var h = new byte[32];
            vm.HashNext(inputs[i], h);
            actual.Add(h);
        }

        var last = new byte[32];
        vm.HashLast(last);
        actual.Add(last);
        Assert.Equal(expected, actual);
        Assert.Equal(4, expected.Distinct(new ByteArrayComparer()).Count());
    }

    [Fact]
    public void Light_context_reads_the_cache_only()
    {
        Assert.Equal(RandomXMode.Light, light.Context.Mode);
        Assert.Equal(RandomXFlags.None, light.Context.Flags & RandomXFlags.FullMem);
        Assert.Equal(RandomXContext.RecommendedFlags(), light.Context.Flags & ~RandomXFlags.LargePages);
    }

    [Fact]
    public void Output_shorter_than_a_hash_is_rejected()
    {
        using var vm = light.Context.CreateVm();
        Assert.Throws<ArgumentException>(() => vm.Hash("x"u8, new byte[31]));
    }

    [Fact]
    public void Missing_library_message_names_the_package_and_the_script()
    {
        var message = new RandomXLibraryNotFoundException("librandomx.so.0, librandomx.so, randomx").Message;
        Assert.Contains("librandomx0", message);
        Assert.Contains("scripts/install-deps.sh", message);
        Assert.Contains("librandomx.so.0", message);
    }

    [FactRequiresEnv(FastVariable)]
    public void Fast_mode_gives_the_same_hashes_as_light_mode()
    {
        var progress = new List<double>();
        using var fast = RandomXContext.Create(RandomXMode.Fast,
            new RandomXContextOptions { DatasetProgress = new SyncProgress(progress) });
        Assert.Equal(RandomXFlags.FullMem, fast.Flags & RandomXFlags.FullMem);
        Assert.Equal(1.0, progress.Max(), 9);

        var k2powFast = new K2Pow(fast, threads: 2);
        var k2powLight = new K2Pow(light.Context);
        var vector = K2PowVectors.Difficulty0fff;
        var challenge = K2PowVectors.Ascii(vector, "challenge8_ascii");
        var miner = K2PowVectors.Hex(vector, "miner_id");
        var group = (byte)vector.GetProperty("nonce_group").GetInt32();
        foreach (var (pow, expected) in K2PowVectors.HashesBelow())
        {
            var fromFast = new byte[32];
            var fromLight = new byte[32];
            k2powFast.Hash(pow, group, challenge, miner, fromFast);
            k2powLight.Hash(pow ^ 0x5500_0000_0000_0000, group, challenge, miner, fromLight);
            Assert.Equal(expected, fromFast);
            Assert.Equal(fromLight, fromFast);
        }

        var difficulty = K2PowVectors.Hex(vector, "difficulty");
        Assert.Equal(vector.GetProperty("smallest_valid_pow").GetUInt64(), k2powFast.Prove(group, challenge, difficulty, miner));

        // Light VMs and fast VMs give identical hashes for arbitrary inputs too.
        using var fastVm = fast.CreateVm();
        using var lightVm = light.Context.CreateVm();
        for (var i = 0; i < 8; i++)
        {
            var input = Enumerable.Range(0, 48 + i).Select(b => (byte)(b * 31 + i)).ToArray();
            var a = new byte[32];
            var b = new byte[32];
            fastVm.Hash(input, a);
            lightVm.Hash(input, b);
            Assert.Equal(b, a);
        }
    }

    private sealed class SyncProgress(List<double> values) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (values)
            {
                values.Add(value);
            }
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => BitConverter.ToInt32(obj, 0);
    }
}
