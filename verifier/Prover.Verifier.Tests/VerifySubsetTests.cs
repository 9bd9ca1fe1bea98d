using System.Text;
using Xunit;

namespace Prover.Verifier.Tests;

public class VerifySubsetTests
{
    [Fact]
    public void Upstream_test_vec_empty_seed_permutes_0_to_99()
    {
        // post-rs src/random_values_gen.rs test_vec: RandomValuesIterator::new(0..100, no seed parts).
        int[] expected =
        [
            39, 13, 95, 77, 36, 41, 74, 17, 59, 87, 91, 63, 40, 20, 94, 78, 48, 60, 18, 32, 67, 43, 23, 69, 71, 1, 51, 79, 19, 53,
            86, 80, 14, 84, 97, 92, 83, 26, 2, 81, 42, 55, 50, 88, 75, 82, 44, 34, 58, 72, 35, 25, 10, 68, 12, 11, 70, 27, 98, 57,
            96, 16, 45, 73, 0, 15, 62, 46, 30, 89, 33, 54, 9, 29, 7, 90, 38, 5, 49, 61, 93, 99, 22, 6, 64, 24, 76, 85, 37, 65, 31,
            4, 52, 3, 56, 21, 8, 28, 66, 47,
        ];
        Assert.Equal(expected, RandomSubset.Select(Enumerable.Range(0, 100).ToArray(), 100, []));
        Assert.Equal(expected.Take(7), RandomSubset.Select(Enumerable.Range(0, 100).ToArray(), 7, []));
    }

    [Fact]
    public void Spec_vector_zero_ids_K3_equals_K2_raw_iterator_order()
    {
        var expected = Vectors.Basic.GetProperty("subset").GetProperty("seed_empty_nodeid_zero_challenge_zero_k2_37_k3_37")
            .EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, RandomSubset.ForVerifier(Enumerable.Range(0, 37).ToArray(), 37, [], new byte[32], new byte[32]));
    }

    [Fact]
    public void Spec_vector_peer_id_like_seed_K3_of_5()
    {
        var v = Vectors.Basic.GetProperty("subset").GetProperty("seed_peerid_like_k2_37_k3_5");
        var expected = v.GetProperty("order").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, RandomSubset.ForVerifier(Enumerable.Range(0, 37).ToArray(), 5,
            v.GetProperty("seed_hex").Hex(), v.GetProperty("node_id").Hex(), v.GetProperty("challenge").Hex()));
    }

    [Fact]
    public void Spec_vector_end_to_end_proof_K3_of_5_seed_empty()
    {
        var e2e = Vectors.EndToEnd.GetProperty("end_to_end");
        var indices = e2e.GetProperty("proof").GetProperty("indices").EnumerateArray().Select((e, i) => (i, e.GetUInt64())).ToArray();
        var expected = e2e.GetProperty("subset_k3_5_seed_empty").EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetUInt64())).ToArray();
        var selected = RandomSubset.ForVerifier(indices, 5, [], e2e.GetProperty("node_id").Hex(),
            Encoding.ASCII.GetBytes(e2e.GetProperty("challenge_ascii").GetString()!));
        Assert.Equal(expected, selected);
    }

    [Fact]
    public void Selection_is_a_permutation_prefix_for_any_size_and_seed()
    {
        var random = new Random(21);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = random.Next(1, 300);
            var seed = new byte[random.Next(0, 40)];
            random.NextBytes(seed);
            var all = RandomSubset.Select(Enumerable.Range(0, n).ToArray(), n + 5, seed);
            Assert.Equal(Enumerable.Range(0, n), all.Order());
            int k = random.Next(0, n + 1);
            Assert.Equal(all.Take(k), RandomSubset.Select(Enumerable.Range(0, n).ToArray(), k, seed));
        }
    }
}
