using Prover.Core.Primitives;
using Prover.Node.Poet;
using Xunit;

namespace Prover.Node.Tests.Poet;

public class MembershipTreeTests
{
    private static readonly System.Text.Json.JsonElement Round = Vectors.Of("poet.json", "poet_round").First();

    private static Hash32[] Members => [.. Round.HexList("members").Select(m => new Hash32(m))];

    [Fact]
    public void Members_are_the_challenges_ordered_by_node_id_and_their_root_is_the_statement()
    {
        var registrations = Round.GetProperty("registrations").EnumerateArray()
            .Select(r => (Node: new Hash32(r.Hex("node_id")), Challenge: new Hash32(r.Hex("challenge"))))
            .Reverse()
            .ToList();
        var ordered = registrations.OrderBy(r => r.Node).Select(r => r.Challenge).ToArray();
        Assert.Equal(Members, ordered);
        Assert.Equal(new Hash32(Round.Hex("statement")), MembershipTree.Root(ordered));
    }

    [Fact]
    public void Each_member_proof_matches_the_vector_and_verifies_against_the_statement()
    {
        var statement = new Hash32(Round.Hex("statement"));
        foreach (var p in Round.GetProperty("membership_proofs").EnumerateArray())
        {
            var index = p.GetProperty("leaf_index").GetUInt64();
            var nodes = MembershipTree.Prove(Members, index);
            Assert.Equal(p.HexList("nodes").Select(n => new Hash32(n)), nodes);
            Assert.True(MembershipTree.Verify(Members[index], index, nodes, statement));
        }
    }

    [Fact]
    public void A_membership_proof_is_rejected_at_another_index_with_a_changed_sibling_or_for_another_leaf()
    {
        var statement = new Hash32(Round.Hex("statement"));
        var nodes = MembershipTree.Prove(Members, 1);
        Assert.True(MembershipTree.Verify(Members[1], 1, nodes, statement));
        Assert.False(MembershipTree.Verify(Members[1], 0, nodes, statement));
        Assert.False(MembershipTree.Verify(Members[1], 3, nodes, statement));
        Assert.False(MembershipTree.Verify(Members[0], 1, nodes, statement));
        var bytes = nodes[1].ToArray();
        bytes[5] ^= 0x10;
        Assert.False(MembershipTree.Verify(Members[1], 1, [nodes[0], new Hash32(bytes)], statement));
        Assert.False(MembershipTree.Verify(Members[1], 1, [nodes[0]], statement));
    }

    [Fact]
    public void Membership_vectors_for_one_to_seven_members_reproduce()
    {
        var vectors = Vectors.Of("merkle.json", "proof").Where(v => v.GetProperty("hash").GetString() == "blake3_01").ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var members = v.HexList("leaves").Select(l => new Hash32(l)).ToArray();
            var indices = v.U64List("indices");
            Assert.Equal(new Hash32(v.Hex("root")), MembershipTree.Root(members));
            if (indices.Length == 1)
            {
                Assert.Equal(v.HexList("nodes").Select(n => new Hash32(n)), MembershipTree.Prove(members, indices[0]));
            }
        }
    }
}
