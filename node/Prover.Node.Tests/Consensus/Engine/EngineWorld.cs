using System.Buffers.Binary;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Consensus.Engine;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Validation;
using Prover.Storage;

namespace Prover.Node.Tests.Consensus.Engine;

/// <summary>
/// Several nodes, each with one identity, its own in-memory stores and a <see cref="ConsensusEngine"/>, joined by a
/// <see cref="TestNetwork"/>. Every node stores the same made-up ATX headers (one per identity and publish epoch, the
/// weight given per identity); that is all the engine reads of ATXs. With <see cref="GossipedAtxs"/> the identities
/// named there get no made-up ATXs: their real, signed ATXs arrive on <see cref="Topics.Atx"/> and every node checks
/// and stores them with its own <see cref="AtxValidator"/>. <see cref="RunLayerAsync"/> steps every running engine
/// through a layer: epoch start on an epoch's first layer, layer start, then every hare round.
/// </summary>
public sealed class EngineWorld : IDisposable
{
    public const uint LayersPerEpoch = 4;

    public EngineWorld(ulong[] weights, uint epochs = 8, Func<ConsensusOptions, ConsensusOptions>? tune = null, GossipedAtxs? gossiped = null)
    {
        Genesis = TestGenesis;
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
            var signer = EdSigner.FromSeed(SignerSeed(i), Genesis.GenesisId);
            var kv = new InMemoryKeyValueStore(NodeColumns.All);
            var node = new WorldNode(i, signer, kv, NodeStore.Open(kv), ConsensusStore.Open(kv), Network.Join($"node-{i}"));
            if (gossiped is not null)
            {
                node.ValidateAtxs(new AtxValidator(node.Atxs, new EdVerifier(Genesis.GenesisId), () => Now.GetEpoch(LayersPerEpoch),
                    gossiped.Validation, gossiped.Pow), gossiped.HandProofsToEngine);
            }

            Nodes.Add(node);
        }

        // The same ATXs on every node: identity i publishes in epochs 1 .. epochs with weight weights[i].
        for (uint epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var owner in Nodes)
            {
                if (gossiped is not null && gossiped.Identities.Contains(owner.Index)) continue;
                var header = Atx(owner, epoch);
                foreach (var node in Nodes) node.Atxs.AddAtx(header, 1, [1, 2, 3]);
            }
        }

        foreach (var node in Nodes) node.Start(Options);
    }

    /// <summary>The network every world runs on.</summary>
    public static GenesisConfig TestGenesis { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "engine tests");

    /// <summary>The ed25519 seed of node <paramref name="index"/>'s identity.</summary>
    public static byte[] SignerSeed(int index)
    {
        var seed = new byte[32];
        seed[0] = (byte)(index + 1);
        seed[31] = 0x5a;
        return seed;
    }

    public GenesisConfig Genesis { get; }

    public ConsensusOptions Options { get; }

    public ulong[] Weights { get; }

    public TestNetwork Network { get; } = new();

    public List<WorldNode> Nodes { get; } = [];

    /// <summary>The newest layer stepped (or set): the clock the ATX validators read the current epoch from.</summary>
    public LayerId Now { get; set; }

    /// <summary>The made-up ATX of <paramref name="node"/>'s identity published in <paramref name="epoch"/>.</summary>
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
        if (layer > Now) Now = layer;
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

    /// <summary>The node's ATX validator when the world gossips real ATXs; null otherwise.</summary>
    public AtxValidator? Validator { get; private set; }

    private bool _handProofsToEngine;

    /// <summary>Has the node check ATXs of <see cref="Topics.Atx"/> with <paramref name="validator"/> from its next start.</summary>
    public void ValidateAtxs(AtxValidator validator, bool handProofsToEngine)
    {
        Validator = validator;
        _handProofsToEngine = handProofsToEngine;
    }

    public void Start(ConsensusOptions options)
    {
        Engine = new ConsensusEngine(options, Atxs, Consensus, [Signer], Peer, Peer);
        if (Validator is not null) Peer.Subscribe(Topics.Atx, HandleAtxAsync);
    }

    /// <summary>
    /// The ATX topic handler, as the node host's AtxGossip handles a gossiped ATX but without fetching what is missing
    /// (the test gives every node the PoET proofs and publishes ATXs in order): the validator checks the ATX and stores
    /// it when valid (accepted and relayed); a second ATX of one identity for one epoch makes the validator store a
    /// malfeasance proof instead (ignored, not relayed), which is handed to the engine at once when the world says so
    /// (the host's wiring) and otherwise left in the store for the engine to find when its next layer starts.
    /// </summary>
    private async ValueTask<GossipVerdict> HandleAtxAsync(PeerId? sender, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!ActivationTxV1.TryDecode(payload.Span, out var atx, out _)) return GossipVerdict.Reject;
        if (Atxs.ContainsAtx(atx!.ComputeId())) return sender is null ? GossipVerdict.Accept : GossipVerdict.Ignore;
        var verdict = await Validator!.ValidateAsync(payload, ct).ConfigureAwait(false);
        if (verdict.IsValid) return GossipVerdict.Accept;
        if (verdict.MalfeasanceProof is { } proof && _handProofsToEngine && Engine is { } engine)
        {
            await engine.PublishMalfeasanceAsync(proof, ct).ConfigureAwait(false);
        }

        return verdict.Reason is AtxRejection.AlreadyKnown or AtxRejection.DoublePublish or AtxRejection.PrevAtxReused
            ? GossipVerdict.Ignore
            : GossipVerdict.Reject;
    }

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

/// <summary>
/// Which identities of an <see cref="EngineWorld"/> publish real ATXs (signed, with PoST and PoET proofs) instead of
/// made-up headers, and how every node validates them.
/// </summary>
/// <param name="Identities">The node indices whose ATXs are gossiped; the test publishes them.</param>
/// <param name="Validation">The network parameters of each node's <see cref="AtxValidator"/>.</param>
/// <param name="Pow">The k2pow check.</param>
public sealed record GossipedAtxs(IReadOnlySet<int> Identities, AtxValidatorOptions Validation, IK2PowVerifier Pow)
{
    /// <summary>
    /// Whether a node hands the malfeasance proof its validator produced to its engine at once (as the node host wires
    /// AtxGossip.OnMalfeasance to <see cref="ConsensusEngine.PublishMalfeasanceAsync"/>); otherwise the proof stays in
    /// the store until the engine's next layer start collects it.
    /// </summary>
    public bool HandProofsToEngine { get; init; }
}
