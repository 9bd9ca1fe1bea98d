using Prover.Core.Primitives;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Consensus.Wire;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Validation;
using Xunit;

namespace Prover.Node.Tests.Consensus.Engine;

/// <summary>
/// Issue 13's double-ATX fault end to end: the liar of an <see cref="EngineWorld"/> publishes real ATXs that every node
/// checks with its own <see cref="AtxValidator"/>, then signs a second ATX for one publish epoch and shows it to one
/// node only; that node's validator stores the MultipleATXs proof, its engine gossips it, every node verifies it, and
/// the identity loses its weight while the others keep agreeing.
/// </summary>
public sealed class DoubleAtxTests(LiarAtxs liarAtxs) : IClassFixture<LiarAtxs>
{
    private const uint First = 2 * EngineWorld.LayersPerEpoch;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_smesher_that_publishes_two_real_atxs_in_one_epoch_is_proven_malicious_through_the_atx_validator_and_loses_its_weight(
        bool handProofsToEngine)
    {
        // handProofsToEngine false: the validator's proof waits in the witness's store until its engine's next layer
        // start; true: the ATX handler hands it to the engine at once, as the node host wires AtxGossip.
        ulong w = liarAtxs.Weight;
        using var world = new EngineWorld([w, 2 * w, 3 * w], gossiped: new GossipedAtxs(new HashSet<int> { 0 }, liarAtxs.Validation, liarAtxs.Ingredients.Pow)
        {
            HandProofsToEngine = handProofsToEngine,
        });
        var liar = world.Nodes[0];
        var witness = world.Nodes[1];
        var bystander = world.Nodes[2];
        Assert.Equal(liar.Signer.NodeId, liarAtxs.Ingredients.Signer.NodeId);
        var handled = new List<(TestPeer Peer, byte[] Payload, GossipVerdict Verdict)>();
        world.Network.Handled += (peer, topic, payload, verdict) =>
        {
            if (topic == Topics.Atx) handled.Add((peer, payload, verdict));
        };

        // The PoET proofs reach every node before the ATXs (as the PoET's gossip would).
        foreach (var node in world.Nodes)
        {
            foreach (var (reference, message) in liarAtxs.PoetProofs) node.Atxs.PutPoetProof(reference, message);
        }

        // Epochs 1 and 2 before the first layer run, epoch 3's ATX in its first layer: each gossiped by the liar and
        // stored as valid by every node's validator.
        world.Now = new LayerId(First);
        await PublishAsync(world, liarAtxs.Chain[0]);
        await PublishAsync(world, liarAtxs.Chain[1]);
        await world.RunLayersAsync(First, First + 4);
        var first = liarAtxs.Chain[2];
        await PublishAsync(world, first);

        // What every node has applied so far must stay as it is.
        var applied = world.Nodes.ToDictionary(n => n.Index, n => Enumerable.Range((int)First, (int)(n.Engine!.Verified.Value - First + 1))
            .Select(l => n.Consensus.GetLayer(new LayerId((uint)l))).ToList());
        Assert.All(applied.Values, layers => Assert.NotEmpty(layers));
        var paidBefore = liar.Consensus.Rewards(liar.Coinbase).Count;
        Assert.True(paidBefore > 0, "the liar's real ATXs earned nothing before the offence");

        // The second ATX of epoch 3 (same NIPoST, another coinbase), shown to the witness alone.
        var twin = liarAtxs.Twin;
        Assert.Equal(first.PublishEpoch, twin.PublishEpoch);
        Assert.NotEqual(first.ComputeId(), twin.ComputeId());
        handled.Clear();
        var verdict = await world.Network.SendAsync(liar.Peer, witness.Peer, Topics.Atx, twin.Encode());
        Assert.Equal(GossipVerdict.Ignore, verdict);
        Assert.Equal(new[] { witness.Peer }, handled.Select(h => h.Peer).ToArray()); // not relayed
        var stored = witness.Atxs.GetMalfeasanceProof(liar.Signer.NodeId);
        Assert.NotNull(stored);
        Assert.Equal(AtxMalfeasance.MultipleAtxs, stored.Domain);
        Assert.False(witness.Atxs.ContainsAtx(twin.ComputeId()));
        if (handProofsToEngine)
        {
            Assert.All(world.Nodes, node => Assert.True(node.Engine!.IsMalicious(liar.Signer.NodeId), $"{node.Peer} does not know"));
        }
        else
        {
            Assert.False(witness.Engine!.IsMalicious(liar.Signer.NodeId));
            Assert.False(bystander.Engine!.IsMalicious(liar.Signer.NodeId));
            Assert.Null(bystander.Atxs.GetMalfeasanceProof(liar.Signer.NodeId));
        }

        // The next layer: its start is where the witness's engine finds the proof its validator stored.
        var offence = new LayerId(First + 5);
        await world.RunLayerAsync(offence);
        var verifier = new EdVerifier(world.Genesis.GenesisId);
        foreach (var node in world.Nodes)
        {
            Assert.True(node.Engine!.IsMalicious(liar.Signer.NodeId), $"{node.Peer} does not know");
            var record = node.Atxs.GetMalfeasanceProof(liar.Signer.NodeId);
            Assert.NotNull(record);
            Assert.Equal(MalfeasanceProof.MultipleAtxs, record.Domain);
            Assert.Equal(stored.Proof.ToArray(), record.Proof.ToArray()); // the validator's bytes, unchanged by gossip
            Assert.Equal(MalfeasanceVerdict.Proven, MalfeasanceProofs.Verify(MalfeasanceProof.Decode(record.Proof.Span), verifier, out var guilty));
            Assert.Equal(liar.Signer.NodeId, guilty);
            Assert.True(record.Proof.Span.IndexOf(first.ComputeId().Span) >= 0, "the proof does not name the first ATX");
            Assert.True(record.Proof.Span.IndexOf(twin.ComputeId().Span) >= 0, "the proof does not name the second ATX");
        }

        // Epoch 4: the liar's next ATX is still valid and stored, but a proven identity joins no active set.
        await world.RunLayersAsync(offence.Value + 1, First + 8);
        await PublishAsync(world, liarAtxs.Chain[3]);
        uint last = offence.Value + (2 * EngineWorld.LayersPerEpoch);
        await world.RunLayersAsync(First + 9, last);

        uint verified = ConsensusEngineTests.AssertAgreement(world, First);
        Assert.True(verified >= last - 2, $"verified only up to {verified} of {last}: {ConsensusEngineTests.Summary(world)}");
        foreach (var node in world.Nodes)
        {
            Assert.DoesNotContain(node.Consensus.Rewards(liar.Coinbase), r => r.Layer >= offence);
            Assert.Contains(node.Consensus.Rewards(liar.Coinbase), r => r.Layer < offence);
            Assert.Contains(node.Consensus.Rewards(witness.Coinbase), r => r.Layer > offence);
            for (uint l = offence.Value + 1; l <= last; l++)
            {
                foreach (var id in node.Consensus.BallotIdsInLayer(new LayerId(l)))
                {
                    Assert.NotEqual(liar.Signer.NodeId, Ballot.Decode(node.Consensus.GetBallot(id)!.Blob.Span).SmesherId);
                }
            }

            // Nothing stored is lost: every ATX of the liar stays valid, the second one never got in, and the layers
            // applied before the offence are as they were.
            foreach (var atx in liarAtxs.Chain)
            {
                var header = node.Atxs.GetAtx(atx.ComputeId());
                Assert.NotNull(header);
                Assert.Equal(AtxValidity.Valid, header.Validity);
                Assert.Equal(atx.Encode(), node.Atxs.GetAtxBlob(atx.ComputeId())!.Bytes.ToArray());
            }

            Assert.False(node.Atxs.ContainsAtx(twin.ComputeId()));
            Assert.Contains(first.ComputeId(), node.Atxs.AtxIdsInEpoch(first.PublishEpoch.Value));
            var before = applied[node.Index];
            Assert.Equal(before, Enumerable.Range((int)First, before.Count).Select(l => node.Consensus.GetLayer(new LayerId((uint)l))).ToList());
        }
    }

    /// <summary>The liar gossips <paramref name="atx"/>; every node's validator accepts and stores it as valid.</summary>
    private async Task PublishAsync(EngineWorld world, ActivationTxV1 atx)
    {
        var liar = world.Nodes[0];
        Assert.Equal(GossipVerdict.Accept, await liar.Peer.PublishAsync(Topics.Atx, atx.Encode(), CancellationToken.None));
        foreach (var node in world.Nodes)
        {
            var header = node.Atxs.GetAtx(atx.ComputeId());
            Assert.True(header is not null, $"{node.Peer} did not store the ATX of epoch {atx.PublishEpoch.Value}");
            Assert.Equal(AtxValidity.Valid, header.Validity);
            Assert.Equal(liarAtxs.Weight, header.Weight);
            Assert.Equal(liar.Coinbase.ToArray(), header.Coinbase.ToArray());
        }
    }
}

/// <summary>
/// The liar's real ATXs, made once: node 0 of an <see cref="EngineWorld"/> (its key, the world's genesis) with tiny
/// PoST data (<see cref="AtxWorld"/>), a chain for publish epochs 1-4 paying to the node's coinbase, and a second ATX
/// for epoch 3 that differs from the first only in its coinbase. The chain is checked once by a validator here, which
/// also gives the weight.
/// </summary>
public sealed class LiarAtxs : IDisposable
{
    public LiarAtxs()
    {
        Ingredients = AtxWorld.For(EngineWorld.TestGenesis, EngineWorld.SignerSeed(0));
        Validation = Ingredients.Options() with { TickSize = 1 }; // weight = units × PoET leaves: hundreds, like the others
        var build = AtxWorld.NewStore();
        var coinbase = Address.FromPublicKey(Ingredients.Signer.NodeId);
        var initial = Ingredients.InitialAtx(build);
        initial.Coinbase = coinbase;
        Ingredients.Sign(initial);
        var second = Ingredients.NextAtx(build, initial);
        var third = Ingredients.NextAtx(build, second);
        Twin = ActivationTxV1.Decode(third.Encode());
        Twin.Coinbase = new Address(Enumerable.Repeat((byte)0x22, Address.Length).ToArray());
        Ingredients.Sign(Twin);
        var fourth = Ingredients.NextAtx(build, third);
        Chain = [initial, second, third, fourth];
        PoetProofs = [.. Chain.Select(a => (a.PostChallenge!.Value.Value, build.GetPoetProof(a.PostChallenge!.Value.Value)!))];

        var check = AtxWorld.NewStore();
        foreach (var (reference, message) in PoetProofs) check.PutPoetProof(reference, message);
        var validator = new AtxValidator(check, new EdVerifier(EngineWorld.TestGenesis.GenesisId), () => new EpochId(4), Validation, Ingredients.Pow);
        var weights = Chain.Select(atx =>
        {
            var verdict = validator.Validate(atx.Encode(), store: true);
            Assert.True(verdict.IsValid, verdict.Message);
            return verdict.Weight;
        }).Distinct().ToList();
        Weight = Assert.Single(weights);
        Assert.InRange(Weight, 200UL, 10_000UL);
    }

    /// <summary>The smesher's key, PoST data and PoET rounds.</summary>
    public AtxWorld Ingredients { get; }

    /// <summary>The validator options every node uses.</summary>
    public AtxValidatorOptions Validation { get; }

    /// <summary>The honest chain, publish epochs 1 to 4.</summary>
    public IReadOnlyList<ActivationTxV1> Chain { get; }

    /// <summary>The second ATX for publish epoch 3.</summary>
    public ActivationTxV1 Twin { get; }

    /// <summary>The PoET proof messages by reference.</summary>
    public IReadOnlyList<(Hash32 Reference, byte[] Message)> PoetProofs { get; }

    /// <summary>The weight of each ATX of the chain.</summary>
    public ulong Weight { get; }

    public void Dispose() => Ingredients.Dispose();
}
