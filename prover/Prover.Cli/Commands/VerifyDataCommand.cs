using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Data;
using Prover.Core.Init;

namespace Prover.Cli.Commands;

/// <summary><c>post verify-data</c>: recompute a random sample of labels of every file and the VRF nonce.</summary>
public static class VerifyDataCommand
{
    public static Command Create()
    {
        var dataDir = Cli.Opt<string>("--datadir", "directory of the PoST data", "-d");
        dataDir.Required = true;
        var fraction = Cli.Opt("--fraction", "percentage of each file's labels to recompute", 5.0, "-f");
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N the data was made with (not stored in the metadata)", 8192UL, "-n");
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var threads = Cli.Opt("--threads", "CPU threads (0 = all)", 0, "-t");
        var vrf = Cli.Opt<string?>("--vrf-difficulty", "difficulty the VRF nonce must meet: hex, 'go' (default) or 'max'");
        var seed = Cli.Opt<int?>("--seed", "random seed for the sample (default: random)");
        var json = Cli.Opt<bool>("--json", "print the result as JSON on stdout");
        var command = new Command("verify-data", "Check PoST data: recompute a random sample of each file's labels and the VRF nonce. Exit 1 on corruption.")
        {
            dataDir, fraction, scryptN, provider, threads, vrf, seed, json,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            using var p = ProviderSelection.ResolveOne(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse), "verify-data");
            using var cts = Cli.CancelOnSignals();
            var result = new ProgressDisplay().Run("verify-data", update =>
                DataVerification.Run(parse.GetValue(dataDir)!, p, parse.GetValue(scryptN), parse.GetValue(fraction),
                    InitCommand.ParseVrf(parse.GetValue(vrf)), parse.GetValue(seed),
                    new SyncProgress<(ulong Done, ulong Total)>(x => update(x.Done, x.Total, $"{x.Done}/{x.Total} labels")),
                    cts.Token));

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["ok"] = result.Ok,
                    ["files"] = result.FilesChecked,
                    ["labels_checked"] = result.LabelsChecked,
                    ["error"] = result.FirstProblem?.Message,
                    ["file"] = result.FirstProblem?.File,
                    ["offset"] = result.FirstProblem?.Offset,
                    ["nonce"] = result.Nonce,
                    ["nonce_valid"] = result.NonceValid,
                }));
            }
            else if (result.FirstProblem is { } problem)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"CORRUPT: file {problem.File} offset {problem.Offset}: {problem.Message}"));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ok: {result.LabelsChecked} labels in {result.FilesChecked} files match. {result.NonceMessage}"));
            }

            if (result.FirstProblem is null && result.NonceValid == false)
            {
                Console.Error.WriteLine(result.NonceMessage);
            }

            return result.Ok ? ExitCodes.Ok : ExitCodes.Invalid;
        });
        return command;
    }
}
