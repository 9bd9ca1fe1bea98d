using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Node.Atx;
using Prover.Node.Genesis;
using Prover.Node.Poet;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Node.Validation;
using Prover.Storage;
using Prover.Verifier;

namespace Prover.Node.Tests.Validation;

/// <summary>
/// Real ingredients for ATX validation tests, made once per test class: a genesis, a smesher's ed25519 key, tiny PoST
/// data (2 units × 128 labels, scrypt N = 16) initialized by Prover.Core's <see cref="Initializer"/> with the reference
/// provider, RandomX light mode for the k2pow, and PoET rounds run with the in-process PoET's pieces
/// (<see cref="MembershipTree"/> over the registered challenges, <see cref="PoswProver"/> for the sequential work).
/// ATXs are built and signed as a smesher would; each test gets a fresh in-memory <see cref="NodeStore"/>.
/// </summary>
public sealed class AtxWorld : IDisposable
{
    public const uint NumUnits = 2, K1 = 20, K2 = 8, LayersPerEpoch = 4;
    public const ulong LabelsPerUnit = 128, ScryptN = 16, TickSize = 100, PoetLeaves = 256;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "atx-world-" + Guid.NewGuid().ToString("N"));

    public AtxWorld()
        : this(new GenesisConfig(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "validation tests"),
            [.. Enumerable.Range(1, 32).Select(i => (byte)i)])
    {
    }

    private AtxWorld(GenesisConfig genesis, byte[] signerSeed)
    {
        Genesis = genesis;
        Signer = EdSigner.FromSeed(signerSeed, Genesis.GenesisId);
        DataDir = Path.Combine(_root, "post");
        using (var provider = new ReferenceLabelProvider(1))
        {
            new Initializer([provider]).Run(new InitOptions
            {
                DataDir = DataDir,
                NodeId = Signer.NodeId,
                CommitmentAtxId = Genesis.GoldenAtx,
                NumUnits = NumUnits,
                LabelsPerUnit = LabelsPerUnit,
                MaxFileSize = 64 * 16,
                ScryptN = ScryptN,
            });
        }

        RandomX = RandomXContext.Create(RandomXMode.Light);
        Pow = new K2Pow(RandomX, threads: 1);
        var commitment = Labels.Commitment(Signer.NodeId, Genesis.GoldenAtx).ToArray();
        ulong labels = NumUnits * LabelsPerUnit;
        VrfNonce = Enumerable.Range(0, (int)labels).Select(i => (ulong)i)
            .First(n => ProofVerifier.VerifyVrfNonce(commitment, n, labels, ScryptN));
        BadVrfNonce = Enumerable.Range(0, (int)labels).Select(i => (ulong)i)
            .First(n => !ProofVerifier.VerifyVrfNonce(commitment, n, labels, ScryptN));
        InitialPost = Prove(new byte[32]);
    }

    /// <summary>The same ingredients for another network and smesher (e.g. an identity of another test harness).</summary>
    public static AtxWorld For(GenesisConfig genesis, byte[] signerSeed) => new(genesis, signerSeed);

    public GenesisConfig Genesis { get; }

    public EdSigner Signer { get; }

    public string DataDir { get; }

    public RandomXContext RandomX { get; }

    public K2Pow Pow { get; }

    public ulong VrfNonce { get; }

    public ulong BadVrfNonce { get; }

    /// <summary>The PoST over the zero challenge (the initial post).</summary>
    public PostV1 InitialPost { get; }

    /// <summary>Per-unit k2pow difficulty 0x3fff…: a forged pow fails about 7 times in 8 for 2 units.</summary>
    public static byte[] PowDifficulty { get; } = [0x3f, .. Enumerable.Repeat((byte)0xff, 31)];

    public static ProofConfig ProofConfig(uint k3 = K2) => new(K1, K2, k3, PowDifficulty);

    public AtxValidatorOptions Options(uint k3 = K2) => new()
    {
        GoldenAtx = Genesis.GoldenAtx,
        ProofConfig = ProofConfig(k3),
        InitConfig = new InitConfig(1, 16, LabelsPerUnit, ScryptN),
        LayersPerEpoch = LayersPerEpoch,
        TickSize = TickSize,
        PostSubsetSeed = [7, 7, 7],
    };

    public static NodeStore NewStore() => NodeStore.Open(new InMemoryKeyValueStore(NodeColumns.All));

    public AtxValidator Validator(NodeStore store, uint currentEpoch = 2, uint k3 = K2, bool checkPost = true) =>
        new(store, new EdVerifier(Genesis.GenesisId), () => new EpochId(currentEpoch), Options(k3), Pow) { CheckPost = checkPost };

    /// <summary>A real PoST over <paramref name="challenge"/> of the tiny data.</summary>
    public PostV1 Prove(byte[] challenge)
    {
        var prover = new PostProver(new ReferenceProvingScannerFactory(), Pow);
        var result = prover.GenerateProofAsync(DataDir, new Challenge(challenge), ProofConfig(), new ProvingOptions { Nonces = 16, Threads = 1 })
            .GetAwaiter().GetResult();
        return new PostV1 { Nonce = result.Proof.Nonce, Indices = result.Proof.Indices, Pow = result.Proof.Pow };
    }

    /// <summary>
    /// Runs a PoET round over <paramref name="challenge"/> and a few other members; returns the stored proof message,
    /// its reference (the PoST challenge) and the membership proof of <paramref name="challenge"/>.
    /// </summary>
    public PoetRound RunPoet(Hash32 challenge, string roundId)
    {
        var members = new List<Hash32>();
        for (byte i = 0; i < 4; i++)
        {
            members.Add(new Hash32(Enumerable.Repeat((byte)(0xa0 + i + roundId.Length), 32).ToArray()));
        }

        members.Insert(2, challenge);
        var statement = MembershipTree.Root(members);
        using var posw = PoswProver.Create(Path.Combine(_root, "poet-" + roundId), statement);
        posw.Run(count => count >= PoetLeaves);
        var proof = posw.GenerateProof();
        var message = proof.EncodeMessage([9, 9, 9], roundId, statement, new byte[64]);
        return new PoetRound(proof.Ref(), message, new MerkleProofV1 { Nodes = [.. MembershipTree.Prove(members, 2)], LeafIndex = 2 });
    }

    /// <summary>The initial ATX (publish epoch 1, golden positioning and commitment) with its PoET round stored.</summary>
    public ActivationTxV1 InitialAtx(NodeStore store, uint numUnits = NumUnits, ulong? vrfNonce = null, byte coinbase = 1)
    {
        var atx = new ActivationTxV1
        {
            NIPostChallenge = new NIPostChallengeV1
            {
                PublishEpoch = new EpochId(1),
                Sequence = 0,
                PrevAtxId = AtxId.Zero,
                PositioningAtxId = Genesis.GoldenAtx,
                CommitmentAtxId = Genesis.GoldenAtx,
                InitialPost = InitialPost.Clone(),
            },
            Coinbase = new Address(Enumerable.Repeat(coinbase, Address.Length).ToArray()),
            NumUnits = numUnits,
            NodeId = Signer.NodeId,
            VrfNonce = vrfNonce ?? VrfNonce,
        };
        AttachNipost(store, atx, "1");
        return Sign(atx);
    }

    /// <summary>A subsequent ATX after <paramref name="prev"/> (publish epoch prev + 1, positioned on prev).</summary>
    public ActivationTxV1 NextAtx(NodeStore store, ActivationTxV1 prev, Action<ActivationTxV1>? edit = null)
    {
        var atx = new ActivationTxV1
        {
            NIPostChallenge = new NIPostChallengeV1
            {
                PublishEpoch = new EpochId(prev.PublishEpoch.Value + 1),
                Sequence = prev.Sequence + 1,
                PrevAtxId = prev.ComputeId(),
                PositioningAtxId = prev.ComputeId(),
            },
            Coinbase = prev.Coinbase,
            NumUnits = NumUnits,
        };
        edit?.Invoke(atx);
        AttachNipost(store, atx, (prev.PublishEpoch.Value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Sign(atx);
    }

    /// <summary>Signs <paramref name="atx"/> (again) with the smesher's key.</summary>
    public ActivationTxV1 Sign(ActivationTxV1 atx)
    {
        var message = atx.PrepareForSigning(Signer.NodeId);
        atx.Signature = new EdSignature(Signer.Sign(SignatureDomain.Atx, message));
        return atx;
    }

    private void AttachNipost(NodeStore store, ActivationTxV1 atx, string roundId)
    {
        if (atx.IsInitial)
        {
            atx.NodeId = Signer.NodeId;
        }

        var round = RunPoet(atx.PoetChallengeHash(), roundId);
        store.PutPoetProof(round.Reference, round.Message);
        atx.NIPost = new NIPostV1
        {
            Membership = round.Membership,
            Post = Prove(round.Reference.ToArray()),
            PostMetadata = new PostMetadataV1 { Challenge = round.Reference.ToArray(), LabelsPerUnit = LabelsPerUnit },
        };
    }

    public void Dispose()
    {
        RandomX.Dispose();
        Signer.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A PoET round's outcome for one member.</summary>
public sealed record PoetRound(Hash32 Reference, byte[] Message, MerkleProofV1 Membership);
