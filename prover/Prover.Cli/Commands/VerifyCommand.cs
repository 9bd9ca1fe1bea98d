using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Data;
using Prover.Core.Proving;
using Prover.Verifier;

namespace Prover.Cli.Commands;

/// <summary><c>post verify</c>: check a proof in the certifier JSON form (spec §6). Exit 0 valid, 1 invalid, 2 bad input.</summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var proofFile = Cli.Opt<string>("--proof", "proof JSON file ({proof, metadata}); '-' reads stdin", "-p");
        proofFile.Required = true;
        var labelsPerUnit = Cli.Opt("--labels-per-unit", "network labels per unit (mainnet 2^32)", InitConfig.Mainnet.LabelsPerUnit);
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N of the labels (mainnet 8192)", InitConfig.Mainnet.ScryptN, "-n");
        var k1 = Cli.Opt("--k1", "k1 (mainnet 26)", ProofConfig.Mainnet.K1);
        var k2 = Cli.Opt("--k2", "k2 (mainnet 37)", ProofConfig.Mainnet.K2);
        var k3 = Cli.Opt<uint?>("--k3", "check only k3 random indices (spec §6.1; nodes use 1); default: all k2");
        var seed = Cli.Opt("--seed", "hex seed of the k3 subset (nodes use their peer id)", string.Empty);
        var index = Cli.Opt<int?>("--index", "check only the index at this position (malfeasance re-check)");
        var powDifficulty = Cli.Opt("--pow-difficulty", "per-unit k2pow difficulty, 32-byte hex (mainnet default)",
            Convert.ToHexStringLower(ProofConfig.Mainnet.PowDifficulty));
        var minUnits = Cli.Opt("--min-num-units", "smallest accepted num_units (mainnet 4)", InitConfig.Mainnet.MinNumUnits);
        var maxUnits = Cli.Opt("--max-num-units", "largest accepted num_units", InitConfig.Mainnet.MaxNumUnits);
        var randomxMode = Cli.Opt("--randomx-mode", "RandomX mode for the k2pow check: fast or light", "light");
        var json = Cli.Opt<bool>("--json", "print the result as JSON on stdout");
        var command = new Command("verify", "Verify a proof. Exit 0 valid, 1 invalid (the typed error is printed), 2 bad input.")
        {
            proofFile, labelsPerUnit, scryptN, k1, k2, k3, seed, index, powDifficulty, minUnits, maxUnits, randomxMode, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(proofFile)!;
            string text;
            try
            {
                text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PostDataException($"cannot read --proof {path}: {e.Message}", e);
            }

            Proof proof;
            ProofMetadata metadata;
            try
            {
                (proof, metadata) = ProofJson.Deserialize(text);
            }
            catch (FormatException e)
            {
                throw new PostDataException($"{path}: {e.Message}", e);
            }

            ulong n = parse.GetValue(scryptN);
            if (n < 2 || (n & (n - 1)) != 0)
            {
                throw new PostDataException($"--scrypt-n must be a power of two ≥ 2 (got {n})");
            }

            var proofConfig = new ProofConfig(parse.GetValue(k1), parse.GetValue(k2), parse.GetValue(k3) ?? parse.GetValue(k2),
                Hex.Parse(parse.GetValue(powDifficulty), "--pow-difficulty", 32));
            var initConfig = new InitConfig(parse.GetValue(minUnits), parse.GetValue(maxUnits), parse.GetValue(labelsPerUnit), n);
            VerifyMode mode = parse.GetValue(index) is { } one
                ? VerifyMode.One(one)
                : parse.GetValue(k3) is { } subset
                    ? VerifyMode.Subset((int)subset, string.IsNullOrEmpty(parse.GetValue(seed)) ? [] : Hex.Parse(parse.GetValue(seed), "--seed"))
                    : VerifyMode.All;

            var powVerifier = K2PowFactory.Verifier(new K2PowSettings(K2PowFactory.ParseLightMode(parse.GetValue(randomxMode)), 1));
            VerifyError? error;
            try
            {
                error = new ProofVerifier(proofConfig, initConfig, powVerifier).Verify(proof, metadata, mode);
            }
            finally
            {
                (powVerifier as IDisposable)?.Dispose();
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["valid"] = error is null,
                    ["error"] = error?.GetType().Name,
                    ["index_id"] = error switch
                    {
                        VerifyError.InvalidMsb m => m.IndexId,
                        VerifyError.InvalidLsb l => l.IndexId,
                        _ => null,
                    },
                    ["message"] = error?.Message,
                }));
            }
            else
            {
                Console.Out.WriteLine(error is null ? "valid" : string.Create(CultureInfo.InvariantCulture, $"invalid: {error}"));
            }

            return error is null ? ExitCodes.Ok : ExitCodes.Invalid;
        });
        return command;
    }
}
