using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Kernels.Aes;
using Prover.Kernels.Proving;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post profile</c>: proving throughput (spec §9.1, post-rs <c>profiler</c>): scans random data with difficulty 0
/// (lazy checks happen as in real proving, no proof is ever found) and prints <c>{"time_s","speed_gib_s"}</c>.
/// <c>post profile pow</c> times real k2pows.
/// </summary>
public static class ProfileCommand
{
    private static readonly byte[] ProfileChallenge = Encoding.ASCII.GetBytes("hello world, challenge me!!!!!!!");

    public static Command Create()
    {
        var dataSize = Cli.Opt("--data-size", "GiB of data to scan per pass", 1.0);
        var duration = Cli.Opt("--duration", "seconds to keep scanning (whole passes; 0 = one pass)", 10.0).InRange(0.0, 86_400.0);
        var threads = Cli.Opt("--threads", "scanning threads (0 = all cores)", 4, "-t").InRange(0, Cli.MaxThreads);
        var nonces = Cli.Opt("--nonces", "nonces per pass: a multiple of 16, at most 4096", 64, "-n")
            .InRange(ProvingConstants.NoncesPerGroup, ProvingConstants.MaxNonces);
        var dataFile = Cli.Opt<string?>("--data-file", "scan this file (its first --data-size GiB) instead of random data in memory");
        var dropCache = Cli.Opt<bool>("--drop-cache",
            "with --data-file: evict the file from the page cache before each pass (posix_fadvise DONTNEED, Linux, no root needed) to time cold reads");
        var aes = Cli.Opt<string?>("--aes", "AES implementation: X86AesNi, ArmAes or Software (default: fastest)");
        var command = new Command("profile",
            "Measure proving throughput on random data (difficulty 0, no k2pow); prints {\"time_s\",\"speed_gib_s\"} (+ \"cache_dropped\" with --data-file).")
        {
            dataSize, duration, threads, nonces, dataFile, dropCache, aes,
        };
        command.SetAction(parse =>
        {
            var options = ProvingFlags.Options(parse.GetValue(nonces), parse.GetValue(threads));

            double gib = parse.GetValue(dataSize);
            if (!(gib > 0) || gib > 1024)
            {
                throw new InvalidInputException("dataSize", $"--data-size must be between 0 and 1024 GiB (got {gib})");
            }

            string? file = parse.GetValue(dataFile);
            bool drop = parse.GetValue(dropCache);
            if (drop && file is null)
            {
                throw new InvalidInputException("dropCache", "--drop-cache needs --data-file (in-memory data has no page cache)");
            }

            long bytes = (long)(gib * (1L << 30)) / ProvingConstants.ChunkSize * ProvingConstants.ChunkSize;
            PostDataSource source = file is not null ? FileSource(file, bytes) : RandomSource(bytes);
            AesImplementation implementation = parse.GetValue(aes) is { } name
                ? Enum.TryParse<AesImplementation>(name, ignoreCase: true, out var parsed) && AesEcb.IsSupported(parsed)
                    ? parsed
                    : throw new InvalidInputException("aes", $"--aes: '{name}' is not one of {string.Join(", ", AesEcb.Available)}")
                : AesEcb.Best;

            // The profiler's pows are fixed at 0 like post-rs's profiler: it times the scan, not the k2pow.
            var pass = ProvingPass.Create(new Challenge(ProfileChallenge), 0, options.Nonces, new ulong[options.Nonces / ProvingConstants.NoncesPerGroup], 0);
            IProvingScanner scanner = new ProvingScannerFactory(implementation).Create(pass);
            var sink = new NeverStop();
            using var cts = Cli.CancelOnSignals();
            double limit = parse.GetValue(duration);
            long scanned = 0;
            bool? cacheDropped = file is null ? null : drop;
            var stopwatch = Stopwatch.StartNew();
            do
            {
                if (cacheDropped == true)
                {
                    // Not timed: only the scan (and its reads from the disk) is.
                    stopwatch.Stop();
                    if (!PageCache.TryDrop(file!, out string? why))
                    {
                        Console.Error.WriteLine($"warning: --drop-cache: {why}; scanning with whatever is cached");
                        cacheDropped = false;
                    }

                    stopwatch.Start();
                }

                scanned += PostProver.ScanOnce(source, pass, scanner, sink, options, cancellationToken: cts.Token);
            }
            while (stopwatch.Elapsed.TotalSeconds < limit);

            double seconds = stopwatch.Elapsed.TotalSeconds;
            Console.Out.WriteLine(WriteJson(w =>
            {
                w.WriteNumber("time_s", seconds);
                w.WriteNumber("speed_gib_s", scanned / seconds / (1 << 30));
                if (cacheDropped is { } dropped)
                {
                    // true: the file was evicted before every pass, so each pass read it from the disk.
                    w.WriteBoolean("cache_dropped", dropped);
                }
            }));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{implementation}, {options.EffectiveThreads} thread(s), {options.Nonces} nonces, {scanned / (double)(1 << 30):F2} GiB scanned"));
            return ExitCodes.Ok;
        });
        command.Add(PowCommand());
        return command;
    }

    private static PostDataSource RandomSource(long bytes)
    {
        if (bytes > Array.MaxLength)
        {
            throw new InvalidInputException("dataSize", $"in-memory profiling holds at most {Array.MaxLength >> 30} GiB; use --data-file for more");
        }

        var data = GC.AllocateUninitializedArray<byte>((int)bytes);
        Random.Shared.NextBytes(data);
        return PostDataSource.FromMemory(data);
    }

    private static PostDataSource FileSource(string path, long bytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InvalidInputException("dataFile", $"--data-file {path} does not exist");
        }

        long length = Math.Min(bytes, info.Length) / ProvingConstants.ChunkSize * ProvingConstants.ChunkSize;
        return length == 0
            ? throw new InvalidInputException("dataFile", $"--data-file {path} holds less than one 128-byte chunk")
            : PostDataSource.FromFile(path, length);
    }

    private static Command PowCommand()
    {
        var iterations = Cli.Opt("--iterations", "k2pows to compute", 5, "-i").InRange(1, 1_000_000);
        var threads = Cli.Opt("--threads", "k2pow threads (0 = all cores)", 1, "-t").InRange(0, Cli.MaxThreads);
        var nonces = Cli.Opt("--nonces", "nonces per pass the estimate is for: a multiple of 16, at most 4096", 64, "-n")
            .InRange(ProvingConstants.NoncesPerGroup, ProvingConstants.MaxNonces);
        var numUnits = Cli.Opt("--num-units", "units the estimate is for", 4u).InRange(1u, uint.MaxValue);
        var difficulty = Cli.Opt("--difficulty", "per-unit k2pow difficulty, 32-byte hex (mainnet default)",
            Convert.ToHexStringLower(ProofConfig.Mainnet.PowDifficulty), "-d");
        var randomxMode = Cli.Opt("--randomx-mode", "RandomX mode: fast or light", "fast");
        var command = new Command("pow",
            "Time real k2pows for one unit (group 7, challenge LE64(i), miner 07×32), scaled to nonces/16 × num_units; prints post-rs's JSON (serde durations) on stdout and the estimate in words on stderr.")
        {
            iterations, threads, nonces, numUnits, difficulty, randomxMode,
        };
        command.SetAction(parse =>
        {
            byte[] perUnit = Hex.Parse(parse.GetValue(difficulty), "--difficulty", 32);
            int count = parse.GetValue(iterations);
            int nonceCount = parse.GetValue(nonces);
            if (count <= 0 || nonceCount <= 0 || nonceCount % ProvingConstants.NoncesPerGroup != 0)
            {
                throw new InvalidInputException("nonces", $"--nonces must be a multiple of 16, got {nonceCount}");
            }

            if (K2PowDifficulty.Infeasible(perUnit) is { } why)
            {
                throw new InvalidInputException("difficulty", $"--difficulty {Convert.ToHexStringLower(perUnit)}: {why}");
            }

            var init = Stopwatch.StartNew();
            using var k2pow = CliK2Pow.Open(new K2PowBackendOptions
            {
                Mode = CliK2Pow.ParseMode(parse.GetValue(randomxMode)),
                Threads = parse.GetValue(threads),
            });
            var pow = k2pow.Prover;
            TimeSpan initTime = init.Elapsed;
            var miner = Enumerable.Repeat((byte)7, 32).ToArray();
            var challenge8 = new byte[8];
            TimeSpan total = TimeSpan.Zero;
            for (int i = 0; i < count; i++)
            {
                BitConverter.TryWriteBytes(challenge8, (ulong)i);
                var sw = Stopwatch.StartNew();
                pow.Prove(7, challenge8, perUnit, miner);
                total += sw.Elapsed;
            }

            var perPow = total / count;
            double factor = (double)(nonceCount / ProvingConstants.NoncesPerGroup) * parse.GetValue(numUnits);
            var average = perPow.Ticks * factor < TimeSpan.MaxValue.Ticks
                ? perPow * factor
                : throw new InvalidInputException("nonces", string.Create(CultureInfo.InvariantCulture,
                    $"the estimate for {nonceCount} nonces and {parse.GetValue(numUnits)} units exceeds {TimeSpan.MaxValue.Days} days"));
            Console.Out.WriteLine(WriteJson(w =>
            {
                WriteDuration(w, "randomx_vm_init_time", initTime);
                WriteDuration(w, "average_time", average);
                w.WriteNumber("iterations", count);
            }));

            // stdout keeps post-rs's form (scripts parse it); the same numbers in words for a person:
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"k2pow of one pass ({nonceCount} nonces = {nonceCount / ProvingConstants.NoncesPerGroup} nonce group(s), {parse.GetValue(numUnits)} unit(s)): about {ProgressDisplay.Duration(average)} ({average.TotalMinutes:F2} minutes); one unit's pow took {ProgressDisplay.Duration(perPow)} on average over {count} iteration(s); RandomX init {ProgressDisplay.Duration(initTime)}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    // Pretty JSON object written without reflection (the profiler also runs as a trimmed single-file binary).
    private static string WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // serde's Duration form: {"secs": u64, "nanos": u32}.
    private static void WriteDuration(Utf8JsonWriter writer, string name, TimeSpan t)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("secs", t.Ticks / TimeSpan.TicksPerSecond);
        writer.WriteNumber("nanos", t.Ticks % TimeSpan.TicksPerSecond * 100);
        writer.WriteEndObject();
    }

    private sealed class NeverStop : ILabelHitSink
    {
        public bool OnGoodLabel(uint nonce, ulong index) => false;
    }
}
