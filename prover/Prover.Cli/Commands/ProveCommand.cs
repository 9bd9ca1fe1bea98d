using System.CommandLine;
using System.Globalization;
using Prover.Core.Data;
using Prover.Core.Proving;
using Prover.Kernels.Proving;

namespace Prover.Cli.Commands;

/// <summary><c>post prove</c>: generate a proof for a challenge over a PoST data directory (spec §4).</summary>
public static class ProveCommand
{
    public static Command Create()
    {
        var dataDir = Cli.Opt<string>("--datadir", "directory of the PoST data", "-d");
        dataDir.Required = true;
        var challenge = Cli.Opt<string>("--challenge", "32-byte challenge, hex", "-c");
        challenge.Required = true;
        var k1 = Cli.Opt("--k1", "k1: expected good labels per nonce (mainnet 26)", ProofConfig.Mainnet.K1);
        var k2 = Cli.Opt("--k2", "k2: good labels a nonce needs (mainnet 37)", ProofConfig.Mainnet.K2);
        var powDifficulty = Cli.Opt("--pow-difficulty", "per-unit k2pow difficulty, 32-byte hex (mainnet default)",
            Convert.ToHexStringLower(ProofConfig.Mainnet.PowDifficulty));
        var nonces = Cli.Opt("--nonces", "nonces per pass: a multiple of 16, at most 4096", 288, "-n");
        var threads = Cli.Opt("--threads", "scanning threads (0 = all cores; 1 = deterministic, like post-rs on one core)", 0, "-t");
        var randomxMode = Cli.Opt("--randomx-mode", "RandomX mode for the k2pow: fast or light", "fast");
        var powThreads = Cli.Opt("--pow-threads", "threads of the local k2pow search (0 = all cores)", 0);
        var remote = Cli.Opt<string?>("--remote-k2pow", "base URL of a k2pow-service to compute the k2pows");
        var json = Cli.Opt<bool>("--json", "print only the proof JSON (compact) on stdout");
        var command = new Command("prove", "Generate a proof: prints the certifier-form JSON {proof, metadata} on stdout, progress on stderr.")
        {
            dataDir, challenge, k1, k2, powDifficulty, nonces, threads, randomxMode, powThreads, remote, json,
        };
        command.SetAction(parse =>
        {
            byte[] ch = Hex.Parse(parse.GetValue(challenge), "--challenge", 32);
            var config = new ProofConfig(parse.GetValue(k1), parse.GetValue(k2), 1, Hex.Parse(parse.GetValue(powDifficulty), "--pow-difficulty", 32));
            var options = new ProvingOptions { Nonces = parse.GetValue(nonces), Threads = parse.GetValue(threads) };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new PostDataException(e.Message);
            }

            Uri? remoteUrl = null;
            if (parse.GetValue(remote) is { } url && !Uri.TryCreate(url, UriKind.Absolute, out remoteUrl))
            {
                throw new PostDataException($"--remote-k2pow: '{url}' is not an absolute URL");
            }

            string dir = parse.GetValue(dataDir)!;
            PostMetadata metadata = PostMetadata.Load(dir);
            if (!ProvingDifficulty.TryCompute(config.K1, metadata.TotalLabels, out _))
            {
                throw new PostDataException($"k1 {config.K1} does not fit {metadata.TotalLabels} labels");
            }

            var settings = new K2PowSettings(K2PowFactory.ParseLightMode(parse.GetValue(randomxMode)), parse.GetValue(powThreads), remoteUrl);
            var pow = K2PowFactory.Prover(settings);
            try
            {
                using var cts = Cli.CancelOnSignals();
                var factory = new ProvingScannerFactory();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"proving {metadata.TotalLabels} labels ({metadata.NumUnits} units) with {factory.Name}, {options.EffectiveThreads} threads, {options.Nonces} nonces per pass"));
                var prover = new PostProver(factory, pow);
                ProofResult result = new ProgressDisplay().Run("proving", update =>
                    prover.GenerateProofAsync(dir, ch, config, options, new SyncProgress<ProvingProgress>(p => update(p.BytesScanned, p.TotalBytes, Describe(p))), cts.Token)
                        .GetAwaiter().GetResult());

                string proofJson = ProofJson.Serialize(result.Proof, result.Metadata, indented: !parse.GetValue(json));
                if (!parse.GetValue(json))
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"proof found in {ProgressDisplay.Duration(result.Elapsed)} ({result.Passes} pass(es)): nonce {result.Proof.Nonce}, pow {result.Proof.Pow}, {result.Indices.Length} indices"));
                }

                Console.Out.WriteLine(proofJson);
                return ExitCodes.Ok;
            }
            catch (ProvingException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Invalid;
            }
            finally
            {
                (pow as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    internal static string Describe(ProvingProgress p)
    {
        // GiB for real data sets, MiB for small ones (a dev data set is a few hundred KiB).
        (double unit, string name) = p.TotalBytes >= 1L << 30 ? (1 << 30, "GiB") : (1 << 20, "MiB");
        return string.Create(CultureInfo.InvariantCulture,
            $"pass {p.Pass} nonces {p.NonceStart}..{p.NonceEnd} {p.Stage}: {p.BytesScanned / unit:F2}/{p.TotalBytes / unit:F2} {name}, {p.GiBPerSecond:F2} GiB/s");
    }
}
