using System.Text.Json.Nodes;
using Prover.Node.Genesis;
using Prover.Node.Storage;
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
        var genesis = NodeGenesisFile.Load(dataDir)?.ToGenesis()
            ?? throw new FileNotFoundException($"{dataDir} has no {NodeGenesisFile.FileName}: not a node data directory");
        using var kv = RocksKeyValueStore.Open(Path.Combine(dataDir, "node.db"), NodeColumns.All);
        return query(NodeStore.Open(kv), genesis);
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
