using System.Globalization;
using System.Text;
using Prover.Core.Primitives;

namespace Prover.Node.Genesis;

/// <summary>
/// A network's genesis: its time and extra data, and what they determine (go-spacemesh <c>config/genesis.go</c>):
/// <c>GoldenATX = blake3(decimal(unix seconds of genesis) ‖ extra data)</c> and <c>GenesisID = GoldenATX[0:20]</c>.
/// The extra data is hashed as its text (the hex digits of mainnet's string, not their bytes).
/// </summary>
public sealed record GenesisConfig
{
    /// <summary>go-spacemesh's upper bound on the extra data (<c>GenesisConfig.Validate</c>).</summary>
    public const int MaxExtraDataLength = 255;

    /// <summary>A genesis; the time is kept to whole seconds (the hash takes unix seconds).</summary>
    /// <exception cref="ArgumentException">The extra data is empty or longer than 255 bytes.</exception>
    public GenesisConfig(DateTimeOffset genesisTime, string extraData)
    {
        ArgumentNullException.ThrowIfNull(extraData);
        var length = Encoding.UTF8.GetByteCount(extraData);
        if (length is 0 or > MaxExtraDataLength)
        {
            throw new ArgumentException(
                $"genesis extra data must be 1 to {MaxExtraDataLength} bytes, got {length}", nameof(extraData));
        }

        GenesisTime = DateTimeOffset.FromUnixTimeSeconds(genesisTime.ToUnixTimeSeconds());
        ExtraData = extraData;
        var input = Encoding.UTF8.GetBytes(
            GenesisTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + extraData);
        Span<byte> hash = stackalloc byte[32];
        Prover.Core.Crypto.Blake3.Hash(input, hash);
        GoldenAtx = new AtxId(hash);
        GenesisId = new GenesisId(Hash20.Truncate(hash));
    }

    /// <summary>The genesis time (UTC, whole seconds): layer 0 starts here.</summary>
    public DateTimeOffset GenesisTime { get; }

    /// <summary>The extra data string.</summary>
    public string ExtraData { get; }

    /// <summary>The golden ATX: commitment and positioning ATX of the first ATXs.</summary>
    public AtxId GoldenAtx { get; }

    /// <summary>The network's identity, the prefix of every signature.</summary>
    public GenesisId GenesisId { get; }

    /// <summary>Mainnet: 2023-07-14T08:00:00Z and <c>config/mainnet.go</c>'s extra data.</summary>
    public static GenesisConfig Mainnet { get; } = new(
        new DateTimeOffset(2023, 7, 14, 8, 0, 0, TimeSpan.Zero),
        "00000000000000000001a6bc150307b5c1998045752b3c87eccf3c013036f3cc");

    /// <summary>The testnet preset: 2023-09-13T18:00:00Z and <c>config/presets/testnet.go</c>'s extra data.</summary>
    public static GenesisConfig Testnet { get; } = new(
        new DateTimeOffset(2023, 9, 13, 18, 0, 0, TimeSpan.Zero),
        "0000000000000000000000c76c58ebac180989673fd6d237b40e66ed5c976ec3");

    /// <summary>
    /// go-spacemesh's p2p Noise prologue, <c>hex(GenesisID)-EffectiveGenesis</c> with EffectiveGenesis =
    /// 2·LayersPerEpoch − 1 (<c>node/node.go</c>): networks with other genesis or epoch length do not connect.
    /// </summary>
    public string NoisePrologue(uint layersPerEpoch) =>
        $"{GenesisId}-{(2UL * layersPerEpoch - 1).ToString(CultureInfo.InvariantCulture)}";
}
