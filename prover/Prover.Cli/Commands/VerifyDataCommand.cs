using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post verify-data</c>: recompute a random sample of labels of every file and the VRF nonce. One verdict, and an
/// exit code that agrees with it: <c>ok</c> 0; <c>INCOMPLETE</c> (short or missing files, no VRF nonce, an unfinished
/// init), <c>NONCE INVALID</c> and <c>CORRUPT</c> (a label or file differs) 1; bad flags or no data directory 2.
/// </summary>
public static class VerifyDataCommand
{
    public static Command Create()
    {
        var dataDir = Cli.DataDirOpt("directory of the PoST data");
        var fraction = Cli.Opt("--fraction", "percentage of each file's labels to recompute, 0 < F ≤ 100", 5.0, "-f");
        fraction.Validators.Add(result =>
        {
            double f = result.GetValueOrDefault<double>();
            if (!(f > 0 && f <= 100))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--fraction must be a percentage above 0 and at most 100, got {f}"));
            }
        });
        var scryptN = Cli.Opt<ulong?>("--scrypt-n",
                "scrypt N the data was made with (default: the N post init recorded in the data directory, else 8192)", "-n")
            .PowerOfTwo(2UL, VerifyCommand.MaxScryptN);
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var threads = Cli.Opt("--threads", "CPU threads (0 = all)", 0, "-t").InRange(0, Cli.MaxThreads);
        var vrf = Cli.Opt<string?>("--vrf-difficulty", "difficulty the VRF nonce must meet: hex, 'go' (default) or 'max'");
        var seed = Cli.Opt<int?>("--seed", "random seed for the sample (default: random)").InRange(0, int.MaxValue);
        var json = Cli.Opt<bool>("--json", "print the result as JSON on stdout (\"verdict\": ok, incomplete, nonce_invalid or corrupt)");
        var command = new Command("verify-data",
            "Check PoST data: recompute a random sample of each file's labels and the VRF nonce. Exit 0 ok; 1 INCOMPLETE "
            + "(short or missing files, no VRF nonce, an unfinished init: run post init again), NONCE INVALID or CORRUPT; 2 bad input.")
        {
            dataDir, fraction, scryptN, provider, threads, vrf, seed, json,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(dataDir)!;
            byte[]? vrfDifficulty = InitCommand.ParseVrf(parse.GetValue(vrf));
            if (File.Exists(dir))
            {
                throw new InvalidInputException("dataDir", $"--datadir {dir} is a file, not a directory");
            }

            if (!Directory.Exists(dir))
            {
                throw new InvalidInputException("dataDir", $"--datadir {dir} does not exist");
            }

            _ = PostMetadata.Load(dir); // a directory without PoST data is refused before a lock file is left in it
            using var dirLock = LockForReading(dir);
            (ulong n, string source) = DataVerification.ResolveScryptN(dir, parse.GetValue(scryptN));
            source = FlagNames.Rename(source);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scrypt N = {n} (from {source})"));
            using var p = ProviderSelection.ResolveOne(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse), "verify-data");
            using var cts = Cli.CancelOnSignals();
            var result = new ProgressDisplay().Run("verify-data", update =>
                DataVerification.Run(dir, p, n, parse.GetValue(fraction), vrfDifficulty, parse.GetValue(seed),
                    new SyncProgress<(ulong Done, ulong Total)>(x => update(x.Done, x.Total, $"{x.Done}/{x.Total} labels")),
                    cts.Token));

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["verdict"] = result.Verdict switch
                    {
                        DataVerdict.Ok => "ok",
                        DataVerdict.Incomplete => "incomplete",
                        DataVerdict.NonceInvalid => "nonce_invalid",
                        _ => "corrupt",
                    },
                    ["ok"] = result.Ok,
                    ["files"] = result.FilesChecked,
                    ["labels_checked"] = result.LabelsChecked,
                    ["scrypt_n"] = n,
                    ["scrypt_n_source"] = source,
                    ["error"] = result.FirstProblem?.Message,
                    ["file"] = result.FirstProblem?.File,
                    ["offset"] = result.FirstProblem?.Offset,
                    ["incomplete"] = result.Missing,
                    ["nonce"] = result.Nonce,
                    ["nonce_valid"] = result.NonceValid,
                    ["nonce_message"] = FlagNames.Rename(result.NonceMessage),
                }, Cli.JsonOutput));
            }
            else
            {
                Console.Out.WriteLine(Describe(result, n));
            }

            return result.Ok ? ExitCodes.Ok : ExitCodes.Invalid;
        });
        return command;
    }

    /// <summary>The verdict first, in one word, then what it rests on.</summary>
    private static string Describe(DataVerificationResult result, ulong scryptN)
    {
        var c = CultureInfo.InvariantCulture;
        string matched = string.Create(c, $"{result.LabelsChecked} labels checked in {result.FilesChecked} files match at scrypt N = {scryptN}");
        string missing = string.Join("; ", result.Missing);
        return result.Verdict switch
        {
            DataVerdict.Corrupt when result.FirstProblem is { } problem => string.Create(c,
                $"CORRUPT: file {problem.File} offset {problem.Offset}: {problem.Message}")
                + (result.Missing.Count > 0 ? $"\nalso incomplete: {missing}" : ""),
            DataVerdict.NonceInvalid => $"NONCE INVALID: {FlagNames.Rename(result.NonceMessage)}. The {matched}."
                + (result.Missing.Count > 0 ? $"\nalso incomplete: {missing}" : ""),
            DataVerdict.Incomplete => $"INCOMPLETE: {missing}. The {matched}; run the same post init again to finish the data."
                + (result.NonceValid == true ? $" {FlagNames.Rename(result.NonceMessage)}." : ""),
            _ => $"ok: {matched}. {FlagNames.Rename(result.NonceMessage)}.",
        };
    }

    /// <summary>
    /// Holds the directory's lock shared while reading, so that a running <c>post init</c> is not checked mid-write
    /// (refused naming its PID). A directory where no lock file can be made (a read-only mount, no write permission)
    /// cannot be written by <c>post init</c> either: it is checked without one.
    /// </summary>
    private static DataDirLock? LockForReading(string dir)
    {
        try
        {
            return DataDirLock.AcquireShared(dir, "post verify-data");
        }
        catch (Exception e) when (e is UnauthorizedAccessException || (e is IOException && !File.Exists(Path.Combine(dir, DataDirLock.FileName))))
        {
            Console.Error.WriteLine($"note: cannot lock {dir} ({Cli.IoMessage(e, resumable: false)}); checking it without the lock");
            return null;
        }
    }
}
