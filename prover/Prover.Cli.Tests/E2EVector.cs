using System.Text;
using Prover.Core.Primitives;
using Prover.Core.Proving;

namespace Prover.Cli.Tests;

/// <summary>End-to-end proof #1 of the vectors (N = 2, 31 units × 4096 labels) and the verify flags that fit it.</summary>
internal static class E2EVector
{
    public static readonly string[] VerifyFlags =
    [
        "--labels-per-unit", "4096", "--scrypt-n", "2", "--k1", "23", "--k2", "32", "--min-num-units", "1",
        "--pow-difficulty", new string('f', 64), "--randomx-mode", "light",
    ];

    public static (Proof Proof, ProofMetadata Metadata) Load()
    {
        var v = TestData.Load("vectors_e2e.json").GetProperty("end_to_end");
        var p = v.GetProperty("proof");
        var proof = new Proof(p.GetProperty("nonce").GetUInt32(), p.GetProperty("indices_compressed_hex").Hex(), p.GetProperty("pow").GetUInt64());
        var metadata = new ProofMetadata(new NodeId(v.GetProperty("node_id").Hex()), new AtxId(v.GetProperty("commitment_atx_id").Hex()),
            new Challenge(Encoding.ASCII.GetBytes(v.GetProperty("challenge_ascii").GetString()!)), v.GetProperty("num_units").GetUInt32());
        return (proof, metadata);
    }
}
