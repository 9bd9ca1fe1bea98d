using System.Diagnostics;
using System.Globalization;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Node.Atx;
using Prover.Node.Host.Node;
using Prover.Node.Host.Transport;
using Prover.Node.Poet;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Validation;
using Prover.Verifier;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>What the syncing node does with each fetched ATX blob.</summary>
internal enum AtxSyncMode
{
    /// <summary>Nothing: ids, blobs and the PoET proof are fetched, the blob is only counted (nothing stored).</summary>
    Fetch,

    /// <summary>The node's handler (<see cref="AtxGossip"/>) with the validator's PoST and VRF-nonce checks off (what is
    /// left: decode, signature, syntax, dependencies, the PoET proof once and each membership, weight, store); the ATX is
    /// stored with validity Unknown.</summary>
    NoPost,

    /// <summary>The node's handler with full validation (both PoSTs of an initial ATX, RandomX light k2pow, VRF nonce);
    /// the ATX is stored as Valid.</summary>
    Full,
}

/// <summary>One timed sync of an epoch: what <see cref="AtxSync"/> reported, how long it took, and the CPU time the
/// process (both nodes) spent meanwhile, a figure that a loaded machine disturbs far less than the wall clock.</summary>
internal sealed record AtxSyncTiming(AtxSyncMode Mode, int Count, TimeSpan Elapsed, TimeSpan Cpu, AtxSyncReport Report)
{
    public double AtxsPerSecond => Count / Elapsed.TotalSeconds;

    public double MsPerAtx => Elapsed.TotalMilliseconds / Count;

    public double CpuMsPerAtx => Cpu.TotalMilliseconds / Count;
}

/// <summary>
/// The ATXs of N smeshers, held by node A. Publish epoch 1: N initial ATXs of N distinct identities, each with its own
/// tiny PoST data (the <see cref="AtxWorld"/> shape: 2 units × 128 labels, scrypt N = 16), a real initial PoST and
/// NIPost PoST (RandomX light k2pow), a real signature, and all registered in one real PoET round (one PoET proof, N
/// membership proofs), as on a network where the smeshers share a PoET server. Optionally publish epoch 2 as well: each
/// smesher's next ATX (previous and positioning ATX its epoch-1 ATX, one NIPost PoST, no initial PoST), in a second
/// PoET round. A validated every ATX in full before storing it. The last epoch built is the one a bench times.
/// </summary>
internal sealed class AtxEpoch : IDisposable
{
    private readonly List<EdSigner> _signers = [];
    private readonly List<string> _dataDirs = [];

    private AtxEpoch(string root, NodeStore store)
    {
        Root = root;
        Store = store;
    }

    /// <summary>A's store.</summary>
    public NodeStore Store { get; }

    /// <summary>The epoch a bench times: 1 (initial ATXs) or 2 (next ATXs).</summary>
    public uint PublishEpoch { get; private set; }

    /// <summary>The ids of <see cref="PublishEpoch"/>'s ATXs, in the order they were built.</summary>
    public List<AtxId> Ids { get; } = [];

    /// <summary>The ids of the epoch before, when <see cref="PublishEpoch"/> is 2 (a syncing node holds them already).</summary>
    public List<AtxId> EarlierIds { get; } = [];

    /// <summary>The reference of the one PoET proof every ATX of <see cref="PublishEpoch"/> names.</summary>
    public Hash32 PoetReference { get; private set; }

    private string Root { get; }

    /// <summary>Builds and validates epoch 1 and, when <paramref name="epochs"/> is 2, epoch 2 (slow: a few PoST proofs
    /// with RandomX light k2pow per identity and epoch).</summary>
    public static async Task<AtxEpoch> BuildAsync(AtxWorld world, int count, CancellationToken ct, int epochs = 1)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epochs, 2);
        var epoch = new AtxEpoch(Path.Combine(Path.GetTempPath(), "atx-epoch-" + Guid.NewGuid().ToString("N")), AtxWorld.NewStore());
        try
        {
            var initial = await epoch.InitialAtxsAsync(world, count, ct);
            if (epochs == 2)
            {
                epoch.EarlierIds.AddRange(epoch.Ids);
                epoch.Ids.Clear();
                await epoch.NextAtxsAsync(world, initial, ct);
            }

            return epoch;
        }
        catch
        {
            epoch.Dispose();
            throw;
        }
    }

    private async Task<ActivationTxV1[]> InitialAtxsAsync(AtxWorld world, int count, CancellationToken ct)
    {
        // Each identity: its key, its PoST data, a VRF nonce, the initial PoST; then the ATX up to its NIPost.
        var atxs = new ActivationTxV1[count];
        for (int i = 0; i < count; i++)
        {
            byte[] seed = new byte[32];
            BitConverter.TryWriteBytes(seed, i + 1);
            seed[31] = 0xa7;
            _signers.Add(EdSigner.FromSeed(seed, world.Genesis.GenesisId));
            _dataDirs.Add(Path.Combine(Root, "post-" + i.ToString(CultureInfo.InvariantCulture)));
        }

        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            (i, token) =>
            {
                var signer = _signers[i];
                using (var provider = new ReferenceLabelProvider(1))
                {
                    new Initializer([provider]).Run(new InitOptions
                    {
                        DataDir = _dataDirs[i],
                        NodeId = signer.NodeId,
                        CommitmentAtxId = world.Genesis.GoldenAtx,
                        NumUnits = AtxWorld.NumUnits,
                        LabelsPerUnit = AtxWorld.LabelsPerUnit,
                        MaxFileSize = 64 * 16,
                        ScryptN = AtxWorld.ScryptN,
                    }, cancellationToken: token);
                }

                var commitment = Labels.Commitment(signer.NodeId, world.Genesis.GoldenAtx).ToArray();
                ulong labels = AtxWorld.NumUnits * AtxWorld.LabelsPerUnit;
                ulong vrfNonce = 0;
                while (!ProofVerifier.VerifyVrfNonce(commitment, vrfNonce, labels, AtxWorld.ScryptN)) vrfNonce++;
                atxs[i] = new ActivationTxV1
                {
                    NIPostChallenge = new NIPostChallengeV1
                    {
                        PublishEpoch = new EpochId(1),
                        Sequence = 0,
                        PrevAtxId = AtxId.Zero,
                        PositioningAtxId = world.Genesis.GoldenAtx,
                        CommitmentAtxId = world.Genesis.GoldenAtx,
                        InitialPost = Prove(world, _dataDirs[i], new byte[32]),
                    },
                    Coinbase = new Address(Enumerable.Repeat((byte)(i + 1), Address.Length).ToArray()),
                    NumUnits = AtxWorld.NumUnits,
                    NodeId = signer.NodeId,
                    VrfNonce = vrfNonce,
                };
                return ValueTask.CompletedTask;
            });

        await CompleteAsync(world, atxs, 1, ct);
        return atxs;
    }

    private async Task NextAtxsAsync(AtxWorld world, ActivationTxV1[] previous, CancellationToken ct)
    {
        var atxs = previous.Select(prev => new ActivationTxV1
        {
            NIPostChallenge = new NIPostChallengeV1
            {
                PublishEpoch = new EpochId(prev.PublishEpoch.Value + 1),
                Sequence = prev.Sequence + 1,
                PrevAtxId = prev.ComputeId(),
                PositioningAtxId = prev.ComputeId(),
            },
            Coinbase = prev.Coinbase,
            NumUnits = prev.NumUnits,
        }).ToArray();
        await CompleteAsync(world, atxs, previous[0].PublishEpoch.Value + 1, ct);
    }

    /// <summary>Runs one PoET round over every ATX's challenge, adds each ATX's NIPost and signature, then validates
    /// and stores them on A.</summary>
    private async Task CompleteAsync(AtxWorld world, ActivationTxV1[] atxs, uint publishEpoch, CancellationToken ct)
    {
        int count = atxs.Length;
        var members = atxs.Select(atx => atx.PoetChallengeHash()).ToList();
        var statement = MembershipTree.Root(members);
        PoetProof proof;
        using (var posw = PoswProver.Create(Path.Combine(Root, "poet-" + publishEpoch.ToString(CultureInfo.InvariantCulture)), statement))
        {
            posw.Run(leaves => leaves >= AtxWorld.PoetLeaves, cancellationToken: ct);
            proof = posw.GenerateProof();
        }

        PoetReference = proof.Ref();
        Store.PutPoetProof(PoetReference, proof.EncodeMessage([9, 9, 9], publishEpoch.ToString(CultureInfo.InvariantCulture), statement, new byte[64]));

        // Each identity's NIPost over the round's reference, its signature, then A's full validation.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            (i, _) =>
            {
                atxs[i].NIPost = new NIPostV1
                {
                    Membership = new MerkleProofV1 { Nodes = [.. MembershipTree.Prove(members, (ulong)i)], LeafIndex = (ulong)i },
                    Post = Prove(world, _dataDirs[i], PoetReference.ToArray()),
                    PostMetadata = new PostMetadataV1 { Challenge = PoetReference.ToArray(), LabelsPerUnit = AtxWorld.LabelsPerUnit },
                };
                var message = atxs[i].PrepareForSigning(_signers[i].NodeId);
                atxs[i].Signature = new EdSignature(_signers[i].Sign(SignatureDomain.Atx, message));
                return ValueTask.CompletedTask;
            });

        PublishEpoch = publishEpoch;
        var validator = world.Validator(Store, currentEpoch: publishEpoch);
        foreach (var atx in atxs)
        {
            var verdict = await validator.ValidateAsync(atx.Encode(), ct);
            if (!verdict.IsValid) throw new InvalidOperationException($"a built ATX is not valid: {verdict.Reason} {verdict.Message}");
            Ids.Add(atx.ComputeId());
        }
    }

    private static PostV1 Prove(AtxWorld world, string dataDir, byte[] challenge)
    {
        var prover = new PostProver(new ReferenceProvingScannerFactory(), world.Pow);
        var result = prover.GenerateProofAsync(dataDir, new Challenge(challenge), AtxWorld.ProofConfig(), new ProvingOptions { Nonces = 16, Threads = 1 })
            .GetAwaiter().GetResult();
        return new PostV1 { Nonce = result.Proof.Nonce, Indices = result.Proof.Indices, Pow = result.Proof.Pow };
    }

    public void Dispose()
    {
        foreach (var signer in _signers) signer.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// Time to sync an epoch of N ATXs, as a console helper of the test assembly (<c>atx-sync N [--next]
/// [fetch|no-post|full]…</c>, all three modes by default; <c>--next</c> times epoch 2 of non-initial ATXs, which B
/// holds the epoch-1 ATXs for): node A holds an <see cref="AtxEpoch"/> (built and validated first, not timed) and
/// serves it through its <see cref="AtxSync"/>; for each mode a fresh, empty node B dials A over a real
/// <see cref="PeerNetwork"/> on 127.0.0.1 (after one untimed warm-up sync in the fetch and no-PoST modes) and runs one
/// <see cref="AtxSync.SyncAsync"/>: the epoch's ids, each blob by hash, the PoET proof once, and per blob the mode's
/// handler (<see cref="AtxSyncMode"/>; the node's own <see cref="AtxGossip"/> over <see cref="AtxValidator"/> for the
/// validating modes). The clock runs around that call only. Every run is checked: B got exactly A's N ATXs, byte for
/// byte, and (when validating) stored them all with the expected validity; anything else throws.
/// </summary>
internal static class AtxSyncThroughput
{
    public const string Name = "atx-sync";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out int count) || count < 1) return 2;
        var modes = new List<AtxSyncMode>();
        int epochs = 1;
        foreach (var arg in args[1..])
        {
            switch (arg)
            {
                case "--next": epochs = 2; break;
                case "fetch": modes.Add(AtxSyncMode.Fetch); break;
                case "no-post": modes.Add(AtxSyncMode.NoPost); break;
                case "full": modes.Add(AtxSyncMode.Full); break;
                default: return 2;
            }
        }

        if (modes.Count == 0) modes.AddRange([AtxSyncMode.Fetch, AtxSyncMode.NoPost, AtxSyncMode.Full]);

        var clock = Stopwatch.StartNew();
        using var world = new AtxWorld();
        using var setup = new CancellationTokenSource(TimeSpan.FromHours(2));
        using var epoch = await AtxEpoch.BuildAsync(world, count, setup.Token, epochs);
        Console.Out.WriteLine($"atx-sync: setup of {count} identities ({(epochs == 1 ? "initial ATXs: 2 PoSTs each" : "initial and next ATXs: 3 PoSTs each")}, " +
            $"one PoET round per epoch, validation on A) took {clock.Elapsed.TotalSeconds:F1} s, not timed below");
        await using var a = await StartServerAsync(world, epoch);
        int atxBytes = epoch.Ids.Sum(id => epoch.Store.GetAtxBlob(id)!.Bytes.Length);
        Console.Out.WriteLine($"atx-sync: epoch {epoch.PublishEpoch} ({(epochs == 1 ? "initial ATXs" : "next ATXs; B holds epoch 1 already")}): A serves {count} ATX blobs of {atxBytes / count} bytes on average and one PoET proof of " +
            $"{epoch.Store.GetPoetProof(epoch.PoetReference)!.Length} bytes");

        // Untimed warm-up of the cheap modes (JIT of the transport, the sync and the validator's non-PoST path; the PoST
        // path was warmed by A's validation in the setup).
        await SyncOnceAsync(world, epoch, a, AtxSyncMode.Fetch, TimeSpan.FromMinutes(30));
        await SyncOnceAsync(world, epoch, a, AtxSyncMode.NoPost, TimeSpan.FromMinutes(30));
        foreach (var mode in modes)
        {
            var timing = await SyncOnceAsync(world, epoch, a, mode, TimeSpan.FromMinutes(30));
            Console.Out.WriteLine(Describe(timing));
        }

        Console.Out.WriteLine(LightHashCost(world));
        return 0;
    }

    /// <summary>The cost of one RandomX light-mode hash (what a PoST's k2pow check computes), timed the same way and
    /// under the same load as the syncs, to tell how much of a full validation it is.</summary>
    private static string LightHashCost(AtxWorld world)
    {
        const int Count = 21;
        var wall = new double[Count];
        Span<byte> output = stackalloc byte[32];
        byte[] challenge = new byte[8], miner = new byte[32];
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        for (int i = 0; i < Count; i++)
        {
            var clock = Stopwatch.StartNew();
            world.Pow.Hash((ulong)i, 0, challenge, miner, output);
            wall[i] = clock.Elapsed.TotalMilliseconds;
        }

        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / Count;
        Array.Sort(wall);
        return $"atx-sync: one RandomX light-mode hash (a PoST's k2pow check): median {wall[Count / 2]:F1} ms wall, {cpuMs:F1} ms CPU on average ({Count} hashes)";
    }

    /// <summary>One line for the results table.</summary>
    public static string Describe(AtxSyncTiming t) =>
        $"atx-sync: {t.Mode,-6} {t.Count} ATXs in {t.Elapsed.TotalSeconds:F3} s = {t.AtxsPerSecond:F1} ATXs/s, " +
        $"{t.MsPerAtx:F2} ms per ATX; CPU {t.Cpu.TotalSeconds:F3} s = {t.CpuMsPerAtx:F2} ms per ATX (fetched {t.Report.AtxsFetched}, accepted {t.Report.AtxsAccepted}, " +
        $"PoET proofs {t.Report.PoetProofsFetched}, failed requests {t.Report.Failures})";

    /// <summary>Node A: a network serving <paramref name="epoch"/>'s store through an <see cref="AtxSync"/>.</summary>
    public static async Task<AtxServer> StartServerAsync(AtxWorld world, AtxEpoch epoch)
    {
        var network = await PeerNetwork.StartAsync(NetworkOptions());
        var gossip = new AtxGossip(epoch.Store, world.Validator(epoch.Store, currentEpoch: epoch.PublishEpoch), network, world.Genesis.GoldenAtx);
        network.Subscribe(Topics.Atx, gossip.HandleAsync);
        var sync = new AtxSync(epoch.Store, network, new ByHashRouter(network), gossip.HandleAsync, () => new EpochId(epoch.PublishEpoch),
            new AtxSyncOptions { SyncOnConnect = false });
        return new AtxServer(network, sync);
    }

    /// <summary>
    /// A fresh empty node B dials <paramref name="a"/>, then one timed <see cref="AtxSync.SyncAsync"/> in
    /// <paramref name="mode"/>; throws unless B ends with exactly A's ATXs.
    /// </summary>
    public static async Task<AtxSyncTiming> SyncOnceAsync(AtxWorld world, AtxEpoch epoch, AtxServer a, AtxSyncMode mode, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(a);
        using var cts = new CancellationTokenSource(timeout);
        var store = AtxWorld.NewStore();
        foreach (var id in epoch.EarlierIds)
        {
            // The epoch before, as B would hold it after syncing it earlier (A's validated records, copied).
            var blob = epoch.Store.GetAtxBlob(id)!;
            store.AddAtx(epoch.Store.GetAtx(id)!, blob.Format, blob.Bytes.Span);
        }

        await using var b = await PeerNetwork.StartAsync(NetworkOptions(a.Network));
        await b.WaitForPeersAsync(1, cts.Token);

        var fetched = new List<byte[]>();
        GossipHandler handler;
        if (mode == AtxSyncMode.Fetch)
        {
            handler = (_, payload, _) =>
            {
                lock (fetched) fetched.Add(payload.ToArray());
                return ValueTask.FromResult(GossipVerdict.Accept);
            };
        }
        else
        {
            var validator = world.Validator(store, currentEpoch: epoch.PublishEpoch, checkPost: mode == AtxSyncMode.Full);
            handler = new AtxGossip(store, validator, b, world.Genesis.GoldenAtx).HandleAsync;
        }

        using var sync = new AtxSync(store, b, new ByHashRouter(b), handler, () => new EpochId(epoch.PublishEpoch),
            new AtxSyncOptions { FirstEpoch = epoch.PublishEpoch, SyncOnConnect = false });
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var report = await sync.SyncAsync(cts.Token);
        var elapsed = clock.Elapsed;
        process.Refresh();
        cpu = process.TotalProcessorTime - cpu;

        Check(report, epoch, store, fetched, mode);
        return new AtxSyncTiming(mode, epoch.Ids.Count, elapsed, cpu, report);
    }

    private static void Check(AtxSyncReport report, AtxEpoch epoch, NodeStore store, List<byte[]> fetched, AtxSyncMode mode)
    {
        int n = epoch.Ids.Count;
        if (report.Peers != 1 || report.AtxsFetched != n || report.AtxsAccepted != n || report.AtxsRefused != 0 ||
            report.PoetProofsFetched != 1 || report.Failures != 0)
        {
            throw new InvalidOperationException($"{mode}: sync of {n} ATXs reported {report}");
        }

        if (store.GetPoetProof(epoch.PoetReference) is not { } poet || !poet.AsSpan().SequenceEqual(epoch.Store.GetPoetProof(epoch.PoetReference)))
        {
            throw new InvalidOperationException($"{mode}: B lacks A's PoET proof {epoch.PoetReference}");
        }

        var expected = epoch.Ids.ToDictionary(id => id, id => epoch.Store.GetAtxBlob(id)!.Bytes.ToArray());
        if (mode == AtxSyncMode.Fetch)
        {
            var got = fetched.ToDictionary(blob => ActivationTxV1.Decode(blob).ComputeId());
            if (got.Count != n || !expected.All(e => got.TryGetValue(e.Key, out var blob) && blob.AsSpan().SequenceEqual(e.Value)))
            {
                throw new InvalidOperationException($"{mode}: B fetched {fetched.Count} blobs, not A's {n} ATXs");
            }

            return;
        }

        var stored = store.AtxIdsInEpoch(epoch.PublishEpoch);
        if (stored.Count != n || !stored.ToHashSet().SetEquals(epoch.Ids))
        {
            throw new InvalidOperationException($"{mode}: B stores {stored.Count} ATXs of epoch {epoch.PublishEpoch}, not A's {n}");
        }

        var validity = mode == AtxSyncMode.Full ? AtxValidity.Valid : AtxValidity.Unknown;
        foreach (var (id, blob) in expected)
        {
            if (store.GetAtx(id)?.Validity != validity || store.GetAtxBlob(id) is not { } mine || !mine.Bytes.Span.SequenceEqual(blob))
            {
                throw new InvalidOperationException($"{mode}: B's copy of ATX {id} differs from A's or is not {validity}");
            }
        }
    }

    private static PeerNetworkOptions NetworkOptions(params PeerNetwork[] peers) => TransportTestKit.Options(peers) with
    {
        RequestTimeout = TimeSpan.FromSeconds(30),
    };
}

/// <summary>Node A of the bench: its network and the sync that serves its store.</summary>
internal sealed class AtxServer(PeerNetwork network, AtxSync sync) : IAsyncDisposable
{
    public PeerNetwork Network { get; } = network;

    public async ValueTask DisposeAsync()
    {
        sync.Dispose();
        await Network.DisposeAsync();
    }
}
