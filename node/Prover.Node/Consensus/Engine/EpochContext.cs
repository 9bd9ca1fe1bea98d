using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Storage;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// What the engine fixes for one epoch when it first needs it: the beacon, the active set (the valid ATXs published in
/// the previous epoch whose smesher had no malfeasance proof at that moment), its total weight and hash, and each
/// smesher's slot count. It is not changed later: a smesher proven malicious during the epoch keeps its place in the
/// total (so every node keeps counting slots alike) but loses its weight in tortoise and hare.
/// </summary>
internal sealed class EpochContext
{
    private readonly Dictionary<NodeId, AtxHeader> _bySmesher = [];
    private readonly Dictionary<AtxId, AtxHeader> _byAtx = [];

    private EpochContext(EpochId epoch, Beacon beacon)
    {
        Epoch = epoch;
        Beacon = beacon;
    }

    public EpochId Epoch { get; }

    public Beacon Beacon { get; }

    public ulong TotalWeight { get; private set; }

    public Hash32 ActiveSetHash { get; private set; }

    public IReadOnlyCollection<AtxHeader> ActiveSet => _byAtx.Values;

    /// <summary>Builds the context of <paramref name="epoch"/> from the ATXs stored now.</summary>
    public static EpochContext Build(EpochId epoch, Beacon beacon, NodeStore store)
    {
        var context = new EpochContext(epoch, beacon);
        if (epoch.Value == 0) return context;
        var ids = store.AtxIdsInEpoch(epoch.Value - 1);
        var seen = new HashSet<NodeId>();
        var doubled = new HashSet<NodeId>();
        var headers = new List<AtxHeader>();
        foreach (var id in ids)
        {
            if (store.GetAtx(id) is not { } header || header.Validity == AtxValidity.Invalid) continue;
            if (!seen.Add(header.SmesherId)) doubled.Add(header.SmesherId);
            headers.Add(header);
        }

        foreach (var header in headers)
        {
            if (doubled.Contains(header.SmesherId) || store.IsMalicious(header.SmesherId)) continue;
            context._bySmesher[header.SmesherId] = header;
            context._byAtx[header.Id] = header;
            context.TotalWeight = checked(context.TotalWeight + header.Weight);
        }

        context.ActiveSetHash = HashIds([.. context._byAtx.Keys]);
        return context;
    }

    /// <summary>The smesher's ATX in the active set, or null.</summary>
    public AtxHeader? AtxOf(NodeId smesher) => _bySmesher.GetValueOrDefault(smesher);

    /// <summary>The active-set ATX with this id, or null.</summary>
    public AtxHeader? Atx(AtxId id) => _byAtx.GetValueOrDefault(id);

    /// <summary>The smesher's ballot slots in this epoch (0 when it is not in the active set).</summary>
    public uint SlotsOf(NodeId smesher, ConsensusOptions options) =>
        _bySmesher.TryGetValue(smesher, out var atx)
            ? Eligibility.BallotEligibility.NumEligibleSlots(atx.Weight, options.MinimalActiveSetWeight, TotalWeight, options.LayerAvgSize, options.LayersPerEpoch)
            : 0;

    /// <summary>The beacon in the eligibility helpers' type.</summary>
    public Wire.Beacon EligibilityBeacon => new(Beacon.ToArray());

    /// <summary>go-spacemesh <c>ATXIDList.Hash</c>: blake3 over the ids in ascending order.</summary>
    private static Hash32 HashIds(List<AtxId> ids)
    {
        ids.Sort((a, b) => a.Span.SequenceCompareTo(b.Span));
        using var hasher = Core.Crypto.Blake3.CreateHasher();
        foreach (var id in ids) hasher.Update(id.Span);
        Span<byte> hash = stackalloc byte[32];
        hasher.Finalize(hash);
        return new Hash32(hash);
    }
}
