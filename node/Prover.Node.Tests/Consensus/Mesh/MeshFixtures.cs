using Prover.Core.Primitives;
using Prover.Node.Consensus.Mesh;
using Prover.Node.Genesis;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage;

namespace Prover.Node.Tests.Consensus.Mesh;

/// <summary>Small deterministic worlds for the mesh tests: ATXs with coinbases, proposals, stores.</summary>
internal static class MeshFixtures
{
    public static AtxId AtxOf(byte tag) => new(Enumerable.Repeat(tag, 32).ToArray());

    public static NodeId NodeOf(byte tag) => new(Enumerable.Range(0, 32).Select(i => (byte)(tag ^ i)).ToArray());

    public static Hash20 Id20(byte tag, byte salt = 0) => new(Enumerable.Range(0, 20).Select(i => (byte)(tag * 7 + i + salt * 31)).ToArray());

    public static Address Coinbase(byte tag) => new([0, 0, 0, 0, .. Enumerable.Repeat(tag, 20)]);

    /// <summary>Coinbase of ATX tag t is Coinbase(t), except ATXs 0x40.. which share one coinbase (0x40).</summary>
    public static Address? CoinbaseOf(AtxId atx) => atx.Span[0] >= 0x40 ? Coinbase(0x40) : Coinbase(atx.Span[0]);

    public static HareProposal Proposal(byte tag, byte atx, ulong weight, uint eligibilities = 4, uint proofs = 1, ulong baseTick = 100) =>
        new(Id20(tag), AtxOf(atx), weight, baseTick, baseTick + 50, eligibilities, proofs);

    public static ConsensusStore NewStore(out IKeyValueStore kv)
    {
        kv = new InMemoryKeyValueStore(NodeColumns.All);
        return ConsensusStore.Open(kv);
    }

    /// <summary>Every entry of a column, as hex pairs, to compare two stores byte for byte.</summary>
    public static List<string> Dump(IKeyValueStore kv, string column)
    {
        var list = new List<string>();
        using var it = kv.GetColumn(column).CreateIterator();
        for (it.SeekToFirst(); it.Valid; it.Next()) list.Add(Convert.ToHexString(it.Key) + "=" + Convert.ToHexString(it.Value));
        return list;
    }
}
