using System.Buffers.Binary;
using Prover.Core.Primitives;
using Prover.Node.Consensus.Engine;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Storage;

namespace Prover.Node.Tests.Consensus.Engine;

/// <summary>
/// Several nodes, each with one identity, its own in-memory stores and a <see cref="ConsensusEngine"/>, joined by a
/// <see cref="TestNetwork"/>. Every node stores the same ATX headers (one per identity and publish epoch, the weight
/// given per identity); that is all the engine reads of ATXs. <see cref="RunLayerAsync"/> steps every running engine
/// through a layer: epoch start on an epoch's first layer, layer start, then every hare round.
/// </summary>
public sealed class EngineWorld : IDisposable
{
    public const uint LayersPerEpoch = 4;

    public EngineWorld(ulong[] weights, uint epochs = 8, Func<ConsensusOptions, ConsensusOptions>? tune = null)
    {
        Genesis = new GenesisConfig(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "engine tests");
        var options = new ConsensusOptions
        {
            Genesis = Genesis,
            LayersPerEpoch = LayersPerEpoch,
            LayerAvgSize = 20,
            HareCommittee = 50,
            HareLeaders = 5,
            HareIterations = 2,
            Hdist = 3,
            VotingWindow = 16,
        };
        Options = tune is null ? options : tune(options);
        Weights = weights;
        for (int i = 0; i < weights.Length; i++)
        {
            var seed = new byte[32];
            seed[0] = (byte)(i + 1);
            seed[31] = 0x5a;
            var signer = EdSigner.FromSeed(seed, Genesis.GenesisId);
            var kv = new InMemoryKeyValueStore(NodeColumns.All);
            var node = new WorldNode(i, signer, kv, NodeStore.Open(kv), ConsensusStore.Open(kv), Network.Join($"node-{i}"));
            Nodes.Add(node);
        }

        // The same ATXs on every node: identity i publishes in epochs 1 .. epochs with weight weights[i].
        for (uint epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var owner in Nodes)
            {
                var header = Atx(owner, epoch);
                foreach (var node in Nodes) node.Atxs.AddAtx(header, 1, [1, 2, 3]);
            }
        }

        foreach (var node in Nodes) node.Start(Options);
    }

    public GenesisConfig Genesis { get; }

    public ConsensusOptions Options { get; }

    public ulong[] Weights { get; }

    public TestNetwork Network { get; } = new();

    public List<WorldNode> Nodes { get; } = [];

    /// <summary>The ATX of <paramref name="node"/>'s identity published in <paramref name="epoch"/>.</summary>
    public AtxHeader Atx(WorldNode node, uint epoch)
    {
        var id = new byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(id, epoch);
        node.Signer.NodeId.Span[..28].CopyTo(id.AsSpan(4));
        return new AtxHeader
        {
            Id = new AtxId(id),
            PublishEpoch = epoch,
            SmesherId = node.Signer.NodeId,
            Sequence = epoch - 1,
            PositioningAtxId = Genesis.GoldenAtx,
            NumUnits = 1,
            EffectiveNumUnits = 1,
            VrfNonce = 1000 + (ulong)node.Index,
            BaseTickHeight = epoch * 100,
            TickCount = 100,
            Weight = Weights[node.Index],
            Coinbase = node.Coinbase.ToArray(),
            Validity = AtxValidity.Valid,
            Received = Genesis.GenesisTime,
        };
    }

    /// <summary>Steps every running engine (or those given) through <paramref name="layer"/>.</summary>
    public async Task RunLayerAsync(LayerId layer, IReadOnlyList<WorldNode>? only = null)
    {
        var running = (only ?? Nodes).Where(n => n.Engine is not null).ToList();
        var epoch = layer.GetEpoch(LayersPerEpoch);
        foreach (var node in running)
        {
            if (epoch.FirstLayer(LayersPerEpoch) == layer) await node.Engine!.OnEpochStartAsync(epoch);
        }

        foreach (var node in running) await node.Engine!.OnLayerStartAsync(layer);
        int rounds = running.Count == 0 ? 0 : running[0].Engine!.HareRounds;
        for (int round = 0; round < rounds; round++)
        {
            foreach (var node in running) await node.Engine!.OnHareRoundAsync(layer, round);
        }
    }

    /// <summary>Steps layers [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public async Task RunLayersAsync(uint from, uint to, IReadOnlyList<WorldNode>? only = null)
    {
        for (uint l = from; l <= to; l++) await RunLayerAsync(new LayerId(l), only);
    }

    public void Dispose()
    {
        foreach (var node in Nodes) node.Dispose();
    }
}

/// <summary>One node of an <see cref="EngineWorld"/>.</summary>
public sealed class WorldNode(int index, EdSigner signer, InMemoryKeyValueStore kv, NodeStore atxs, ConsensusStore consensus, TestPeer peer) : IDisposable
{
    public int Index { get; } = index;

    public EdSigner Signer { get; } = signer;

    public InMemoryKeyValueStore KeyValue { get; } = kv;

    public NodeStore Atxs { get; } = atxs;

    public ConsensusStore Consensus { get; private set; } = consensus;

    public TestPeer Peer { get; } = peer;

    public ConsensusEngine? Engine { get; private set; }

    public Address Coinbase => Address.FromPublicKey(Signer.NodeId);

    public void Start(ConsensusOptions options) =>
        Engine = new ConsensusEngine(options, Atxs, Consensus, [Signer], Peer, Peer);

    /// <summary>Stops the engine (the process dies); the stores stay.</summary>
    public void Stop()
    {
        Peer.Detach();
        Engine?.Dispose();
        Engine = null;
    }

    /// <summary>A new engine over the same stores, as a restarted process (stores reopened, seen-set forgotten).</summary>
    public void Restart(ConsensusOptions options)
    {
        Stop();
        Peer.ForgetSeen();
        Consensus = ConsensusStore.Open(KeyValue);
        Start(options);
    }

    public void Dispose()
    {
        Engine?.Dispose();
        Signer.Dispose();
        KeyValue.Dispose();
    }
}
