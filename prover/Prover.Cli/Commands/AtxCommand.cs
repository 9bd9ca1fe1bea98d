using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Kernels.Simd;
using Prover.Node;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Genesis;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Node.Types;
using Prover.Node.Validation;
using Prover.Storage.Rocks;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post atx decode</c> (decode a V1 ATX blob, check its signature and syntactic rules) and <c>post atx verify</c>
/// (full contextual validation against a node's database). Blobs are given as hex or <c>@FILE</c> (raw bytes, or hex
/// text). Output is one JSON object on stdout. Exit codes: decode 0 decoded, 2 not an ATX; verify 0 valid, 1 invalid,
/// 2 bad input.
/// </summary>
public static class AtxCommand
{
    private static readonly JsonSerializerOptions JsonOutput = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    /// <summary>The <c>atx</c> command with its sub-commands.</summary>
    public static Command Create() => new("atx", "Decode or validate ATX (activation transaction) V1 blobs")
    {
        Decode(),
        Verify(),
    };

    private static Command Decode()
    {
        var blob = new Argument<string>("BLOB") { Description = "the ATX: hex, or @FILE (raw bytes or hex text)" };
        var genesisId = Cli.Opt<string?>("--genesis-id", "the network's GenesisID (20 bytes hex); without it the signature is not checked");
        var command = new Command("decode",
            "Decode a V1 ATX blob: its fields, id, signature check (with --genesis-id) and syntactic rule violations as JSON. "
            + "Exit 0 decoded, 2 not an ATX.")
        {
            blob, genesisId,
        };
        command.SetAction(parse =>
        {
            var bytes = ReadBlob(parse.GetValue(blob));
            GenesisId? genesis = parse.GetValue(genesisId) is { } g ? new GenesisId(Hex.Parse(g, "--genesis-id", GenesisId.Length)) : null;
            if (!ActivationTxV1.TryDecode(bytes, out var atx, out var error))
            {
                Console.Error.WriteLine($"error: not an ATX V1: {error!.Message}");
                return ExitCodes.BadInput;
            }

            var json = Describe(atx!);
            json["signature_valid"] = genesis is { } prefix
                ? new EdVerifier(prefix).Verify(SignatureDomain.Atx, atx!.SmesherId, atx.SignedBytes(), atx.Signature.Span)
                : null;
            json["signature_checked_with"] = genesis?.ToString();
            json["syntax_errors"] = AtxSyntax.Check(atx!)
                .Select(e => new Dictionary<string, object?> { ["reason"] = e.Reason.ToString(), ["message"] = e.Message })
                .ToList();
            Console.Out.WriteLine(JsonSerializer.Serialize(json, JsonOutput));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verify()
    {
        var blob = new Argument<string>("BLOB") { Description = "the ATX: hex, or @FILE (raw bytes or hex text)" };
        var dataDir = Cli.Opt<string>("--datadir", "the node's database directory (RocksDB); it must exist, nothing is written");
        dataDir.Required = true;
        var preset = Cli.Opt("--preset", "network preset: mainnet, testnet or standalone", "mainnet");
        var genesisTime = Cli.Opt<DateTimeOffset?>("--genesis-time", "genesis time (needed by presets without a fixed genesis)");
        var genesisExtra = Cli.Opt<string?>("--genesis-extra-data", "genesis extra data (default: the preset's)");
        var currentEpoch = Cli.Opt<uint?>("--current-epoch", "the current epoch (default: from the clock)");
        var k1 = Cli.Opt<uint?>("--k1", "PoST K1 (default: the preset's)");
        var k2 = Cli.Opt<uint?>("--k2", "PoST K2 (default: the preset's)");
        var k3 = Cli.Opt<uint?>("--k3", "PoST K3, indices checked (default: the preset's)");
        var pow = Cli.Opt<string?>("--pow-difficulty", "k2pow difficulty per unit, 32 bytes hex (default: the preset's)");
        var labelsPerUnit = Cli.Opt<ulong?>("--labels-per-unit", "labels per unit (default: the preset's)");
        var minUnits = Cli.Opt<uint?>("--min-num-units", "minimum NumUnits (default: the preset's)");
        var maxUnits = Cli.Opt<uint?>("--max-num-units", "maximum NumUnits (default: the preset's)");
        var scryptN = Cli.Opt<ulong?>("--scrypt-n", "scrypt N of the labels (default: the preset's)");
        var tickSize = Cli.Opt<ulong?>("--tick-size", "PoET leaves per tick (default: the preset's)");
        var layersPerEpoch = Cli.Opt<uint?>("--layers-per-epoch", "layers per epoch (default: the preset's)");
        var seed = Cli.Opt<string?>("--subset-seed", "hex seed of the K3 subset (go-spacemesh: the local p2p id)");
        var command = new Command("verify",
            "Validate a V1 ATX against a node's database with every rule a node applies (signature, syntax, dependencies, "
            + "PoST, PoET membership, weight, double publication). JSON verdict; exit 0 valid, 1 invalid, 2 bad input.")
        {
            blob, dataDir, preset, genesisTime, genesisExtra, currentEpoch, k1, k2, k3, pow, labelsPerUnit, minUnits,
            maxUnits, scryptN, tickSize, layersPerEpoch, seed,
        };
        command.SetAction(parse =>
        {
            var bytes = ReadBlob(parse.GetValue(blob));
            NetworkPreset network;
            try
            {
                network = NetworkPreset.Get(parse.GetValue(preset)!);
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException("atx", e.Message);
            }

            if (parse.GetValue(layersPerEpoch) is { } lpe)
            {
                network = network.WithOverrides(layersPerEpoch: lpe);
            }

            GenesisConfig genesis;
            try
            {
                genesis = network.ResolveGenesis(parse.GetValue(genesisTime), parse.GetValue(genesisExtra));
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException("atx", e.Message);
            }

            var proof = network.Proof;
            proof = new ProofConfig(parse.GetValue(k1) ?? proof.K1, parse.GetValue(k2) ?? proof.K2, parse.GetValue(k3) ?? proof.K3,
                parse.GetValue(pow) is { } p ? Hex.Parse(p, "--pow-difficulty", 32) : proof.PowDifficulty);
            var init = network.Init;
            init = new InitConfig(parse.GetValue(minUnits) ?? init.MinNumUnits, parse.GetValue(maxUnits) ?? init.MaxNumUnits,
                parse.GetValue(labelsPerUnit) ?? init.LabelsPerUnit, parse.GetValue(scryptN) ?? init.ScryptN);
            var options = new AtxValidatorOptions
            {
                GoldenAtx = genesis.GoldenAtx,
                ProofConfig = proof,
                InitConfig = init,
                LayersPerEpoch = network.LayersPerEpoch,
                TickSize = parse.GetValue(tickSize) ?? network.TickSize,
                PostSubsetSeed = parse.GetValue(seed) is { } s ? Hex.Parse(s, "--subset-seed") : [],
            };
            var clock = network.CreateClock(genesis);
            var epoch = parse.GetValue(currentEpoch) is { } current ? new EpochId(current) : clock.CurrentEpoch;

            string dir = parse.GetValue(dataDir)!;
            if (!File.Exists(Path.Combine(dir, "CURRENT")))
            {
                throw new InvalidInputException(InputField.DataDir, $"--datadir {dir} is not a node database (no RocksDB CURRENT file)");
            }

            using var k2pow = CliK2Pow.Open(new K2PowBackendOptions { Mode = RandomXMode.Light, Threads = 1 });
            var powVerifier = k2pow.Verifier;
            using var labels = new SimdLabelSource();
            options = options with { LabelSource = labels };
            try
            {
                using var kv = RocksKeyValueStore.Open(dir, NodeColumns.All);
                NodeStore store;
                try
                {
                    store = NodeStore.Open(kv);
                }
                catch (IncompatibleSchemaException ex)
                {
                    throw new InvalidInputException(InputField.DataDir, ex.Message);
                }

                var validator = new AtxValidator(store, new EdVerifier(genesis.GenesisId), () => epoch, options, powVerifier);
                var verdict = validator.Validate(bytes, store: false);
                if (verdict.Reason == AtxRejection.Malformed)
                {
                    Console.Error.WriteLine($"error: not an ATX V1: {verdict.Message}");
                    return ExitCodes.BadInput;
                }

                Console.Out.WriteLine(JsonSerializer.Serialize(DescribeVerdict(verdict, epoch), JsonOutput));
                return verdict.IsValid ? ExitCodes.Ok : ExitCodes.Invalid;
            }
            finally
            {
                (powVerifier as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Reads a blob argument: hex, or @FILE holding raw bytes or hex text.</summary>
    private static byte[] ReadBlob(string? argument)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new InvalidInputException("atx", "the ATX blob is required (hex or @FILE)");
        }

        if (!argument.StartsWith('@'))
        {
            return Hex.Parse(argument, "the ATX blob");
        }

        var path = argument[1..];
        if (!File.Exists(path))
        {
            throw new InvalidInputException(InputField.File, $"{path} does not exist");
        }

        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        return text.Length > 0 && text.Length % 2 == 0 && text.All(Uri.IsHexDigit) ? Convert.FromHexString(text) : bytes;
    }

    private static Dictionary<string, object?> DescribeVerdict(AtxVerdict verdict, EpochId epoch)
    {
        var json = new Dictionary<string, object?>
        {
            ["valid"] = verdict.IsValid,
            ["reason"] = verdict.IsValid ? null : verdict.Reason.ToString(),
            ["message"] = verdict.Message,
            ["syntax_reason"] = verdict.SyntaxReason?.ToString(),
            ["id"] = verdict.Id?.ToString(),
            ["current_epoch"] = epoch.Value,
        };
        if (verdict.IsValid)
        {
            json["validity"] = verdict.Validity.ToString().ToLowerInvariant();
            json["effective_num_units"] = verdict.EffectiveNumUnits;
            json["base_tick_height"] = verdict.BaseTickHeight;
            json["tick_count"] = verdict.TickCount;
            json["tick_height"] = verdict.TickHeight;
            json["weight"] = verdict.Weight;
        }

        if (verdict.MalfeasanceProof is { } proof)
        {
            json["malfeasance_proof"] = Hex.Format(proof.Span);
        }

        return json;
    }

    private static Dictionary<string, object?> Describe(ActivationTxV1 atx)
    {
        static object? Post(PostV1? post) => post is null
            ? null
            : new Dictionary<string, object?> { ["nonce"] = post.Nonce, ["indices"] = Hex.Format(post.Indices), ["pow"] = post.Pow };

        var nipost = atx.NIPost;
        return new Dictionary<string, object?>
        {
            ["id"] = atx.ComputeId().ToString(),
            ["version"] = 1,
            ["publish_epoch"] = atx.PublishEpoch.Value,
            ["sequence"] = atx.Sequence,
            ["initial"] = atx.IsInitial,
            ["prev_atx_id"] = atx.PrevAtxId.ToString(),
            ["positioning_atx_id"] = atx.PositioningAtxId.ToString(),
            ["commitment_atx_id"] = atx.CommitmentAtxId?.ToString(),
            ["initial_post"] = Post(atx.InitialPost),
            ["coinbase"] = Hex.Format(atx.Coinbase.Span),
            ["num_units"] = atx.NumUnits,
            ["nipost"] = nipost is null
                ? null
                : new Dictionary<string, object?>
                {
                    ["membership"] = new Dictionary<string, object?>
                    {
                        ["leaf_index"] = nipost.Membership.LeafIndex,
                        ["nodes"] = nipost.Membership.Nodes.Select(n => n.ToString()).ToList(),
                    },
                    ["post"] = Post(nipost.Post),
                    ["post_metadata"] = nipost.PostMetadata is { } m
                        ? new Dictionary<string, object?> { ["challenge"] = Hex.Format(m.Challenge), ["labels_per_unit"] = m.LabelsPerUnit }
                        : null,
                },
            ["node_id"] = atx.NodeId?.ToString(),
            ["vrf_nonce"] = atx.VrfNonce,
            ["smesher_id"] = atx.SmesherId.ToString(),
            ["signature"] = atx.Signature.ToString(),
            ["signed_bytes"] = Hex.Format(atx.SignedBytes()),
            ["poet_challenge"] = atx.PoetChallengeHash().ToString(),
        };
    }

}
