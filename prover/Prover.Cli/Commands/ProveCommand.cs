using System.CommandLine;
using System.Globalization;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Proving;
using Prover.Verifier;

namespace Prover.Cli.Commands;

/// <summary><c>post prove</c>: generate a proof for a challenge over a PoST data directory (spec §4).</summary>
public static class ProveCommand
{
    /// <summary>Default of <c>--remote-k2pow-retries</c>: with the default 5 s backoff, about a minute of failed connections.</summary>
    public const int DefaultRemoteRetries = 10;

    /// <summary>Largest N <c>prove</c> tries when the data's scrypt N is neither given nor recorded.</summary>
    private const ulong LargestGuessedScryptN = 1UL << 16;

    public static Command Create()
    {
        var dataDir = Cli.DataDirOpt("directory of the PoST data");
        var challenge = Cli.Opt<string>("--challenge", "32-byte challenge, hex", "-c");
        challenge.Required = true;
        var k1 = Cli.Opt("--k1", "k1: expected good labels per nonce (mainnet 26)", ProofConfig.Mainnet.K1).InRange(1u, uint.MaxValue);
        var k2 = Cli.Opt("--k2", "k2: good labels a nonce needs (mainnet 37)", ProofConfig.Mainnet.K2).InRange(1u, (uint)int.MaxValue);
        var powDifficulty = Cli.Opt("--pow-difficulty", "per-unit k2pow difficulty, 32-byte hex (mainnet default)",
            Convert.ToHexStringLower(ProofConfig.Mainnet.PowDifficulty));
        var nonces = Cli.Opt("--nonces", "nonces per pass: a multiple of 16, at most 4096", 288, "-n")
            .InRange(ProvingConstants.NoncesPerGroup, ProvingConstants.MaxNonces);
        var threads = Cli.Opt("--threads", "scanning threads (0 = all cores; 1 = deterministic, like post-rs on one core)", 0, "-t")
            .InRange(0, Cli.MaxThreads);
        var randomxMode = Cli.Opt("--randomx-mode", "RandomX mode for the k2pow: fast or light", "fast");
        var powThreads = Cli.Opt("--pow-threads", "threads of the local k2pow search (0 = all cores)", 0).InRange(0, Cli.MaxThreads);
        var remote = Cli.Opt<string?>("--remote-k2pow", "base URL of a k2pow-service to compute the k2pows");
        var remoteRetries = Cli.Opt("--remote-k2pow-retries",
            "with --remote-k2pow: failed connections in a row (each logged) after which prove gives up with exit 1",
            DefaultRemoteRetries).InRange(0, 100_000);
        var remoteBackoff = Cli.Opt("--remote-k2pow-backoff",
            "with --remote-k2pow: seconds between polls of a job and between retries (post-service's default)", 5.0).InRange(0.0, 3600.0);
        var scryptN = Cli.Opt<ulong?>("--scrypt-n",
            "scrypt N of the data, to check the proof's labels before printing it (default: the N 'post init' recorded in the directory, else 8192 or the power of two up to 65536 that reproduces the proof's labels)")
            .PowerOfTwo(2UL, Prover.Core.Init.InitOptions.MaxScryptN);
        var json = Cli.Opt<bool>("--json", "print only the proof JSON (compact) on stdout");
        var command = new Command("prove",
            "Generate a proof: prints the certifier-form JSON {proof, metadata} on stdout, progress on stderr. The proof is verified before it is printed.")
        {
            dataDir, challenge, k1, k2, powDifficulty, nonces, threads, randomxMode, powThreads, remote, remoteRetries, remoteBackoff,
            scryptN, json,
        };
        command.SetAction(parse =>
        {
            var ch = new Challenge(Hex.Parse32(parse.GetValue(challenge), "--challenge"));
            var config = new ProofConfig(parse.GetValue(k1), parse.GetValue(k2), 1, Hex.Parse(parse.GetValue(powDifficulty), "--pow-difficulty", 32));
            var options = ProvingFlags.Options(parse.GetValue(nonces), parse.GetValue(threads));

            Uri? remoteUrl = null;
            if (parse.GetValue(remote) is { } url && !Uri.TryCreate(url, UriKind.Absolute, out remoteUrl))
            {
                throw new InvalidInputException("remoteK2pow", $"--remote-k2pow: '{url}' is not an absolute URL");
            }

            RandomXMode mode = CliK2Pow.ParseMode(parse.GetValue(randomxMode));
            string dir = parse.GetValue(dataDir)!;
            if (!Directory.Exists(dir))
            {
                throw new InvalidInputException("dataDir", File.Exists(dir)
                    ? $"--datadir {dir} is a file, not a PoST data directory"
                    : $"--datadir {dir} does not exist");
            }

            // Shared: other readers may prove or verify at the same time; 'post init' (exclusive) may not write meanwhile.
            using var dirLock = DataDirLock.AcquireShared(dir, "post prove");
            PostMetadata metadata = PostMetadata.Load(dir);
            PostDataCheck.CheckFiles(dir, metadata);
            CheckParameters(config, metadata);
            (ulong? n, string nSource) = parse.GetValue(scryptN) is { } given
                ? (given, "from --scrypt-n")
                : PostDataCheck.RecordedScryptN(dir) is { } recorded
                    ? (recorded, "as recorded by 'post init' in the data directory")
                    : ((ulong?)null, "");

            using var cts = Cli.CancelOnSignals();
            var remoteOptions = new RemoteK2PowOptions
            {
                MaxRetries = parse.GetValue(remoteRetries),
                Backoff = TimeSpan.FromSeconds(parse.GetValue(remoteBackoff)),
                OnRetry = LogRetry,
            };
            using var k2pow = CliK2Pow.Open(new K2PowBackendOptions
            {
                Mode = mode,
                Threads = parse.GetValue(powThreads),
                RemoteUrl = remoteUrl,
                Remote = remoteOptions,
            }, cts.Token);
            try
            {
                var factory = new ProvingScannerFactory();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"proving {metadata.TotalLabels} labels ({metadata.NumUnits} units) with {factory.Name}, {options.EffectiveThreads} threads, {options.Nonces} nonces per pass"));
                var prover = new PostProver(factory, k2pow.Prover);
                ProofResult result = new ProgressDisplay().Run("proving", update =>
                    prover.GenerateProofAsync(dir, ch, config, options, new SyncProgress<ProvingProgress>(p => Update(update, p)), cts.Token)
                        .GetAwaiter().GetResult());

                if (CheckProof(dir, metadata, config, result, k2pow, n, nSource, cts.Token) is { } failure)
                {
                    Console.Error.WriteLine($"error: {failure}");
                    return ExitCodes.Invalid;
                }

                string proofJson = ProofJson.Serialize(result.Proof, result.Metadata, indented: !parse.GetValue(json));
                if (!parse.GetValue(json))
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"proof found in {ProgressDisplay.Duration(result.Elapsed)} ({result.Passes} pass(es)): nonce {result.Proof.Nonce}, pow {result.Proof.Pow}, {result.Indices.Length} indices; verified"));
                }

                Console.Out.WriteLine(proofJson);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ProvingException or RemoteK2PowException or PowNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Invalid;
            }
        });
        return command;
    }

    /// <summary>Parameters that cannot give a proof on this data: refused before any work (exit 2).</summary>
    private static void CheckParameters(ProofConfig config, PostMetadata metadata)
    {
        if (!ProvingDifficulty.TryCompute(config.K1, metadata.TotalLabels, out _))
        {
            throw new InvalidInputException("k1", string.Create(CultureInfo.InvariantCulture,
                $"--k1 {config.K1} does not fit the {metadata.TotalLabels} labels of the data (k1 must be below the number of labels)"));
        }

        if (config.K2 > metadata.TotalLabels)
        {
            throw new InvalidInputException("k2", string.Create(CultureInfo.InvariantCulture,
                $"--k2 {config.K2} exceeds the {metadata.TotalLabels} labels of the data: no nonce can have that many good labels"));
        }

        byte[] scaled = K2PowDifficulty.Scale(config.PowDifficulty, metadata.NumUnits);
        if (K2PowDifficulty.Infeasible(scaled) is { } why)
        {
            throw new InvalidInputException("powDifficulty", string.Create(CultureInfo.InvariantCulture,
                $"--pow-difficulty {Convert.ToHexStringLower(config.PowDifficulty)} divided by the data's {metadata.NumUnits} unit(s) is {Convert.ToHexStringLower(scaled)}: {why}"));
        }
    }

    private static void LogRetry(RemoteK2PowRetry retry)
    {
        // The job path ends in …/job/{miner}/{group}/{challenge}/{difficulty}.
        string[] segments = retry.Job.Segments;
        string group = segments.Length >= 3 ? segments[^3].TrimEnd('/') : "?";
        string attempts = retry.MaxRetries is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"attempt {retry.Attempt} of {max + 1}")
            : string.Create(CultureInfo.InvariantCulture, $"attempt {retry.Attempt}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"k2pow service {retry.Job.GetLeftPart(UriPartial.Authority)}: {retry.Reason} (nonce group {group}, {attempts}); retrying in {ProgressDisplay.Duration(retry.Delay)}"));
    }

    private static void Update(Action<double, double, string> update, ProvingProgress p)
    {
        if (p is { Stage: ProvingStage.K2Pow, Pow: { } pow })
        {
            update(pow.GroupsDone, pow.Groups, Describe(p));
        }
        else
        {
            update(p.BytesScanned, p.TotalBytes, Describe(p));
        }
    }

    /// <summary>
    /// Checks a proof before it is printed, as post-service does before sending one (spec §8.3): each label the proof
    /// uses is read from its file and compared with its scrypt recomputation (which names a corrupt file and offset),
    /// then the whole proof goes through the verifier (k2pow, index encoding, each label's score).
    /// Returns null when the proof is valid, else why not.
    /// </summary>
    internal static string? CheckProof(string dir, PostMetadata metadata, ProofConfig config, ProofResult result, K2PowBackend k2pow,
        ulong? scryptN, string nSource, CancellationToken cancellationToken)
    {
        byte[] commitment = Labels.Commitment(metadata.NodeId, metadata.CommitmentAtxId).ToArray();
        ulong[] indices = result.Indices;
        byte[][] onDisk = indices.Select(i => PostDataCheck.ReadLabel(dir, metadata, i)).ToArray();
        string Where(ulong index)
        {
            (string path, long offset) = PostDataCheck.Locate(dir, metadata, index);
            return string.Create(CultureInfo.InvariantCulture, $"label {index} ({Path.GetFileName(path)} at byte {offset})");
        }

        ulong n;
        if (scryptN is { } known)
        {
            n = known;
        }
        else if (GuessScryptN(commitment, indices, onDisk, cancellationToken) is { } guessed)
        {
            (n, nSource) = (guessed, guessed == InitConfig.Mainnet.ScryptN ? "the default" : "found by trying N on the data's labels");
        }
        else
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the proof's labels do not match their scrypt recomputation for any N from 2 to {LargestGuessedScryptN} (first: {Where(indices[0])}): the data is corrupt or was made with another N; pass --scrypt-n to say which. No proof printed.");
        }

        var corrupt = new List<ulong>();
        for (int k = 0; k < indices.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Labels.Label(commitment, indices[k], n).AsSpan().SequenceEqual(onDisk[k]))
            {
                corrupt.Add(indices[k]);
            }
        }

        string withN = string.Create(CultureInfo.InvariantCulture, $"scrypt N={n} ({nSource})");
        if (corrupt.Count == indices.Length && indices.Length > 1)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"none of the proof's {indices.Length} labels matches its recomputation with {withN} (first: {Where(indices[0])}): the data was made with another N, or is corrupt throughout; pass the data's --scrypt-n. No proof printed.");
        }

        if (corrupt.Count > 0)
        {
            string shown = string.Join(", ", corrupt.Take(3).Select(Where)) + (corrupt.Count > 3 ? $" and {corrupt.Count - 3} more" : "");
            return string.Create(CultureInfo.InvariantCulture,
                $"the proof uses corrupt data in {dir}: {shown} {(corrupt.Count == 1 ? "differs" : "differ")} from the label recomputed with {withN}. No proof printed; run 'post verify-data' to find the damage.");
        }

        // Beside a k2pow-service the verifier's (light) context is built only now, when a proof is to be checked.
        CliK2Pow.Prepare(k2pow, cancellationToken);
        var init = new InitConfig(metadata.NumUnits, metadata.NumUnits, metadata.LabelsPerUnit, n);
        VerifyError? error = new ProofVerifier(config, init, k2pow.Verifier).Verify(result.Proof, result.Metadata, VerifyMode.All);
        return error switch
        {
            null => null,
            VerifyError.InvalidPoW => string.Create(CultureInfo.InvariantCulture,
                $"the k2pow {result.Proof.Pow} of nonce group {result.Proof.Nonce / ProvingConstants.NoncesPerGroup} is invalid for --pow-difficulty {Convert.ToHexStringLower(config.PowDifficulty)} and {metadata.NumUnits} unit(s){(k2pow.IsRemote ? " (computed by the k2pow service)" : "")}. No proof printed."),
            VerifyError.InvalidMsb msb => $"the proof fails verification ({withN}): {Where(msb.LabelIndex)}: {error.Message}. No proof printed.",
            VerifyError.InvalidLsb lsb => $"the proof fails verification ({withN}): {Where(lsb.LabelIndex)}: {error.Message}. No proof printed.",
            _ => $"the proof fails verification ({withN}): {error.Message}. No proof printed.",
        };
    }

    /// <summary>
    /// The scrypt N of the data when nobody said: the mainnet 8192 if it reproduces one of the proof's first labels, else
    /// the first power of two up to <see cref="LargestGuessedScryptN"/> that does; null when none does.
    /// </summary>
    private static ulong? GuessScryptN(byte[] commitment, ulong[] indices, byte[][] onDisk, CancellationToken cancellationToken)
    {
        var candidates = new List<ulong> { InitConfig.Mainnet.ScryptN };
        for (ulong n = 2; n <= LargestGuessedScryptN; n *= 2)
        {
            if (n != InitConfig.Mainnet.ScryptN)
            {
                candidates.Add(n);
            }
        }

        // A corrupt label would match no N: a few labels make the guess robust to one or two of them.
        for (int k = 0; k < Math.Min(3, indices.Length); k++)
        {
            foreach (ulong n in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Labels.Label(commitment, indices[k], n).AsSpan().SequenceEqual(onDisk[k]))
                {
                    return n;
                }
            }
        }

        return null;
    }

    internal static string Describe(ProvingProgress p)
    {
        if (p is { Stage: ProvingStage.K2Pow, Pow: { } pow })
        {
            string head = string.Create(CultureInfo.InvariantCulture,
                $"pass {p.Pass} nonces {p.NonceStart}..{p.NonceEnd} k2pow: {pow.GroupsDone}/{pow.Groups} pows");
            if (pow.Hashes is null)
            {
                // A remote k2pow service: it does not say how many hashes it has tried.
                return string.Create(CultureInfo.InvariantCulture, $"{head}, {ProgressDisplay.Duration(p.Elapsed)}");
            }

            double rate = pow.HashesPerSecond(p.Elapsed);
            string eta = pow.GroupsDone == pow.Groups ? "done"
                : pow.Remaining(p.Elapsed) is { } left ? "ETA " + Eta(left) : "ETA unknown";
            return string.Create(CultureInfo.InvariantCulture,
                $"{head}, {pow.Hashes.Value:N0} hashes, {rate:N0} hashes/s, {eta} (~{pow.ExpectedHashesPerGroup:N0} hashes per pow)");
        }

        // GiB for real data sets, MiB for small ones (a dev data set is a few hundred KiB).
        (double unit, string name) = p.TotalBytes >= 1L << 30 ? (1 << 30, "GiB") : (1 << 20, "MiB");
        return string.Create(CultureInfo.InvariantCulture,
            $"pass {p.Pass} nonces {p.NonceStart}..{p.NonceEnd} {p.Stage}: {p.BytesScanned / unit:F2}/{p.TotalBytes / unit:F2} {name}, {p.GiBPerSecond:F2} GiB/s");
    }

    private static string Eta(TimeSpan left) => left.TotalDays switch
    {
        >= 365 => "more than a year",
        >= 1 => string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalDays}d{left.Hours:D2}h"),
        _ => ProgressDisplay.Duration(left),
    };
}
