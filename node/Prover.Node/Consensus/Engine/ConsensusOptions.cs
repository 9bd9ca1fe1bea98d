using Prover.Node.Genesis;
using Prover.Node.Types;

namespace Prover.Node.Consensus.Engine;

/// <summary>
/// The network parameters a <see cref="ConsensusEngine"/> runs with. Every node of a network must use the same values
/// (they decide eligibility, hare committees and block contents). The defaults suit a small devnet.
/// </summary>
public sealed record ConsensusOptions
{
    /// <summary>The network's genesis (its GenesisID prefixes every signature; the first beacon is derived from it).</summary>
    public required GenesisConfig Genesis { get; init; }

    /// <summary>Layers per epoch.</summary>
    public required uint LayersPerEpoch { get; init; }

    /// <summary>Expected ballots per layer over all smeshers (go-spacemesh <c>LayerAvgSize</c>, 50 on mainnet).</summary>
    public uint LayerAvgSize { get; init; } = 50;

    /// <summary>The floor of the total weight in the slot formula (go-spacemesh <c>MinimalActiveSetWeight</c>).</summary>
    public ulong MinimalActiveSetWeight { get; init; } = 1;

    /// <summary>Hare committee size (expected eligibilities per round except propose).</summary>
    public uint HareCommittee { get; init; } = 50;

    /// <summary>Hare leaders (expected eligibilities of the propose round).</summary>
    public uint HareLeaders { get; init; } = 5;

    /// <summary>Hare iterations before the protocol gives up on a layer (its output is then empty).</summary>
    public byte HareIterations { get; init; } = 4;

    /// <summary>How many layers back hare output is the local opinion (tortoise Hdist).</summary>
    public uint Hdist { get; init; } = 10;

    /// <summary>How many earlier layers a ballot votes on, and the tortoise's counting window.</summary>
    public uint VotingWindow { get; init; } = 64;

    /// <summary>The first layer with ballots: the first layer of epoch 2, the first epoch with ATXs.</summary>
    public LayerId FirstLayer => new(checked(2 * LayersPerEpoch));

    /// <summary>Throws when a value cannot work.</summary>
    /// <exception cref="ArgumentException">A parameter is out of range.</exception>
    public void Validate()
    {
        if (LayersPerEpoch == 0) throw new ArgumentException("LayersPerEpoch must be positive", nameof(LayersPerEpoch));
        if (LayerAvgSize == 0) throw new ArgumentException("LayerAvgSize must be positive", nameof(LayerAvgSize));
        if (HareCommittee == 0 || HareLeaders == 0) throw new ArgumentException("hare committee and leaders must be positive", nameof(HareCommittee));
        if (HareIterations == 0) throw new ArgumentException("HareIterations must be positive", nameof(HareIterations));
        if (VotingWindow == 0) throw new ArgumentException("VotingWindow must be positive", nameof(VotingWindow));
    }
}
