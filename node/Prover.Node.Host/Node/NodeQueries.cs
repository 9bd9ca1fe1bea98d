using System.Text.Json.Nodes;
using Prover.Node.Genesis;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage.Rocks;

namespace Prover.Node.Host.Node;

/// <summary>Read-side queries of a node's data directory, shared by the operator API and <c>post node</c>.</summary>
public static class NodeQueries
{
    /// <summary>The file in the data directory that holds the running node's operator API address.</summary>
    public const string ApiAddressFile = "api.url";

    /// <summary>
    /// The stored ATXs (all epochs, or <paramref name="epoch"/>) as a JSON array of objects with id, publish_epoch,
    /// smesher_id, genesis_id, sequence, prev_id, weight, tick_height, valid and hex (the wire blob).
    /// </summary>
    public static JsonArray AtxsJson(NodeStore store, GenesisId genesisId, uint? epoch)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new JsonArray();
        uint first = epoch ?? 0, last = epoch ?? LastEpoch(store);
        for (var e = first; e <= last; e++)
        {
            foreach (var id in store.AtxIdsInEpoch(e))
            {
                var h = store.GetAtx(id)!;
                var blob = store.GetAtxBlob(id);
                list.Add(new JsonObject
                {
                    ["id"] = id.ToString(),
                    ["publish_epoch"] = h.PublishEpoch,
                    ["smesher_id"] = h.SmesherId.ToString(),
                    ["genesis_id"] = genesisId.ToString(),
                    ["sequence"] = h.Sequence,
                    ["prev_id"] = h.PreviousAtxId?.ToString(),
                    ["weight"] = h.Weight,
                    ["tick_height"] = h.TickHeight,
                    ["valid"] = h.Validity switch { AtxValidity.Valid => true, AtxValidity.Invalid => false, _ => null },
                    ["hex"] = blob is null ? null : Convert.ToHexStringLower(blob.Bytes.Span),
                });
            }

            if (e == uint.MaxValue)
            {
                break;
            }
        }

        return list;
    }

    /// <summary>Opens the data directory's database (the node must not be running), runs <paramref name="query"/>, closes it.</summary>
    public static T WithStore<T>(string dataDir, Func<NodeStore, GenesisConfig, T> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return WithStores(dataDir, (store, _, genesis) => query(store, genesis));
    }

    /// <summary>Opens the data directory's database with its consensus records (the node must not be running), runs
    /// <paramref name="query"/>, closes it.</summary>
    public static T WithStores<T>(string dataDir, Func<NodeStore, ConsensusStore, GenesisConfig, T> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var genesis = NodeGenesisFile.Load(dataDir)?.ToGenesis()
            ?? throw new FileNotFoundException($"{dataDir} has no {NodeGenesisFile.FileName}: not a node data directory");
        using var kv = RocksKeyValueStore.Open(Path.Combine(dataDir, "node.db"), NodeColumns.All);
        return query(NodeStore.Open(kv), ConsensusStore.Open(kv), genesis);
    }

    /// <summary>
    /// The applied layers in [<paramref name="from"/>, <paramref name="to"/>] (default: all) as a JSON array of objects
    /// with layer, block_id (hex; all zeros for an empty layer), valid and state_hash (hex).
    /// </summary>
    public static JsonArray LayersJson(ConsensusStore store, uint? from, uint? to)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new JsonArray();
        foreach (var l in store.Layers(new LayerId(from ?? 0), new LayerId(to ?? uint.MaxValue)))
        {
            list.Add(new JsonObject
            {
                ["layer"] = l.Layer.Value,
                ["block_id"] = l.Block.ToString(),
                ["valid"] = l.Valid,
                ["state_hash"] = l.StateHash.ToString(),
            });
        }

        return list;
    }

    /// <summary>
    /// The rewards paid to <paramref name="coinbase"/> in layers [<paramref name="from"/>, <paramref name="to"/>]
    /// (default: all), by layer then ATX id, as a JSON array of objects with layer, atx_id (hex) and amount.
    /// </summary>
    public static JsonArray RewardsJson(ConsensusStore store, Address coinbase, uint? from, uint? to)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new JsonArray();
        foreach (var r in store.Rewards(coinbase))
        {
            if (r.Layer.Value >= (from ?? 0) && r.Layer.Value <= (to ?? uint.MaxValue))
            {
                list.Add(new JsonObject { ["layer"] = r.Layer.Value, ["atx_id"] = r.AtxId.ToString(), ["amount"] = r.Amount });
            }
        }

        return list;
    }

    /// <summary>Parses a coinbase (48 hex digits, optionally 0x-prefixed); null when it is not one.</summary>
    public static Address? TryParseAddress(string text)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The balance of <paramref name="coinbase"/> and the rewards it received, as a JSON object with address,
    /// balance and rewards (the count).</summary>
    public static JsonObject BalanceJson(ConsensusStore store, Address coinbase)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new JsonObject
        {
            ["address"] = coinbase.ToString(),
            ["balance"] = store.Balance(coinbase),
            ["rewards"] = store.Rewards(coinbase).Count,
        };
    }

    private static uint LastEpoch(NodeStore store)
    {
        // The epochs with ATXs are dense from the first published one; stop after a run of empty epochs.
        uint last = 0, empty = 0;
        for (uint e = 0; empty < 64; e++)
        {
            if (store.AtxIdsInEpoch(e).Count > 0)
            {
                last = e;
                empty = 0;
            }
            else
            {
                empty++;
            }
        }

        return last;
    }
}
