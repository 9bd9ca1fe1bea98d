using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core.Init;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Kernels.Simd;
using Prover.Node.Activation;
using Prover.Node.Consensus.Engine;
using Prover.Node.Genesis;
using Prover.Node.Host.Poet;
using Prover.Node.Host.PostService;
using Prover.Node.Host.Transport;
using Prover.Node.Poet;
using Prover.Node.PostService;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Transport;
using Prover.Node.Types;
using Prover.Node.Validation;
using Prover.Storage.Rocks;

namespace Prover.Node.Host.Node;

/// <summary>Where the node's PoST proofs come from.</summary>
public enum ProverMode
{
    /// <summary>Prove in this process over <c>&lt;datadir&gt;/post/&lt;node-id&gt;</c>.</summary>
    Local,

    /// <summary>Wait for <c>post serve</c> processes to connect to the gRPC post listener.</summary>
    Remote,

    /// <summary>Start <c>post serve</c> as a supervised child that connects to the gRPC post listener.</summary>
    Supervised,
}

/// <summary>The settings of <c>post node run</c>.</summary>
public sealed record NodeRunnerOptions
{
    /// <summary>The node's data directory (database, keys, genesis, PoET, PoST data).</summary>
    public required string DataDir { get; init; }

    /// <summary>The network preset (only <c>standalone</c> has a genesis at first start).</summary>
    public string Preset { get; init; } = "standalone";

    /// <summary>How many identities to run (missing keys are generated).</summary>
    public int Identities { get; init; } = 1;

    /// <summary>Layer duration override (first start only; then genesis.json rules).</summary>
    public TimeSpan? LayerDuration { get; init; }

    /// <summary>Layers per epoch override (first start only).</summary>
    public uint? LayersPerEpoch { get; init; }

    /// <summary>PoET phase shift override (first start only).</summary>
    public TimeSpan? PoetPhaseShift { get; init; }

    /// <summary>PoET cycle gap override (first start only).</summary>
    public TimeSpan? PoetCycleGap { get; init; }

    /// <summary>Grace period override (first start only).</summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>Scrypt N override of the PoST data (first start only; small values for tests).</summary>
    public ulong? ScryptN { get; init; }

    /// <summary>The most PoET leaves per round (the embedded PoET stops its work there).</summary>
    public ulong PoetMaxLeaves { get; init; } = 20_000;

    /// <summary>Where PoST proofs come from.</summary>
    public ProverMode Prover { get; init; } = ProverMode.Local;

    /// <summary>The gRPC post listener (remote and supervised modes), e.g. <c>127.0.0.1:0</c>.</summary>
    public string? GrpcPostListener { get; init; }

    /// <summary>The <c>post</c> binary the supervised mode starts (default: this process's own).</summary>
    public string? PostBinary { get; init; }

    /// <summary>The reward address (default: each identity's own).</summary>
    public Address? Coinbase { get; init; }

    /// <summary>The operator HTTP API port on 127.0.0.1 (0: any free port).</summary>
    public int ApiPort { get; init; }

    /// <summary>The embedded PoET's REST port on 127.0.0.1 (0: any free port).</summary>
    public int PoetPort { get; init; }

    /// <summary>CPU threads for labels and proofs.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The validator of stored ATXs (default: the signature stand-in).</summary>
    public Func<NodeStore, GenesisConfig, IAtxValidator>? Validator { get; init; }

    /// <summary>Where the console progress lines go (null: none).</summary>
    public TextWriter? Console { get; init; }

    /// <summary>The log.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The peer gRPC listener, host:port (e.g. <c>127.0.0.1:7513</c>; port 0: any free port; null: no inbound
    /// peers).</summary>
    public string? Listen { get; init; }

    /// <summary>The peers' listen addresses (host:port) this node dials.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>The genesis time (first start only; default: now for a preset without a fixed genesis). Nodes of one
    /// network are given the same time and extra data so they share a genesis id.</summary>
    public DateTimeOffset? GenesisTime { get; init; }

    /// <summary>The genesis extra data (first start only; default: the preset's).</summary>
    public string? GenesisExtraData { get; init; }

    /// <summary>The PoET to register at over REST instead of the embedded one (e.g. another node's).</summary>
    public Uri? PoetUrl { get; init; }

    /// <summary>Do not run the embedded PoET. Without <see cref="PoetUrl"/> the identities then build no ATXs: the
    /// node only follows the network.</summary>
    public bool NoPoet { get; init; }

    /// <summary>Space units of each identity's PoST data (default: the network's minimum; first init only).</summary>
    public uint? NumUnits { get; init; }

    /// <summary>The network's most space units per identity (first start only; default: the preset's).</summary>
    public uint? MaxNumUnits { get; init; }

    /// <summary>Run the consensus engine (proposals, hare, blocks, tortoise, state) on the node's clock.</summary>
    public bool Consensus { get; init; } = true;
}

/// <summary>The genesis and timing a data directory was created with (<c>genesis.json</c>), kept across restarts.</summary>
public sealed record NodeGenesisFile(
    long GenesisUnix, string ExtraData, string Preset, long LayerDurationMs, uint LayersPerEpoch, long PhaseShiftMs,
    long CycleGapMs, long GracePeriodMs, ulong ScryptN, uint? MaxNumUnits = null)
{
    /// <summary>The file name in the data directory.</summary>
    public const string FileName = "genesis.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Reads the file, or <see langword="null"/> when there is none.</summary>
    public static NodeGenesisFile? Load(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<NodeGenesisFile>(File.ReadAllBytes(path), Json) : null;
    }

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public void Save(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The preset with this file's timing.</summary>
    public NetworkPreset ToPreset()
    {
        var p = NetworkPreset.Get(Preset).WithOverrides(
            TimeSpan.FromMilliseconds(LayerDurationMs), LayersPerEpoch, TimeSpan.FromMilliseconds(PhaseShiftMs),
            TimeSpan.FromMilliseconds(CycleGapMs), TimeSpan.FromMilliseconds(GracePeriodMs));
        return p with { Init = p.Init with { ScryptN = ScryptN, MaxNumUnits = MaxNumUnits ?? p.Init.MaxNumUnits } };
    }

    /// <summary>The genesis of this file.</summary>
    public GenesisConfig ToGenesis() => new(DateTimeOffset.FromUnixTimeSeconds(GenesisUnix), ExtraData);
}

/// <summary>One identity's progress as the operator API shows it.</summary>
public sealed class IdentityProgress
{
    /// <summary>initializing, waiting for PoET round, proving, published, …</summary>
    public string State { get; set; } = "starting";

    /// <summary>Init or proving progress in [0, 1].</summary>
    public double Progress { get; set; }
}

/// <summary>
/// The running node: RocksDB in <c>&lt;datadir&gt;/node.db</c>, identities in <c>&lt;datadir&gt;/identities</c>,
/// genesis in <c>&lt;datadir&gt;/genesis.json</c>, the embedded PoET (REST on loopback), each identity's PoST data
/// in <c>&lt;datadir&gt;/post/&lt;node-id&gt;</c> (initialized on first start with the CPU label provider), one
/// <see cref="AtxBuilder"/> per identity, the operator API (<c>/status</c>, <c>/metrics</c>) and a console line per
/// identity.
/// </summary>
public sealed partial class NodeRunner : IAsyncDisposable
{
    private readonly NodeRunnerOptions _o;
    private readonly List<AtxBuilder> _builders = [];
    private readonly Dictionary<NodeId, IdentityProgress> _progress = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _ownedSync = [];
    private readonly ILoggerFactory _logs;
    private readonly Dictionary<NodeId, PostSupervisor> _supervisors = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _catchUp = new(0);
    private long _published, _valid, _invalid;
    private WebApplication? _api;
    private AtxSync? _sync;
    private AtxGossip? _atxGossip;
    private RocksKeyValueStore? _kv;

    private NodeRunner(NodeRunnerOptions options)
    {
        _o = options;
        _logs = options.LoggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The node's store.</summary>
    public NodeStore Store { get; private set; } = null!;

    /// <summary>The genesis.</summary>
    public GenesisConfig Genesis { get; private set; } = null!;

    /// <summary>The network parameters in force.</summary>
    public NetworkPreset Network { get; private set; } = null!;

    /// <summary>The layer clock.</summary>
    public LayerClock Clock { get; private set; } = null!;

    /// <summary>The operator API's address.</summary>
    public Uri ApiAddress { get; private set; } = null!;

    /// <summary>The PoET's REST address (the embedded one's, or <see cref="NodeRunnerOptions.PoetUrl"/>); null with
    /// <see cref="NodeRunnerOptions.NoPoet"/> alone.</summary>
    public Uri? PoetAddress { get; private set; }

    /// <summary>The gRPC post listener (remote and supervised modes).</summary>
    public Uri? PostListener { get; private set; }

    /// <summary>The peer listener's address (host:port), or null without <see cref="NodeRunnerOptions.Listen"/>.</summary>
    public string? PeerAddress { get; private set; }

    /// <summary>The consensus records (layers, blocks, ballots, balances).</summary>
    public ConsensusStore Consensus { get; private set; } = null!;

    /// <summary>The peer transport.</summary>
    public PeerNetwork Peers { get; private set; } = null!;

    /// <summary>The consensus engine (null when <see cref="NodeRunnerOptions.Consensus"/> is off).</summary>
    public ConsensusEngine? Engine { get; private set; }

    /// <summary>The identities' builders.</summary>
    public IReadOnlyList<AtxBuilder> Builders => _builders;

    /// <summary>Opens everything and starts the API; <see cref="RunAsync"/> then runs the identities.</summary>
    public static async Task<NodeRunner> StartAsync(NodeRunnerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runner = new NodeRunner(options);
        try
        {
            await runner.OpenAsync(ct).ConfigureAwait(false);
            return runner;
        }
        catch
        {
            await runner.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task OpenAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_o.DataDir);
        var file = NodeGenesisFile.Load(_o.DataDir);
        if (file is null)
        {
            var preset = NetworkPreset.Get(_o.Preset).WithOverrides(
                _o.LayerDuration, _o.LayersPerEpoch, _o.PoetPhaseShift, _o.PoetCycleGap, _o.GracePeriod);
            var genesis = preset.ResolveGenesis(
                _o.GenesisTime ?? (preset.Genesis is null ? DateTimeOffset.UtcNow : null), _o.GenesisExtraData);
            file = new NodeGenesisFile(
                genesis.GenesisTime.ToUnixTimeSeconds(), genesis.ExtraData, preset.Name, (long)preset.LayerDuration.TotalMilliseconds,
                preset.LayersPerEpoch, (long)preset.Poet.PhaseShift.TotalMilliseconds, (long)preset.Poet.CycleGap.TotalMilliseconds,
                (long)preset.Poet.GracePeriod.TotalMilliseconds, _o.ScryptN ?? preset.Init.ScryptN, _o.MaxNumUnits);
            file.Save(_o.DataDir);
        }

        Network = file.ToPreset();
        Genesis = file.ToGenesis();
        Clock = Network.CreateClock(Genesis);
        var schedule = Network.CreatePoetSchedule(Clock);

        var kv = RocksKeyValueStore.Open(Path.Combine(_o.DataDir, "node.db"), NodeColumns.All);
        _ownedSync.Add(kv);
        _kv = kv;
        Store = NodeStore.Open(kv);
        var signers = IdentityDirectory.LoadOrCreate(Path.Combine(_o.DataDir, IdentityDirectory.FolderName), _o.Identities, Genesis.GenesisId);
        _ownedSync.AddRange(signers);

        IPoetRegistrar? registrar = null;
        if (!_o.NoPoet && _o.PoetUrl is null)
        {
            var poet = new PoetService(new PoetServiceOptions
            {
                DataDirectory = Path.Combine(_o.DataDir, "poet"),
                Timing = new PoetRoundTiming(Genesis.GenesisTime, Clock.EpochDuration, Network.Poet.PhaseShift, Network.Poet.CycleGap),
                MaxLeaves = _o.PoetMaxLeaves,
            }, logger: _logs.CreateLogger<PoetService>());
            _owned.Add(poet);
            poet.Start();
            var rest = await PoetRestServer.StartAsync(poet, new IPEndPoint(IPAddress.Loopback, _o.PoetPort), null, ct).ConfigureAwait(false);
            _owned.Add(rest);
            PoetAddress = rest.Address;
        }
        else
        {
            PoetAddress = _o.PoetUrl;
        }

        if (PoetAddress is not null)
        {
            var http = new HttpClient { BaseAddress = PoetAddress, Timeout = TimeSpan.FromSeconds(30) };
            _ownedSync.Add(http);
            registrar = new PoetClientRegistrar(new PoetClient(http));
        }

        IPostProofSource posts;
        if (_o.Prover == ProverMode.Local)
        {
            var randomX = RandomXContext.Create(RandomXMode.Light, null, ct);
            _ownedSync.Add(randomX);
            var local = new LocalPostProofSource(
                new PostProver(new ProvingScannerFactory(), new K2Pow(randomX, _o.Threads)), Network.Proof,
                new ProvingOptions { Nonces = 16, Threads = _o.Threads });
            _ownedSync.Add(local);
            foreach (var s in signers)
            {
                local.Add(s.NodeId, PostDir(s.NodeId));
            }

            posts = local;
        }
        else
        {
            var registry = new PostServiceRegistry();
            var server = await NodePostServer.StartAsync(
                registry, new PostListenerOptions { GrpcPostListener = _o.GrpcPostListener ?? "127.0.0.1:0" }, cancellationToken: ct)
                .ConfigureAwait(false);
            _owned.Add(server);
            PostListener = server.PlainAddress;
            posts = registry;
        }

        // The node validates its own ATXs with every rule it applies to anyone's (NODE §1.5): never trust the builder.
        var validator = _o.Validator?.Invoke(Store, Genesis) ?? CreateValidator();
        await StartPeersAsync(validator, signers, ct).ConfigureAwait(false);
        // Without a PoET the identities cannot build ATXs: the node then only follows the network.
        var building = registrar is null ? [] : signers.ToList();
        foreach (var s in building)
        {
            _progress[s.NodeId] = new IdentityProgress();
            var builder = new AtxBuilder(new AtxBuilderOptions
            {
                Signer = s,
                Store = Store,
                Genesis = Genesis,
                Schedule = schedule,
                Poet = registrar!,
                Post = posts,
                Validator = validator,
                TickSize = Network.TickSize,
                Coinbase = _o.Coinbase,
                Logger = _logs.CreateLogger<AtxBuilder>(),
            });
            builder.Published += (_, header, verdict) =>
            {
                Interlocked.Increment(ref _published);
                Interlocked.Increment(ref verdict.Validity == AtxValidity.Valid ? ref _valid : ref _invalid);
                GossipOwnAtx(header.Id);
            };
            _builders.Add(builder);
        }

        if (_o.Prover == ProverMode.Supervised)
        {
            foreach (var s in building)
            {
                var supervisor = new PostSupervisor(SupervisorOptions(PostDir(s.NodeId)));
                _supervisors[s.NodeId] = supervisor;
                _owned.Add(supervisor);
            }
        }

        await StartApiAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The options of a <c>post serve</c> child for the PoST data in <paramref name="dataDir"/> that connects to this
    /// node's post listener with the network's proof parameters (the binary: <see cref="NodeRunnerOptions.PostBinary"/>,
    /// else post.dll next to this assembly, else this process).
    /// </summary>
    public PostSupervisorOptions SupervisorOptions(string dataDir)
    {
        var besideUs = Path.Combine(AppContext.BaseDirectory, "post.dll");
        return new PostSupervisorOptions
        {
            PostBinary = _o.PostBinary ?? (File.Exists(besideUs) ? besideUs : Environment.ProcessPath!),
            NodeAddress = PostListener ?? throw new InvalidOperationException("no post listener: the prover mode is local"),
            DataDir = dataDir,
            MinNumUnits = Network.Init.MinNumUnits,
            MaxNumUnits = Network.Init.MaxNumUnits,
            K1 = Network.Proof.K1,
            K2 = Network.Proof.K2,
            PowDifficulty = Convert.ToHexStringLower(Network.Proof.PowDifficulty),
            ScryptN = Network.Init.ScryptN,
            Threads = _o.Threads,
            Nonces = 16,
            RandomXMode = "light",
            ReconnectIntervalSeconds = 1,
        };
    }

    /// <summary>
    /// Starts the peer transport (listening on <see cref="NodeRunnerOptions.Listen"/>, dialing
    /// <see cref="NodeRunnerOptions.Peers"/>), subscribes the ATX topic to <see cref="AtxGossip"/> (full validation),
    /// serves and syncs ATXs (<see cref="AtxSync"/>) and creates the consensus engine over the same transport.
    /// </summary>
    private async Task StartPeersAsync(IAtxValidator validator, IReadOnlyList<EdSigner> signers, CancellationToken ct)
    {
        Consensus = ConsensusStore.Open(_kv!);
        Peers = await PeerNetwork.StartAsync(new PeerNetworkOptions
        {
            GenesisId = Genesis.GenesisId,
            Listen = Endpoint(_o.Listen ?? "127.0.0.1:0"),
            Peers = _o.Peers,
            // A consensus message rejected on this node's view (an eligibility it cannot confirm because an ATX
            // reached it late) is a weak signal between honest nodes: it weighs a tenth of the default, so only a
            // steady stream of them drops a peer; malformed and oversized messages keep their full penalties.
            RejectPenalty = 0.1,
        }, _logs, ct).ConfigureAwait(false);
        _owned.Add(Peers);
        PeerAddress = Peers.Self.Address;
        var byHash = new ByHashRouter(Peers);
        _atxGossip = new AtxGossip(Store, validator, Peers, Genesis.GoldenAtx, _logs.CreateLogger<AtxGossip>());
        Peers.Subscribe(Topics.Atx, _atxGossip.HandleAsync);
        if (_o.Consensus)
        {
            Engine = new ConsensusEngine(new ConsensusOptions
            {
                Genesis = Genesis,
                LayersPerEpoch = Network.LayersPerEpoch,
                LayerAvgSize = Network.LayerAvgSize,
                // Hare output is trusted for at most one epoch: on a devnet's short epochs (5 layers) mainnet's 10 layers
                // would keep a layer whose hare outputs differed between nodes unverified for two epochs.
                Hdist = Math.Min(10u, Network.LayersPerEpoch),
            }, Store, Consensus, signers, Peers, Peers, byHash, _logs.CreateLogger<ConsensusEngine>());
            _ownedSync.Add(Engine);
            var engine = Engine;
            _atxGossip.OnMalfeasance = async (proof, token) => await engine.PublishMalfeasanceAsync(proof, token).ConfigureAwait(false);
        }

        _sync = new AtxSync(Store, Peers, byHash, _atxGossip.HandleAsync, () => Clock.CurrentEpoch, new AtxSyncOptions
        {
            MalfeasanceHandler = Engine?.MalfeasanceHandler,
            SyncOnConnect = false, // CatchUpAsync syncs ATXs, then layers, on every (re)connect
        }, _logs.CreateLogger<AtxSync>());
        _ownedSync.Add(_sync);
        Peers.PeerConnected += (_, _) => _catchUp.Release();
    }

    private static IPEndPoint Endpoint(string text) =>
        IPEndPoint.TryParse(text, out var endpoint)
            ? endpoint
            : throw new ArgumentException($"--listen: not an ip:port address: '{text}'");

    private void GossipOwnAtx(AtxId id) => _ = GossipOwnAtxAsync(id);

    /// <summary>Gossips an own ATX that the builder stored (the local handler accepts it as known, so it is relayed).</summary>
    private async Task GossipOwnAtxAsync(AtxId id)
    {
        try
        {
            if (Store.GetAtxBlob(id) is { } blob)
            {
                await Peers.PublishAsync(Topics.Atx, blob.Bytes, _stop.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // gossip is best effort: peers get the ATX by sync otherwise
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            Log.GossipFailed(_logs.CreateLogger<NodeRunner>(), id, e.Message);
        }
    }

    /// <summary>
    /// Catches up on start, whenever a peer (re)connects and once per epoch: ATXs of every epoch from every peer
    /// (validated like gossip), then the layers this node missed (ballots, blocks; the tortoise and the state follow).
    /// </summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        // Layer sync needs the engine's current layer: wait for the scheduler's first layer start.
        while (Engine is { } e && e.CurrentLayer.Value == 0 && Clock.CurrentLayer.Value > 0 && !ct.IsCancellationRequested)
        {
            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _sync!.SyncAsync(ct).ConfigureAwait(false);
                if (Engine is { } engine)
                {
                    await engine.SyncAsync(ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.CatchUpFailed(_logs.CreateLogger<NodeRunner>(), e.Message);
            }

            // The next run: a (re)connect, or an epoch from now.
            await _catchUp.WaitAsync(Clock.EpochDuration, ct).ConfigureAwait(false);
            while (_catchUp.CurrentCount > 0)
            {
                await _catchUp.WaitAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The PoST directory of <paramref name="identity"/>.</summary>
    public string PostDir(NodeId identity) => Path.Combine(_o.DataDir, "post", identity.ToString());

    /// <summary>Initializes each identity's PoST data (first start), then runs the builders until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var console = _o.Console is null ? null : new Timer(_ => WriteConsole(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var runs = _builders.Select(b => Task.Run(async () =>
        {
            await InitializeAsync(b.NodeId, ct).ConfigureAwait(false);
            if (_supervisors.TryGetValue(b.NodeId, out var supervisor))
            {
                supervisor.Start();
            }

            await b.RunAsync(ct).ConfigureAwait(false);
        }, ct)).ToList();
        runs.Add(Task.Run(() => CatchUpAsync(ct), ct));
        if (Engine is { } engine)
        {
            // Hare must decide within its layer: the next layer's ballots vote at its start, and a ballot whose vote
            // differs from the hare output that came later is not good for the tortoise. Proposals are gathered for a
            // quarter of a layer (a proposal with dozens of eligibility proofs takes each receiver a few VRF
            // verifications per proof; with an eighth, a loaded machine left the heavier identities' proposals out);
            // rounds are a sixteenth apart, so the first iteration's notify round (the eighth) ends at about 0.8 of
            // the layer.
            var round = TimeSpan.FromTicks(Math.Max(Clock.LayerDuration.Ticks / 16, TimeSpan.FromMilliseconds(20).Ticks));
            var scheduler = new LayerScheduler(engine, Clock, Clock.LayerDuration / 4, round, _logs.CreateLogger<LayerScheduler>());
            runs.Add(Task.Run(() => scheduler.RunAsync(ct), ct));
        }

        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    private Task InitializeAsync(NodeId id, CancellationToken ct) => Task.Run(() =>
    {
        var progress = _progress[id];
        progress.State = "initializing";
        using var cpu = new CpuLabelProvider(_o.Threads);
        PostSetup.Initialize([cpu], PostDir(id), id, Genesis.GoldenAtx, Network.Init, _o.NumUnits ?? Network.Init.MinNumUnits,
            new Progress<InitProgress>(p => progress.Progress = p.LabelsTotal == 0 ? 1 : (double)p.LabelsDone / p.LabelsTotal), ct);
        progress.Progress = 1;
        progress.State = "initialized";
    }, ct);

    /// <summary>
    /// The operator API's <c>/status</c> document: genesis, epoch and layer, the peers connected, the consensus view
    /// (verified layer with its block and state hash, last applied layer, the identities' balance) and each identity's
    /// builder state.
    /// </summary>
    public JsonObject StatusJson()
    {
        var layer = Clock.CurrentLayer;
        var identities = new JsonArray();
        ulong balance = 0;
        foreach (var b in _builders)
        {
            var s = b.Status;
            var p = _progress[b.NodeId];
            var state = p.State == "initializing" ? "initializing" : StateName(s.Activity);
            var coinbase = _o.Coinbase ?? Address.FromPublicKey(b.NodeId);
            var own = Consensus.Balance(coinbase);
            balance += own;
            identities.Add(new JsonObject
            {
                ["node_id"] = b.NodeId.ToString(),
                ["state"] = state,
                ["progress"] = p.State == "initializing" ? p.Progress : null,
                ["publish_epoch"] = s.PublishEpoch,
                ["last_atx_id"] = s.LastAtx?.Id.ToString(),
                ["last_atx_epoch"] = s.LastAtx?.PublishEpoch,
                ["last_atx_weight"] = s.LastAtx?.Weight,
                ["coinbase"] = coinbase.ToString(),
                ["balance"] = own,
                ["detail"] = s.Detail,
            });
        }

        LayerRecord? verified = null;
        if (Engine is { } engine && engine.Verified.Value >= engine.Options.FirstLayer.Value)
        {
            verified = Consensus.GetLayer(engine.Verified);
        }

        return new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["genesis_id"] = Genesis.GenesisId.ToString(),
            ["genesis_time"] = Genesis.GenesisTime.ToString("O", CultureInfo.InvariantCulture),
            ["epoch"] = layer.GetEpoch(Clock.LayersPerEpoch).Value,
            ["layer"] = layer.Value,
            ["verified_layer"] = verified?.Layer.Value,
            ["verified_block"] = verified?.Block.ToString(),
            ["verified_state_hash"] = verified?.StateHash.ToString(),
            ["applied_layer"] = Consensus.LastLayer?.Layer.Value,
            ["balance"] = balance,
            ["peer_address"] = PeerAddress,
            ["peers"] = new JsonArray([.. Peers.Peers.Select(p => (JsonNode)JsonValue.Create(p.Address))]),
            ["atx_gossip"] = new JsonObject
            {
                ["accepted"] = _atxGossip?.Accepted ?? 0,
                ["ignored"] = _atxGossip?.Ignored ?? 0,
                ["rejected"] = _atxGossip?.Rejected ?? 0,
            },
            ["poet"] = PoetAddress?.ToString(),
            ["post_listener"] = PostListener?.ToString(),
            ["identities"] = identities,
        };
    }

    /// <summary>The operator API's <c>/metrics</c> (Prometheus text).</summary>
    public string MetricsText()
    {
        var sb = new StringBuilder();
        sb.Append("# TYPE node_atxs_published_total counter\nnode_atxs_published_total ").Append(Interlocked.Read(ref _published)).Append('\n');
        sb.Append("# TYPE node_atx_validations_total counter\n");
        sb.Append("node_atx_validations_total{result=\"valid\"} ").Append(Interlocked.Read(ref _valid)).Append('\n');
        sb.Append("node_atx_validations_total{result=\"invalid\"} ").Append(Interlocked.Read(ref _invalid)).Append('\n');
        sb.Append("# TYPE node_layer gauge\nnode_layer ").Append(Clock.CurrentLayer.Value).Append('\n');
        sb.Append("# TYPE node_builder_state gauge\n");
        foreach (var b in _builders)
        {
            sb.Append(CultureInfo.InvariantCulture, $"node_builder_state{{node_id=\"{b.NodeId}\",state=\"{StateName(b.Status.Activity)}\"}} 1\n");
            sb.Append(CultureInfo.InvariantCulture, $"node_builder_publish_epoch{{node_id=\"{b.NodeId}\"}} {b.Status.PublishEpoch}\n");
        }

        return sb.ToString();
    }

    private static string StateName(BuilderActivity a) => a switch
    {
        BuilderActivity.WaitingForPoetRound => "waiting_for_poet_round",
        BuilderActivity.Proving or BuilderActivity.ProvingInitialPost => "proving",
        BuilderActivity.Published => "published",
        BuilderActivity.WaitingForPostService => "waiting_for_post_service",
        BuilderActivity.WaitingForChallengeTime => "waiting_for_challenge",
        BuilderActivity.Registering => "registering",
        BuilderActivity.WaitingToPublish => "waiting_to_publish",
        BuilderActivity.Retrying => "retrying",
        _ => "starting",
    };

    private void WriteConsole()
    {
        var layer = Clock.CurrentLayer;
        foreach (var b in _builders)
        {
            var s = b.Status;
            var p = _progress[b.NodeId];
            var what = p.State == "initializing" ? $"initializing {p.Progress:P0}" : StateName(s.Activity);
            _o.Console!.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {layer.GetEpoch(Clock.LayersPerEpoch).Value} layer {layer.Value} {b.NodeId.ToString()[..8]}: {what} (epoch {s.PublishEpoch}, atxs up to {s.LastAtx?.PublishEpoch.ToString(CultureInfo.InvariantCulture) ?? "-"})"));
        }
    }

    private async Task StartApiAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, _o.ApiPort));
        var app = builder.Build();
        app.MapGet("/status", () => Results.Text(StatusJson().ToJsonString(), "application/json"));
        app.MapGet("/metrics", () => Results.Text(MetricsText(), "text/plain; version=0.0.4"));
        app.MapGet("/atxs", (uint? epoch) => Results.Text(NodeQueries.AtxsJson(Store, Genesis.GenesisId, epoch).ToJsonString(), "application/json"));
        app.MapGet("/layers", (uint? from, uint? to) => Results.Text(NodeQueries.LayersJson(Consensus, from, to).ToJsonString(), "application/json"));
        app.MapGet("/balance/{coinbase}", (string coinbase) => NodeQueries.TryParseAddress(coinbase) is { } address
            ? Results.Text(NodeQueries.BalanceJson(Consensus, address).ToJsonString(), "application/json")
            : Results.BadRequest($"not a 24-byte hex address: '{coinbase}'"));
        app.MapGet("/rewards/{coinbase}", (string coinbase, uint? from, uint? to) => NodeQueries.TryParseAddress(coinbase) is { } address
            ? Results.Text(NodeQueries.RewardsJson(Consensus, address, from, to).ToJsonString(), "application/json")
            : Results.BadRequest($"not a 24-byte hex address: '{coinbase}'"));
        await app.StartAsync(ct).ConfigureAwait(false);
        _api = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ApiAddress = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        await File.WriteAllTextAsync(Path.Combine(_o.DataDir, NodeQueries.ApiAddressFile), ApiAddress.ToString(), ct).ConfigureAwait(false);
    }

    /// <summary>Stops the API, the post services, the PoET and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_api is not null)
        {
            File.Delete(Path.Combine(_o.DataDir, NodeQueries.ApiAddressFile));
            await _api.StopAsync().ConfigureAwait(false);
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        for (var i = _ownedSync.Count - 1; i >= 0; i--)
        {
            _ownedSync[i].Dispose();
        }

        _catchUp.Dispose();
        _stop.Dispose();
    }

    private AtxValidator CreateValidator()
    {
        var pow = new K2PowBackend(new K2PowBackendOptions { Mode = RandomXMode.Light, Threads = 1 });
        _ownedSync.Add(pow);
        pow.GetContext(); // the RandomX light cache is built now, not inside the first ATX's publish window
        return new AtxValidator(Store, new EdVerifier(Genesis.GenesisId), () => Clock.CurrentEpoch, new AtxValidatorOptions
        {
            GoldenAtx = Genesis.GoldenAtx,
            // Every PoST checked in full (K3 = K2): a small network can afford it, and an ATX is then Valid at once
            // rather than Unknown until a later full check (go-spacemesh's VerifyChain, which this node does not have).
            ProofConfig = Network.Proof with { K3 = Network.Proof.K2 },
            InitConfig = Network.Init,
            LayersPerEpoch = Network.LayersPerEpoch,
            TickSize = Network.TickSize,
        }, pow.Verifier);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "gossiping own ATX {Id} failed: {Reason}")]
        public static partial void GossipFailed(ILogger logger, AtxId id, string reason);

        [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "catching up from peers failed: {Reason}")]
        public static partial void CatchUpFailed(ILogger logger, string reason);
    }
}
