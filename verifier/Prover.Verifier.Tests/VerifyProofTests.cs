using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Xunit;

namespace Prover.Verifier.Tests;

/// <summary>One light-mode RandomX context for the verifier tests (~1 s, 256 MiB).</summary>
public sealed class LightRandomXFixture : IDisposable
{
    public LightRandomXFixture() => Pow = new K2Pow(Context = RandomXContext.Create(RandomXMode.Light));

    public RandomXContext Context { get; }

    public K2Pow Pow { get; }

    public void Dispose() => Context.Dispose();
}

[CollectionDefinition(Name)]
public sealed class LightRandomXGroup : ICollectionFixture<LightRandomXFixture>
{
    public const string Name = "verifier RandomX light";
}

[Collection(LightRandomXGroup.Name)]
public class VerifyProofTests(LightRandomXFixture randomx)
{
    private static JsonElement E2E => Vectors.EndToEnd.GetProperty("end_to_end");

    private static ulong[] Indices => E2E.GetProperty("proof").GetProperty("indices").EnumerateArray().Select(e => e.GetUInt64()).ToArray();

    private static Proof Proof1 => new(6, E2E.GetProperty("proof").GetProperty("indices_compressed_hex").Hex(), 23);

    private static ProofMetadata Metadata1 => new(new NodeId(E2E.GetProperty("node_id").Hex()), new AtxId(E2E.GetProperty("commitment_atx_id").Hex()),
        new Challenge(Encoding.ASCII.GetBytes(E2E.GetProperty("challenge_ascii").GetString()!)), 31);

    private static ProofConfig Config1 => new(23, 32, 32, E2E.GetProperty("pow_difficulty").Hex());

    private static InitConfig Init1 => new(1, 100, 4096, 2);

    private ProofVerifier Verifier(ProofConfig? config = null, InitConfig? init = null) => new(config ?? Config1, init ?? Init1, randomx.Pow);

    [Fact]
    public void Proof1_is_valid_in_every_mode()
    {
        Assert.Equal(E2E.GetProperty("proof").GetProperty("indices_compressed_hex").GetString(),
            Convert.ToHexStringLower(IndexCompression.Compress(Indices, 17)));
        var verifier = Verifier();
        Assert.Null(verifier.Verify(Proof1, Metadata1, VerifyMode.All));
        Assert.Null(verifier.Verify(Proof1, Metadata1, VerifyMode.One(7)));
        Assert.Null(verifier.Verify(Proof1, Metadata1, VerifyMode.Subset(5, [])));
        Assert.Null(verifier.Verify(Proof1, Metadata1, VerifyMode.Subset(1, [1, 2, 3])));
    }

    [Fact]
    public void Proof1_index_7_flipped_is_invalid_msb_at_7_and_modes_see_it_or_not()
    {
        ulong[] indices = Indices;
        indices[7] ^= (1UL << 17) - 1;
        var tampered = Proof1 with { Indices = IndexCompression.Compress(indices, 17) };
        var verifier = Verifier();
        var error = Assert.IsType<VerifyError.InvalidMsb>(verifier.Verify(tampered, Metadata1, VerifyMode.All));
        Assert.Equal(7, error.IndexId);
        Assert.Equal(indices[7], error.LabelIndex);
        Assert.IsType<VerifyError.InvalidMsb>(verifier.Verify(tampered, Metadata1, VerifyMode.One(7)));
        Assert.Null(verifier.Verify(tampered, Metadata1, VerifyMode.One(6)));
        // The spec's k3 = 5 subset with an empty seed is ids 22, 18, 8, 4, 21: it does not contain 7.
        Assert.Null(verifier.Verify(tampered, Metadata1, VerifyMode.Subset(5, [])));
        // k3 == k2 checks everything, whatever the seed.
        Assert.IsType<VerifyError.InvalidMsb>(verifier.Verify(tampered, Metadata1, VerifyMode.Subset(32, [9])));
    }

    [Fact]
    public void Errors_are_typed_and_come_in_post_rs_order()
    {
        var verifier = Verifier();
        Assert.Equal(new VerifyError.NumUnitsTooSmall(32, 31), Verifier(init: Init1 with { MinNumUnits = 32 }).Verify(Proof1, Metadata1, VerifyMode.All));
        Assert.Equal(new VerifyError.NumUnitsTooLarge(30, 31), Verifier(init: Init1 with { MaxNumUnits = 30 }).Verify(Proof1, Metadata1, VerifyMode.All));
        Assert.Equal(new VerifyError.NonceGroupOutOfBounds(256), verifier.Verify(Proof1 with { Nonce = 4096 }, Metadata1, VerifyMode.All));
        // pow 23 is the smallest valid pow of group 0, so pow 0 fails; nonce 16 is group 1 whose pow is 8.
        Assert.Equal(new VerifyError.InvalidPoW(), verifier.Verify(Proof1 with { Pow = 0 }, Metadata1, VerifyMode.All));
        Assert.Equal(new VerifyError.InvalidPoW(), verifier.Verify(Proof1 with { Nonce = 16 }, Metadata1, VerifyMode.All));
        Assert.Equal(new VerifyError.InvalidIndicesLen(68, 67), verifier.Verify(Proof1 with { Indices = Proof1.Indices[..67] }, Metadata1, VerifyMode.All));
        // The network's labels per unit decides the width: 4097 × 31 still needs 17 bits, 8192 × 31 needs 18.
        Assert.Equal(new VerifyError.InvalidIndicesLen(72, 68), Verifier(init: Init1 with { LabelsPerUnit = 8192 }).Verify(Proof1, Metadata1, VerifyMode.All));
        Assert.IsType<VerifyError.InvalidNumLabels>(Verifier(config: Config1 with { K1 = 200_000 }).Verify(Proof1, Metadata1, VerifyMode.All));
        // A stricter k1 on the same proof fails on some index's score.
        Assert.True(Verifier(config: Config1 with { K1 = 1 }).Verify(Proof1, Metadata1, VerifyMode.All) is VerifyError.InvalidMsb or VerifyError.InvalidLsb);
    }

    [Fact]
    public void Invalid_lsb_when_the_byte_ties_and_the_lazy_bits_do_not()
    {
        // Find a label whose group-AES byte for nonce 6 equals the difficulty msb (0) but whose lazy 56 bits are too
        // large, and put it at position 5 of proof #1.
        var metadata = Metadata1;
        byte[] commitment = Labels.Commitment(metadata.NodeId, metadata.CommitmentAtxId).ToArray();
        ulong difficulty = ProvingDifficulty.Compute(23, 126976);
        var groupKey = new byte[16];
        var lazyKey = new byte[16];
        ProvingKeys.GroupKey(metadata.Challenge, 0, 23, groupKey);
        ProvingKeys.LazyKey(metadata.Challenge, 6, 23, lazyKey);
        var output = new byte[16];
        ulong found = ulong.MaxValue;
        for (ulong index = 0; index < 126976 && found == ulong.MaxValue; index++)
        {
            byte[] label = Labels.Label(commitment, index, 2);
            Aes128.Encrypt(groupKey, label, output);
            if (output[6] != 0)
            {
                continue;
            }

            Aes128.Encrypt(lazyKey, label, output);
            if ((BinaryPrimitives.ReadUInt64LittleEndian(output) & ProvingDifficulty.LsbMask) >= ProvingDifficulty.Lsb(difficulty))
            {
                found = index;
            }
        }

        Assert.NotEqual(ulong.MaxValue, found);
        ulong[] indices = Indices;
        indices[5] = found;
        var error = Assert.IsType<VerifyError.InvalidLsb>(Verifier().Verify(Proof1 with { Indices = IndexCompression.Compress(indices, 17) }, metadata, VerifyMode.All));
        Assert.Equal(5, error.IndexId);
        Assert.Equal(found, error.LabelIndex);
    }

    [Fact]
    public void Pow_top_byte_is_ignored_by_the_pow_check_but_changes_the_keys()
    {
        // Verifier side of spec §5.1: only the low 7 bytes of pow enter RandomX; the full u64 enters the AES keys.
        var error = Verifier().Verify(Proof1 with { Pow = 23UL | (1UL << 60) }, Metadata1, VerifyMode.All);
        Assert.True(error is VerifyError.InvalidMsb or VerifyError.InvalidLsb, $"got {error}");
    }

    [Fact]
    public void Vrf_nonce_uses_go_difficulty()
    {
        var e2e = E2E;
        byte[] commitment = e2e.GetProperty("commitment").Hex();
        // Index 37956 has the smallest output of the data (post-rs initializer semantics), 0001024819…: below Go's
        // difficulty for 126976 labels (2^259 / 126976 = 0004210842…), above the one for 2^20 labels (00008000…).
        Assert.Equal(37956UL, e2e.GetProperty("vrf_nonce_rust_initializer_ffff").GetProperty("index").GetUInt64());
        Assert.True(ProofVerifier.VerifyVrfNonce(commitment, 37956, 126976, 2));
        Assert.False(ProofVerifier.VerifyVrfNonce(commitment, 37956, 1UL << 20, 2));
        Assert.False(ProofVerifier.VerifyVrfNonce(commitment, 0, 126976, 2)); // 62b14f10… is far above
    }
}
