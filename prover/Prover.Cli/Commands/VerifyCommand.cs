using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Verifier;

namespace Prover.Cli.Commands;

/// <summary><c>post verify</c>: check a proof in the certifier JSON form (spec §6). Exit 0 valid, 1 invalid, 2 bad input.</summary>
public static class VerifyCommand
{
    /// <summary>
    /// The most bytes read as a proof. A proof is small: k2 ≤ 65535 indices of at most 64 bits pack into 512 KiB,
    /// 683 KiB in base64, and the rest is a few hundred bytes; so anything longer is not a proof, and an endless input
    /// (<c>/dev/zero</c>, a pipe that never closes) is refused instead of read until memory runs out.
    /// </summary>
    public const int MaxProofBytes = 1 << 20;

    /// <summary>The largest scrypt N accepted (128 MiB of scrypt memory per label): far above any network's 8192.</summary>
    public const ulong MaxScryptN = Prover.Core.Init.InitOptions.MaxScryptN;

    public static Command Create()
    {
        var proofFile = Cli.Opt<string>("--proof", "proof JSON file ({proof, metadata}); '-' reads stdin", "-p");
        proofFile.Required = true;
        var labelsPerUnit = Cli.Opt("--labels-per-unit", "network labels per unit (mainnet 2^32)", InitConfig.Mainnet.LabelsPerUnit);
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N of the labels (mainnet 8192)", InitConfig.Mainnet.ScryptN, "-n")
            .PowerOfTwo(2UL, MaxScryptN);
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
        var command = new Command("verify", "Verify a proof. Exit 0 valid, 1 invalid (the failed check is printed with the parameters and flags it used), 2 bad input (also a proof over 1 MiB or with a key given twice).")
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
            RandomXMode randomX = CliK2Pow.ParseMode(parse.GetValue(randomxMode));
            bool lightMode = randomX == RandomXMode.Light;
            (Proof proof, ProofMetadata metadata) = ReadProof(parse.GetValue(proofFile)!);

            using var k2pow = CliK2Pow.Open(new K2PowBackendOptions { Mode = randomX, Threads = 1 });
            VerifyError? error = new ProofVerifier(proofConfig, initConfig, k2pow.Verifier).Verify(proof, metadata, mode);

            string? explanation = error is null ? null : Explain(error, proof, metadata, proofConfig, initConfig, lightMode);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["valid"] = error is null,
                    // The code of the failed check, as post-rs names it (NumUnitsTooSmall, InvalidPoW, InvalidMsb, …).
                    ["error"] = error?.GetType().Name,
                    ["index_id"] = error switch
                    {
                        VerifyError.InvalidMsb m => m.IndexId,
                        VerifyError.InvalidLsb l => l.IndexId,
                        _ => null,
                    },
                    ["message"] = explanation,
                }, Cli.JsonOutput));
            }
            else
            {
                Console.Out.WriteLine(error is null ? "valid" : $"invalid: {explanation}");
            }

            return error is null ? ExitCodes.Ok : ExitCodes.Invalid;
        });
        return command;
    }

    /// <summary>
    /// Reads and parses the proof file ('-' = stdin), at most <see cref="MaxProofBytes"/>; unreadable, oversized or
    /// malformed input is a <see cref="InvalidInputException"/> (exit 2).
    /// </summary>
    private static (Proof Proof, ProofMetadata Metadata) ReadProof(string path)
    {
        bool stdin = path == "-";
        string name = stdin ? "the proof on stdin" : path;
        if (!stdin && Directory.Exists(path))
        {
            throw new InvalidInputException("proof", $"--proof {path} is a directory, not a proof file");
        }

        if (!stdin && !File.Exists(path))
        {
            throw new InvalidInputException("proof", $"--proof {path} does not exist");
        }

        byte[] bytes;
        try
        {
            using var stream = stdin
                ? Console.OpenStandardInput()
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            bytes = ReadAtMost(stream, MaxProofBytes + 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("proof", $"cannot read --proof {path}: {Cli.IoMessage(e, resumable: false)}", e);
        }

        if (bytes.Length > MaxProofBytes)
        {
            throw new InvalidInputException("proof", string.Create(CultureInfo.InvariantCulture,
                $"{name} is longer than {MaxProofBytes / 1024} KiB: not a proof (a proof of up to 65535 indices is under 700 KiB); stopped reading there"));
        }

        try
        {
            return ProofJson.Deserialize(Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'));
        }
        catch (FormatException e)
        {
            throw new InvalidInputException("proof", $"{name}: {e.Message}", e);
        }
    }

    /// <summary>Up to <paramref name="limit"/> bytes of <paramref name="stream"/> (fewer at its end).</summary>
    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        var buffer = new byte[Math.Min(limit, 64 * 1024)];
        int total = 0;
        while (total < limit)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(limit, buffer.Length * 2));
            }

            int read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return buffer[..total];
    }

    /// <summary>
    /// A failed check in words: what was compared, with the parameters used and the flags that set them (no type names).
    /// </summary>
    private static string Explain(VerifyError error, Proof proof, ProofMetadata metadata, ProofConfig proofConfig,
        InitConfig initConfig, bool lightMode)
    {
        var c = CultureInfo.InvariantCulture;
        uint units = metadata.NumUnits;
        uint nonceGroup = proof.Nonce / ProvingConstants.NoncesPerGroup;
        UInt128 labels = (UInt128)units * initConfig.LabelsPerUnit;
        string size = string.Create(c, $"num_units {units} × {initConfig.LabelsPerUnit} labels per unit (--labels-per-unit) = {labels} labels");
        string labelParameters = string.Create(c,
            $"k1 = {proofConfig.K1} (--k1), {size}, scrypt N = {initConfig.ScryptN} (--scrypt-n)");
        return error switch
        {
            VerifyError.NumUnitsTooSmall e => string.Create(c,
                $"the proof's num_units {e.Actual} is below the minimum {e.Min} (--min-num-units)"),
            VerifyError.NumUnitsTooLarge e => string.Create(c,
                $"the proof's num_units {e.Actual} is above the maximum {e.Max} (--max-num-units)"),
            VerifyError.NonceGroupOutOfBounds e => string.Create(c,
                $"nonce {proof.Nonce} is in nonce group {e.NonceGroup} (nonce / {ProvingConstants.NoncesPerGroup}); a proof's nonce group must be 0..255"),
            VerifyError.InvalidPoW => string.Create(c,
                $"k2pow {proof.Pow} is invalid for nonce group {nonceGroup} with difficulty {Convert.ToHexStringLower(K2PowDifficulty.Scale(proofConfig.PowDifficulty, units))} " +
                $"(per unit from --pow-difficulty {Convert.ToHexStringLower(proofConfig.PowDifficulty)} / {units} units; " +
                $"challenge prefix {Convert.ToHexStringLower(metadata.Challenge.Span[..8])}, node id {metadata.NodeId}; RandomX {(lightMode ? "light" : "fast")} mode)"),
            VerifyError.InvalidIndicesLen e => string.Create(c,
                $"indices are {e.Actual} bytes, expected {e.Expected}: k2 = {proofConfig.K2} indices (--k2) of " +
                $"{(labels > ulong.MaxValue ? "?" : IndexCompression.RequiredBits((ulong)labels).ToString(c))} bits each for {size}"),
            VerifyError.InvalidNumLabels => labels > ulong.MaxValue
                ? string.Create(c, $"{size} does not fit in 64 bits: check --labels-per-unit")
                : string.Create(c, $"no proving difficulty for k1 = {proofConfig.K1} (--k1) and {size}: k1 must be below the number of labels"),
            VerifyError.InvalidMsb e => string.Create(c,
                $"the label at index {e.IndexId} of the proof (label {e.LabelIndex}{FileHint(e.LabelIndex)}) does not meet the difficulty " +
                $"for {labelParameters}: its score byte {e.Msb} is above {e.DifficultyMsb}"),
            VerifyError.InvalidLsb e => string.Create(c,
                $"the label at index {e.IndexId} of the proof (label {e.LabelIndex}{FileHint(e.LabelIndex)}) does not meet the difficulty " +
                $"for {labelParameters}: its low score {e.Lsb} is not below {e.DifficultyLsb}"),
            _ => error.Message,
        };
    }

    /// <summary>Where a label lies with mainnet's 4 GiB files (a proof does not say how its data was split).</summary>
    private static string FileHint(ulong label) =>
        string.Create(CultureInfo.InvariantCulture, $", in postdata_{label / ((4UL << 30) / PostDataLayout.LabelSize)}.bin with 4 GiB files");

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
                throw new InvalidInputException("index", "--index and --k3 select different checks; give only one of them");
            }

            if (one < 0 || (uint)one >= k2)
            {
                throw new InvalidInputException("index", string.Create(CultureInfo.InvariantCulture,
                    $"--index {one} is not a position in the proof: a proof holds k2 = {k2} indices, positions 0..{(long)k2 - 1}"));
            }

            return VerifyMode.One(one);
        }

        if (k3 is not { } subset)
        {
            return string.IsNullOrEmpty(seed)
                ? VerifyMode.All
                : throw new InvalidInputException("seed", "--seed selects the k3 subset; give --k3 with it");
        }

        if (subset == 0 || subset > k2)
        {
            throw new InvalidInputException("k3", string.Create(CultureInfo.InvariantCulture,
                $"--k3 must be between 1 and k2 = {k2} (got {subset})"));
        }

        return VerifyMode.Subset((int)subset, string.IsNullOrEmpty(seed) ? [] : Hex.Parse(seed, "--seed"));
    }

    /// <summary>Rejects parameters no network uses and the verifier cannot work with.</summary>
    private static void ValidateConfigs(ProofConfig proof, InitConfig init)
    {
        if (proof.K1 == 0 || proof.K2 == 0 || proof.K2 > ushort.MaxValue)
        {
            throw new InvalidInputException("k1", string.Create(CultureInfo.InvariantCulture,
                $"--k1 must be ≥ 1 and --k2 between 1 and {ushort.MaxValue} (got k1 {proof.K1}, k2 {proof.K2})"));
        }

        if (init.LabelsPerUnit == 0)
        {
            throw new InvalidInputException("labelsPerUnit", "--labels-per-unit must be ≥ 1");
        }

        if (init.MinNumUnits == 0 || init.MinNumUnits > init.MaxNumUnits)
        {
            throw new InvalidInputException("minNumUnits", string.Create(CultureInfo.InvariantCulture,
                $"need 1 ≤ --min-num-units ≤ --max-num-units (got {init.MinNumUnits} and {init.MaxNumUnits})"));
        }
    }
}
