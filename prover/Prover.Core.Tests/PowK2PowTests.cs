using System.Diagnostics;
using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

[Collection(RandomXLightGroup.Name)]
public sealed class PowK2PowTests(RandomXLightFixture light)
{
    private static readonly byte[] Challenge = K2PowVectors.Ascii(K2PowVectors.Difficulty0fff, "challenge8_ascii");
    private static readonly byte[] Miner = K2PowVectors.Hex(K2PowVectors.Difficulty0fff, "miner_id");
    private static readonly byte[] Difficulty = K2PowVectors.Hex(K2PowVectors.Difficulty0fff, "difficulty");
    private static readonly byte Group = (byte)K2PowVectors.Difficulty0fff.GetProperty("nonce_group").GetInt32();
    private static readonly ulong Smallest = K2PowVectors.Difficulty0fff.GetProperty("smallest_valid_pow").GetUInt64();

    [Fact]
    public void Input_layout_matches_the_vector()
    {
        var vector = K2PowVectors.SingleHash;
        var input = new byte[K2Pow.InputSize];
        K2Pow.BuildInput(vector.GetProperty("pow_nonce").GetUInt64(), (byte)vector.GetProperty("nonce_group").GetInt32(),
            K2PowVectors.Ascii(vector, "challenge8_ascii"), K2PowVectors.Hex(vector, "miner_id"), input);
        Assert.Equal(K2PowVectors.Hex(vector, "input48"), input);
    }

    [Fact]
    public void Input_keeps_the_low_seven_bytes_of_pow_little_endian()
    {
        var input = new byte[K2Pow.InputSize];
        K2Pow.BuildInput(0xAB01_0203_0405_0607, 0x99, Challenge, Miner, input);
        Assert.Equal(new byte[] { 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x99 }, input[..8]);
    }

    [Fact]
    public void Single_hash_vectors()
    {
        // pow 0, 1, 2 … 11 of the 0fff vector (pow 0 is also the k2pow_single_hash vector).
        var k2pow = new K2Pow(light.Context);
        var hash = new byte[32];
        var checkedCount = 0;
        foreach (var (pow, expected) in K2PowVectors.HashesBelow())
        {
            k2pow.Hash(pow, Group, Challenge, Miner, hash);
            Assert.Equal(expected, hash);
            checkedCount++;
        }

        Assert.Equal(12, checkedCount);
        Assert.Equal(K2PowVectors.Hex(K2PowVectors.SingleHash, "hash"), K2PowVectors.HashesBelow().First().Hash);
    }

    [Fact]
    public void One_thread_returns_the_smallest_valid_pow()
    {
        var k2pow = new K2Pow(light.Context, threads: 1);
        var pow = k2pow.Prove(Group, Challenge, Difficulty, Miner);
        Assert.Equal(Smallest, pow);
        var hash = new byte[32];
        k2pow.Hash(pow, Group, Challenge, Miner, hash);
        Assert.Equal(K2PowVectors.Hex(K2PowVectors.Difficulty0fff, "hash_at_pow"), hash);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Several_threads_return_a_valid_pow_and_it_is_still_the_smallest(int threads)
    {
        var k2pow = new K2Pow(light.Context, threads);
        var pow = k2pow.Prove(Group, Challenge, Difficulty, Miner);
        Assert.True(k2pow.Verify(pow, Group, Challenge, Difficulty, Miner));
        Assert.Equal(Smallest, pow); // the strided search stops only past the best pow found
    }

    [Fact]
    public void Every_pow_below_the_smallest_is_rejected()
    {
        var k2pow = new K2Pow(light.Context);
        for (ulong pow = 0; pow < Smallest; pow++)
        {
            Assert.False(k2pow.Verify(pow, Group, Challenge, Difficulty, Miner));
        }

        Assert.True(k2pow.Verify(Smallest, Group, Challenge, Difficulty, Miner));
    }

    [Fact]
    public void Range_search_starts_at_the_given_nonce_and_reports_an_empty_range()
    {
        var k2pow = new K2Pow(light.Context, threads: 2);
        Assert.Null(k2pow.ProveRange(Group, Challenge, Difficulty, Miner, 0, Smallest));
        Assert.Equal(Smallest, k2pow.ProveRange(Group, Challenge, Difficulty, Miner, Smallest, Smallest + 1));
        Assert.Null(k2pow.ProveRange(Group, Challenge, Difficulty, Miner, 5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            k2pow.ProveRange(Group, Challenge, Difficulty, Miner, 0, K2Pow.NonceSpace + 1));
    }

    [Fact]
    public void Verifier_ignores_the_top_byte_of_pow()
    {
        var k2pow = new K2Pow(light.Context);
        Assert.True(k2pow.Verify(Smallest | 0xFF00_0000_0000_0000, Group, Challenge, Difficulty, Miner));
        Assert.True(k2pow.Verify(Smallest | 0x0100_0000_0000_0000, Group, Challenge, Difficulty, Miner));
        Assert.False(k2pow.Verify((Smallest - 1) | 0x8000_0000_0000_0000, Group, Challenge, Difficulty, Miner));
    }

    [Fact]
    public void Verifier_compares_big_endian_and_strictly()
    {
        var k2pow = new K2Pow(light.Context);
        var hash = K2PowVectors.Hex(K2PowVectors.Difficulty0fff, "hash_at_pow");
        Assert.False(k2pow.Verify(Smallest, Group, Challenge, hash, Miner)); // hash == difficulty is not below

        var justAbove = (byte[])hash.Clone();
        justAbove[31]++; // 0x0e -> 0x0f in the least significant byte
        Assert.True(k2pow.Verify(Smallest, Group, Challenge, justAbove, Miner));

        var littleEndianLarger = (byte[])hash.Clone();
        littleEndianLarger[0]--; // most significant byte smaller: smaller number although the last byte is large
        littleEndianLarger[31] = 0xFF;
        Assert.False(k2pow.Verify(Smallest, Group, Challenge, littleEndianLarger, Miner));
    }

    [Fact]
    public void Verifier_binds_group_challenge_and_miner()
    {
        var k2pow = new K2Pow(light.Context);
        // With the hash of pow 11 itself as difficulty, only an input with a smaller hash passes; the vector's other
        // hashes show which inputs do. Changing any bound field changes the hash, so check that the hash changes.
        var reference = new byte[32];
        k2pow.Hash(Smallest, Group, Challenge, Miner, reference);
        var changed = new byte[32];
        k2pow.Hash(Smallest, (byte)(Group + 1), Challenge, Miner, changed);
        Assert.NotEqual(reference, changed);
        var otherChallenge = (byte[])Challenge.Clone();
        otherChallenge[7] ^= 1;
        k2pow.Hash(Smallest, Group, otherChallenge, Miner, changed);
        Assert.NotEqual(reference, changed);
        var otherMiner = (byte[])Miner.Clone();
        otherMiner[31] ^= 1;
        k2pow.Hash(Smallest, Group, Challenge, otherMiner, changed);
        Assert.NotEqual(reference, changed);
        Assert.False(k2pow.Verify(Smallest, Group, Challenge, reference, Miner));
    }

    [Fact]
    public async Task Prove_many_returns_one_pow_per_group_in_order()
    {
        var k2pow = new K2Pow(light.Context, threads: 2);
        var groups = new byte[] { Group, 3, Group };
        var pows = await k2pow.ProveManyAsync(groups, Challenge, Difficulty, Miner);
        Assert.Equal(3, pows.Length);
        Assert.Equal(Smallest, pows[0]);
        Assert.Equal(Smallest, pows[2]);
        Assert.True(k2pow.Verify(pows[1], 3, Challenge, Difficulty, Miner));
    }

    [Fact]
    public void Search_is_cancellable()
    {
        var k2pow = new K2Pow(light.Context, threads: 2);
        var impossible = new byte[32]; // nothing is below zero
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => k2pow.Prove(Group, Challenge, impossible, Miner, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public void Impossible_difficulty_yields_no_pow_in_a_range()
    {
        var k2pow = new K2Pow(light.Context, threads: 2);
        Assert.Null(k2pow.ProveRange(Group, Challenge, new byte[32], Miner, 100, 104));
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var k2pow = new K2Pow(light.Context);
        Assert.Throws<ArgumentException>(() => k2pow.Prove(Group, new byte[32], Difficulty, Miner));
        Assert.Throws<ArgumentException>(() => k2pow.Prove(Group, Challenge, new byte[31], Miner));
        Assert.Throws<ArgumentException>(() => k2pow.Verify(0, Group, Challenge, Difficulty, new byte[33]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new K2Pow(light.Context, -1));
    }

    [Fact]
    public void Zero_threads_means_all_cores()
    {
        Assert.Equal(Environment.ProcessorCount, new K2Pow(light.Context, 0).Threads);
    }
}
