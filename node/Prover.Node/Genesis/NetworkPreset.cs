using Prover.Core.Proving;

namespace Prover.Node.Genesis;

/// <summary>
/// One network's numbers, go-spacemesh's presets in one record. Sources: NODE.md §2.1 (clock, PoET timing),
/// §1.6 "Network parameters" (PoST K1/K2/K3, labels per unit, units, PoW difficulty, scrypt N, tick size), §6
/// "Standalone preset"; go-spacemesh <c>config/mainnet.go</c>, <c>config/presets/standalone.go</c> and
/// <c>config/presets/testnet.go</c> (the testnet's numbers, which NODE.md does not list).
/// </summary>
/// <param name="Name">The preset's name (<c>mainnet</c>, <c>testnet</c>, <c>standalone</c>).</param>
/// <param name="Genesis">The fixed genesis, or null where genesis is "now" (standalone).</param>
/// <param name="ExtraData">Genesis extra data (for a genesis made at start).</param>
/// <param name="LayerDuration">Length of a layer.</param>
/// <param name="LayersPerEpoch">Layers per epoch.</param>
/// <param name="LayerAvgSize">Expected proposal slots per layer.</param>
/// <param name="TickSize">PoET leaves per tick: TickCount = LeafCount / TickSize.</param>
/// <param name="Poet">PoET phase shift, cycle gap and grace period.</param>
/// <param name="Proof">PoST proof parameters K1, K2, K3 and the k2pow difficulty.</param>
/// <param name="Init">PoST init parameters: min/max units, labels per unit, scrypt N.</param>
public sealed record NetworkPreset(
    string Name,
    GenesisConfig? Genesis,
    string ExtraData,
    TimeSpan LayerDuration,
    uint LayersPerEpoch,
    uint LayerAvgSize,
    ulong TickSize,
    PoetTiming Poet,
    ProofConfig Proof,
    InitConfig Init)
{
    /// <summary>The default k2pow difficulty (all bits set: no PoW to speak of).</summary>
    public static ReadOnlySpan<byte> DefaultPowDifficulty =>
    [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];

    /// <summary>
    /// Mainnet: 5 min layers, 4032 per epoch (14 days), PoET 240 h / 12 h / 1 h, tick size 9 331 200, K1/K2/K3
    /// 26/37/1, 2^32 labels per unit, 4 ≤ units ≤ 2^32−1, scrypt N 8192, PoW difficulty 000dfb23b0979b4b00….
    /// </summary>
    public static NetworkPreset Mainnet { get; } = new(
        "mainnet",
        GenesisConfig.Mainnet,
        GenesisConfig.Mainnet.ExtraData,
        TimeSpan.FromMinutes(5),
        4032,
        50,
        9_331_200,
        new PoetTiming(TimeSpan.FromHours(240), TimeSpan.FromHours(12), TimeSpan.FromHours(1)),
        ProofConfig.Mainnet,
        InitConfig.Mainnet);

    /// <summary>
    /// The testnet preset: 5 min layers, 288 per epoch, PoET 12 h / 2 h / 10 min, tick size 666 514, K1/K2/K3 26/37/1,
    /// 1024 labels per unit, 2 ≤ units ≤ 2^32−1, scrypt N 8192, default PoW difficulty.
    /// </summary>
    public static NetworkPreset Testnet { get; } = new(
        "testnet",
        GenesisConfig.Testnet,
        GenesisConfig.Testnet.ExtraData,
        TimeSpan.FromMinutes(5),
        288,
        50,
        666_514,
        new PoetTiming(TimeSpan.FromHours(12), TimeSpan.FromHours(2), TimeSpan.FromMinutes(10)),
        new ProofConfig(26, 37, 1, DefaultPowDifficulty.ToArray()),
        new InitConfig(2, uint.MaxValue, 1024, 8192));

    /// <summary>
    /// The standalone preset (one node, genesis at start, extra data "standalone"): 6 s layers, 10 per epoch (60 s),
    /// PoET 30 s / 30 s / 12 s, tick size 100, K1/K2/K3 12/4/1, 64 labels per unit, 1 ≤ units ≤ 2, scrypt N 8192,
    /// default PoW difficulty.
    /// </summary>
    public static NetworkPreset Standalone { get; } = new(
        "standalone",
        null,
        "standalone",
        TimeSpan.FromSeconds(6),
        10,
        50,
        100,
        new PoetTiming(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(12)),
        new ProofConfig(12, 4, 1, DefaultPowDifficulty.ToArray()),
        new InitConfig(1, 2, 64, 8192));

    /// <summary>The presets by name.</summary>
    public static IReadOnlyList<NetworkPreset> All { get; } = [Mainnet, Testnet, Standalone];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such preset; the message lists the known ones.</exception>
    public static NetworkPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            $"unknown network preset '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    /// <summary>The length of an epoch (also the PoET's epoch).</summary>
    public TimeSpan EpochDuration => LayerDuration * LayersPerEpoch;

    /// <summary>
    /// The preset with explicit overrides for short test networks. When the epoch length changes and a PoET timing is
    /// not given, it keeps its fraction of the epoch (standalone's 30 s / 30 s / 12 s of 60 s become 5 s / 5 s / 2 s of
    /// 10 s).
    /// </summary>
    public NetworkPreset WithOverrides(
        TimeSpan? layerDuration = null,
        uint? layersPerEpoch = null,
        TimeSpan? phaseShift = null,
        TimeSpan? cycleGap = null,
        TimeSpan? gracePeriod = null)
    {
        var duration = layerDuration ?? LayerDuration;
        var layers = layersPerEpoch ?? LayersPerEpoch;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero, nameof(layerDuration));
        ArgumentOutOfRangeException.ThrowIfZero(layers, nameof(layersPerEpoch));
        var scale = (double)(duration * layers).Ticks / EpochDuration.Ticks;
        TimeSpan Scaled(TimeSpan t) => TimeSpan.FromSeconds(Math.Round(t.TotalSeconds * scale, 3));
        var poet = new PoetTiming(
            phaseShift ?? Scaled(Poet.PhaseShift),
            cycleGap ?? Scaled(Poet.CycleGap),
            gracePeriod ?? Scaled(Poet.GracePeriod));
        return this with { LayerDuration = duration, LayersPerEpoch = layers, Poet = poet };
    }

    /// <summary>
    /// The genesis to run with: the preset's own when it has one (an explicit <paramref name="genesisTime"/> then
    /// replaces its time), else one at <paramref name="genesisTime"/> (whole seconds) with the preset's extra data.
    /// </summary>
    public GenesisConfig ResolveGenesis(DateTimeOffset? genesisTime = null, string? extraData = null)
    {
        if (Genesis is not null && genesisTime is null && extraData is null)
        {
            return Genesis;
        }

        var time = genesisTime ?? Genesis?.GenesisTime
            ?? throw new ArgumentException($"preset '{Name}' has no fixed genesis: give the genesis time", nameof(genesisTime));
        return new GenesisConfig(time, extraData ?? ExtraData);
    }

    /// <summary>The clock of this preset for <paramref name="genesis"/>.</summary>
    public LayerClock CreateClock(GenesisConfig genesis, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        return new LayerClock(genesis.GenesisTime, LayerDuration, LayersPerEpoch, timeProvider);
    }

    /// <summary>The PoET schedule of this preset on <paramref name="clock"/>.</summary>
    public PoetSchedule CreatePoetSchedule(LayerClock clock) => new(clock, Poet);
}
