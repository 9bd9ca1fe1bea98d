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
        var k3 = Cli.Opt<uint?>("--k3", "check only k3 random indices, 1..k2 (spec §6.1; nodes use 1); default: all k2");
        var seed = Cli.Opt("--seed", "hex seed of the k3 subset, with --k3 (nodes use their peer id)", string.Empty);
        var index = Cli.Opt<int?>("--index", "check only the index at this position, 0..k2-1 (malfeasance re-check)");
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
            // Flags first: a bad flag is exit 2 before the proof is read or RandomX is set up.
            var proofConfig = new ProofConfig(parse.GetValue(k1), parse.GetValue(k2), parse.GetValue(k3) ?? parse.GetValue(k2),
                Hex.Parse(parse.GetValue(powDifficulty), "--pow-difficulty", 32));
            var initConfig = new InitConfig(parse.GetValue(minUnits), parse.GetValue(maxUnits), parse.GetValue(labelsPerUnit), parse.GetValue(scryptN));
            ValidateConfigs(proofConfig, initConfig);
            VerifyMode mode = SelectMode(proofConfig.K2, parse.GetValue(index), parse.GetValue(k3), parse.GetValue(seed));
            bool lightMode = K2PowFactory.ParseLightMode(parse.GetValue(randomxMode));
            (Proof proof, ProofMetadata metadata) = ReadProof(parse.GetValue(proofFile)!);

            var powVerifier = K2PowFactory.Verifier(new K2PowSettings(lightMode, 1));
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

    /// <summary>Reads and parses the proof file ('-' = stdin); unreadable or malformed input is a <see cref="PostDataException"/> (exit 2).</summary>
    private static (Proof Proof, ProofMetadata Metadata) ReadProof(string path)
    {
        string text;
        try
        {
            text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PostDataException($"cannot read --proof {path}: {e.Message}", e);
        }

        try
        {
            return ProofJson.Deserialize(text);
        }
        catch (FormatException e)
        {
            throw new PostDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The mode the flags ask for. <c>--index</c> must name one of the proof's k2 positions: post-rs's One mode checks
    /// nothing beyond k2 and would report a proof valid without looking at it.
    /// </summary>
    private static VerifyMode SelectMode(uint k2, int? index, uint? k3, string? seed)
    {
        if (index is { } one)
        {
            if (k3 is not null)
            {
                throw new PostDataException("--index and --k3 select different checks; give only one of them");
            }

            if (one < 0 || (uint)one >= k2)
            {
                throw new PostDataException(string.Create(CultureInfo.InvariantCulture,
                    $"--index {one} is not a position in the proof: a proof holds k2 = {k2} indices, positions 0..{(long)k2 - 1}"));
            }

            return VerifyMode.One(one);
        }

        if (k3 is not { } subset)
        {
            return string.IsNullOrEmpty(seed)
                ? VerifyMode.All
                : throw new PostDataException("--seed selects the k3 subset; give --k3 with it");
        }

        if (subset == 0 || subset > k2)
        {
            throw new PostDataException(string.Create(CultureInfo.InvariantCulture,
                $"--k3 must be between 1 and k2 = {k2} (got {subset})"));
        }

        return VerifyMode.Subset((int)subset, string.IsNullOrEmpty(seed) ? [] : Hex.Parse(seed, "--seed"));
    }

    /// <summary>Rejects parameters no network uses and the verifier cannot work with.</summary>
    private static void ValidateConfigs(ProofConfig proof, InitConfig init)
    {
        if (init.ScryptN < 2 || (init.ScryptN & (init.ScryptN - 1)) != 0)
        {
            throw new PostDataException($"--scrypt-n must be a power of two ≥ 2 (got {init.ScryptN})");
        }

        if (proof.K1 == 0 || proof.K2 == 0 || proof.K2 > ushort.MaxValue)
        {
            throw new PostDataException(string.Create(CultureInfo.InvariantCulture,
                $"--k1 must be ≥ 1 and --k2 between 1 and {ushort.MaxValue} (got k1 {proof.K1}, k2 {proof.K2})"));
        }

        if (init.LabelsPerUnit == 0)
        {
            throw new PostDataException("--labels-per-unit must be ≥ 1");
        }

        if (init.MinNumUnits == 0 || init.MinNumUnits > init.MaxNumUnits)
        {
            throw new PostDataException(string.Create(CultureInfo.InvariantCulture,
                $"need 1 ≤ --min-num-units ≤ --max-num-units (got {init.MinNumUnits} and {init.MaxNumUnits})"));
        }
    }
}
