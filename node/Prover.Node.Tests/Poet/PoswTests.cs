using System.Text.Json;
using Prover.Core.Primitives;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Tests.Poet;

public sealed class PoswTests : IDisposable
{
    private static readonly JsonElement Round = Vectors.Of("poet.json", "poet_round").First();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "posw-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static PoetProof RoundProof(JsonElement proof) => new(
        new Hash32(proof.Hex("Root")),
        [.. proof.HexList("ProvenLeaves").Select(l => new Hash32(l))],
        [.. proof.HexList("ProofNodes").Select(n => new Hash32(n))],
        proof.GetProperty("LeafCount").GetUInt64());

    private static Hash32 Statement => new(Round.Hex("statement"));

    [Fact]
    public void Label_and_node_hashes_match_the_poet_literals()
    {
        var label = Vectors.Of("poet.json", "label_hash").Single();
        var output = new byte[32];
        PoswHash.Label(label.Hex("statement"), label.Hex("data"), output);
        Assert.Equal(label.GetProperty("out").GetString(), Convert.ToHexStringLower(output));

        var node = Vectors.Of("poet.json", "merkle_hash").Single();
        PoswHash.Node(node.Hex("statement"), node.Hex("left"), node.Hex("right"), output);
        Assert.Equal(node.GetProperty("out").GetString(), Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Label_data_is_the_big_endian_id_then_the_non_empty_left_siblings()
    {
        var vectors = Vectors.Of("poet.json", "make_label_stringhash").ToList();
        Assert.Equal(3, vectors.Count);
        foreach (var v in vectors)
        {
            var siblings = v.GetProperty("left_siblings").EnumerateArray().Select(s => Convert.FromHexString(s.GetString()!));
            var data = PoswHash.LabelData(v.GetProperty("label_id").GetUInt64(), siblings);
            Assert.Equal(v.GetProperty("out").GetString(), "H(" + Convert.ToHexStringLower(data) + ")");
        }
    }

    [Fact]
    public void Fiat_shamir_ids_match_the_vectors()
    {
        var vectors = Vectors.Of("poet.json", "fiat_shamir").ToList();
        Assert.Equal(4, vectors.Count);
        foreach (var v in vectors)
        {
            var ids = PoswHash.FiatShamir(v.Hex("challenge"), v.GetProperty("space_size").GetUInt64(), v.GetProperty("t").GetInt32());
            Assert.Equal(v.GetProperty("count").GetInt32(), ids.Length);
            Assert.Equal(v.U64List("indices"), ids);
        }

        Assert.Equal(Round.U64List("fiat_shamir_indices"), PoswHash.FiatShamir(Round.GetProperty("proof").Hex("Root"), 160));
    }

    [Fact]
    public void The_prover_reproduces_the_vector_round_byte_for_byte()
    {
        using var prover = PoswProver.Create(_directory, Statement);
        Assert.Equal(160UL, prover.Run(n => n >= 160));
        var proof = prover.GenerateProof();
        var expected = RoundProof(Round.GetProperty("proof"));
        Assert.Equal(expected.Root, proof.Root);
        Assert.Equal(expected.ProvenLeaves, proof.ProvenLeaves);
        Assert.Equal(expected.ProofNodes, proof.ProofNodes);
        Assert.Equal(Round.GetProperty("poet_proof_hex").GetString(), Convert.ToHexStringLower(proof.Encode()));
        Assert.Equal(new Hash32(Round.Hex("proof_ref")), proof.Ref());
    }

    [Fact]
    public void A_resumed_prover_continues_from_its_checkpoint_to_the_same_proof()
    {
        using (var first = PoswProver.Create(_directory, Statement))
        {
            first.Run(n => n >= 97);
            first.Checkpoint();
            first.Run(n => n >= 120); // work after the checkpoint is lost in a crash
        }

        using var resumed = PoswProver.Resume(_directory, Statement);
        Assert.Equal(97UL, resumed.LeafCount);
        resumed.Run(n => n >= 160);
        Assert.Equal(RoundProof(Round.GetProperty("proof")), resumed.GenerateProof(), ProofComparer.Instance);
    }

    [Fact]
    public void Resume_for_another_statement_starts_over()
    {
        using (var first = PoswProver.Create(_directory, Statement))
        {
            first.Run(n => n >= 10);
            first.Checkpoint();
        }

        using var other = PoswProver.Resume(_directory, Hash32.Zero);
        Assert.Equal(0UL, other.LeafCount);
    }

    [Fact]
    public void The_verifier_accepts_the_vector_round_and_its_message_encoding_matches()
    {
        var proof = RoundProof(Round.GetProperty("proof"));
        Assert.Equal(PoswVerdict.Valid, PoswVerifier.Verify(proof, Statement));
        var message = Round.GetProperty("poet_proof_message");
        var encoded = proof.EncodeMessage(
            message.Hex("PoetServiceID"), message.GetProperty("RoundID").GetString()!, new Hash32(message.Hex("Statement")), message.Hex("Signature"));
        Assert.Equal(Round.GetProperty("poet_proof_message_hex").GetString(), Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void The_verifier_rejects_the_vector_rejects_with_upstream_errors()
    {
        var rejects = Vectors.Of("poet.json", "poet_reject").ToList();
        Assert.Equal(3, rejects.Count);
        foreach (var v in rejects)
        {
            var proof = RoundProof(v.GetProperty("proof")) with { LeafCount = v.GetProperty("leaf_count").GetUInt64() };
            var verdict = PoswVerifier.Verify(proof, new Hash32(v.Hex("statement")));
            Assert.False(verdict.IsValid, v.GetProperty("what").GetString());
            Assert.Equal(v.GetProperty("error").GetString(), verdict.Error);
        }
    }

    [Fact]
    public void The_verifier_rejects_every_tampered_field()
    {
        var proof = RoundProof(Round.GetProperty("proof"));
        Assert.True(PoswVerifier.Verify(proof, Statement).IsValid);

        Assert.False(PoswVerifier.Verify(proof with { Root = Flip(proof.Root) }, Statement).IsValid);
        Assert.False(PoswVerifier.Verify(proof with { LeafCount = 159 }, Statement).IsValid);
        Assert.False(PoswVerifier.Verify(proof with { LeafCount = 1UL << 20 }, Statement).IsValid);
        Assert.False(PoswVerifier.Verify(proof, Flip(Statement)).IsValid);
        Assert.False(PoswVerifier.Verify(proof with { ProvenLeaves = proof.ProvenLeaves.Take(149).ToArray() }, Statement).IsValid);
        Assert.False(PoswVerifier.Verify(proof with { ProofNodes = proof.ProofNodes.Skip(1).ToArray() }, Statement).IsValid);
        for (var k = 0; k < proof.ProvenLeaves.Count; k += 13)
        {
            var leaves = proof.ProvenLeaves.ToArray();
            leaves[k] = Flip(leaves[k]);
            Assert.False(PoswVerifier.Verify(proof with { ProvenLeaves = leaves }, Statement).IsValid, $"leaf {k}");
        }

        for (var k = 0; k < proof.ProofNodes.Count; k++)
        {
            var nodes = proof.ProofNodes.ToArray();
            nodes[k] = Flip(nodes[k]);
            Assert.False(PoswVerifier.Verify(proof with { ProofNodes = nodes }, Statement).IsValid, $"node {k}");
        }
    }

    [Fact]
    public void Proofs_of_other_leaf_counts_verify_including_a_power_of_two_and_exactly_T()
    {
        foreach (var count in new ulong[] { 150, 256, 301 })
        {
            var statement = new Hash32(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(count)));
            using var prover = PoswProver.Create(Path.Combine(_directory, count.ToString(System.Globalization.CultureInfo.InvariantCulture)), statement);
            prover.Run(n => n >= count);
            Assert.Equal(PoswVerdict.Valid, PoswVerifier.Verify(prover.GenerateProof(), statement));
        }
    }

    private static Hash32 Flip(Hash32 value)
    {
        var bytes = value.ToArray();
        bytes[7] ^= 0x04;
        return new Hash32(bytes);
    }

    private sealed class ProofComparer : IEqualityComparer<PoetProof>
    {
        public static readonly ProofComparer Instance = new();

        public bool Equals(PoetProof? x, PoetProof? y) => x!.Encode().AsSpan().SequenceEqual(y!.Encode());

        public int GetHashCode(PoetProof obj) => 0;
    }
}
