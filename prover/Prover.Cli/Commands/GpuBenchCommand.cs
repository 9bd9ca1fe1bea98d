using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Prover.Core;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Kernels;
using Prover.Kernels.Gpu;
using Prover.Verifier;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post gpu-bench</c> (hidden): label throughput of one provider, after checking its outputs against the scalar
/// oracle. Every tuning flag takes a comma-separated list; all combinations run in one process (one table at the end).
/// </summary>
public static class GpuBenchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private const double LabelsPerUnit = 4294967296.0; // 2^32 labels = one 64 GiB space unit

    public static Command Create()
    {
        var provider = Cli.Opt("--provider", "provider id (see 'post providers'), e.g. cuda:0, opencl:0, ilgpu-cpu, cpu", "cuda:0");
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N", 8192UL, "-n").PowerOfTwo(2UL, ProviderSelection.MaxScryptN);
        var gaps = Cli.Opt("--lookup-gap", "lookup gap(s): 1, 2, 4 or 8, comma separated", "1");
        var batches = Cli.Opt("--batch", "labels per launch, comma separated (0 = from free device memory)", "0");
        var groups = Cli.Opt("--group-size", "threads per group, comma separated (0 = backend default)", "0");
        var layouts = Cli.Opt("--layout", "scratch layout(s): block, thread, interleaved", "block");
        var modes = Cli.Opt("--recompute", "recompute mode(s) for lookup gaps > 1: interleaved, lockstep", "interleaved");
        var minGroups = Cli.Opt("--min-groups", "minimum groups per multiprocessor given to the compiler (0 = none), comma separated", "0");
        var fraction = Cli.Opt("--memory-fraction", "fraction of free device memory for scratch when --batch is 0", 0.90).InRange(0.01, 0.98);
        var seconds = Cli.Opt("--seconds", "measuring time per configuration", 10.0).InRange(0.1, 86400.0);
        var verify = Cli.Opt("--verify", "labels checked against the scalar oracle per configuration (first labels plus random ones)", 256)
            .InRange(0, 1 << 20);
        var seed = Cli.Opt<int?>("--seed", "random seed for the commitment and start index (default: random)");
        var startAt = Cli.Opt<ulong?>("--start", "first label index (default: random below 2^40)");
        var dumpPtx = Cli.Opt<string?>("--dump-ptx", "write the kernel PTX of each configuration to this folder");
        var json = Cli.Opt<bool>("--json", "print the results as JSON on stdout");
        var command = new Command("gpu-bench", "Measure label throughput of a provider (labels/s, MiB/s, hours per 64 GiB unit) after checking labels against the scalar oracle.")
        {
            provider, scryptN, gaps, batches, groups, layouts, modes, minGroups, fraction, seconds, verify, seed, startAt, dumpPtx, json,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            ulong n = parse.GetValue(scryptN);
            if (n < 2 || (n & (n - 1)) != 0)
                throw new InvalidInputException("scryptN", $"--scrypt-n must be a power of two ≥ 2, got {n}");
            double measure = parse.GetValue(seconds);
            if (measure <= 0)
                throw new InvalidInputException("seconds", $"--seconds must be > 0, got {measure}");
            int verifyCount = parse.GetValue(verify);
            if (verifyCount < 0)
                throw new InvalidInputException("verify", $"--verify must be ≥ 0, got {verifyCount}");
            string id = parse.GetValue(provider)!;
            var rng = parse.GetValue(seed) is int s ? new Random(s) : new Random();
            using var cts = Cli.CancelOnSignals();
            bool asJson = parse.GetValue(json);

            List<RecomputeMode> modeList = EnumList(parse.GetValue(modes)!, "--recompute", ModeNames);
            var configs = (
                from gap in IntList(parse.GetValue(gaps)!, "--lookup-gap")
                from layout in EnumList(parse.GetValue(layouts)!, "--layout", LayoutNames)
                from mode in gap == 1 ? modeList.Take(1) : modeList // nothing is recomputed at gap 1
                from groupSize in IntList(parse.GetValue(groups)!, "--group-size")
                from min in IntList(parse.GetValue(minGroups)!, "--min-groups")
                from batch in IntList(parse.GetValue(batches)!, "--batch")
                select new GpuProviderOptions
                {
                    LookupGap = gap,
                    Layout = layout,
                    Recompute = mode,
                    GroupSize = groupSize,
                    MinGroupsPerMultiprocessor = min,
                    BatchSize = batch,
                    MemoryFraction = parse.GetValue(fraction),
                }).ToList();

            var results = new List<Dictionary<string, object?>>();
            bool allOk = true;
            foreach (GpuProviderOptions options in configs)
            {
                try
                {
                    options.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new InvalidInputException("provider", $"gpu-bench: {e.Message}");
                }
                if (parse.GetValue(dumpPtx) is { Length: > 0 } dir)
                {
                    Directory.CreateDirectory(dir);
                    string name = string.Create(CultureInfo.InvariantCulture,
                        $"label_n{n}_g{options.LookupGap}_{options.Layout}_{options.Recompute}_b{(options.GroupSize > 0 ? options.GroupSize : 128)}_m{options.MinGroupsPerMultiprocessor}.ptx");
                    File.WriteAllText(Path.Combine(dir, name), GpuKernelInspector.GeneratePtx((int)Math.Min(n, 1UL << 24),
                        (int)Math.Min((ulong)options.LookupGap, n), options.Layout, options.Recompute,
                        options.GroupSize > 0 ? options.GroupSize : 128, options.MinGroupsPerMultiprocessor));
                }

                Dictionary<string, object?> r = Run(id, n, options, measure, verifyCount, rng, parse.GetValue(startAt), asJson, cts.Token);
                allOk &= r["verified_ok"] is true;
                results.Add(r);
            }

            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(results, Indented));
            }
            else
            {
                Console.Out.WriteLine();
                Console.Out.WriteLine("provider   N      gap layout        recompute   group mingr batch    labels/s     MiB/s   h/64GiB  verified");
                foreach (var r in results)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r["provider"],-10} {r["scrypt_n"],-6} {r["lookup_gap"],-3} {r["layout"],-13} {r["recompute"],-11} {r["group_size"],-5} {r["min_groups"],-5} {r["batch"],-8} {r["labels_per_second"],11:F0} {r["mib_per_second"],9:F2} {r["hours_per_unit"],9:F1}  {r["verified"]}{(r["verified_ok"] is true ? " ok" : " FAILED")}"));
                }
            }
            return allOk ? ExitCodes.Ok : ExitCodes.Invalid;
        });
        return command;
    }

    private static readonly Dictionary<string, ScratchLayout> LayoutNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["block"] = ScratchLayout.BlockMajor,
        ["thread"] = ScratchLayout.ThreadMajor,
        ["interleaved"] = ScratchLayout.Interleaved16,
    };

    private static readonly Dictionary<string, RecomputeMode> ModeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["interleaved"] = RecomputeMode.Interleaved,
        ["lockstep"] = RecomputeMode.Lockstep,
    };

    private static List<int> IntList(string text, string flag) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0
                ? v
                : throw new InvalidInputException(flag, $"{flag}: '{t}' is not a non-negative integer"))];

    private static List<T> EnumList<T>(string text, string flag, Dictionary<string, T> names) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            names.TryGetValue(t, out T? v)
                ? v
                : throw new InvalidInputException(flag, $"{flag}: '{t}' is not one of {string.Join(", ", names.Keys)}"))];

    private static Dictionary<string, object?> Run(string id, ulong n, GpuProviderOptions options, double seconds,
        int verifyCount, Random rng, ulong? startAt, bool quiet, CancellationToken token)
    {
        ProviderCatalog catalog = ProviderCatalog.Discover(gpuOptions: options);
        ProviderDescriptor entry = catalog.Find(id) ?? throw new InvalidInputException("provider",
            $"--provider: no provider '{id}'; available: {string.Join(", ", catalog.Providers.Select(p => p.Id))}"
            + (catalog.Notes.Count > 0 ? $" ({string.Join("; ", catalog.Notes)})" : ""));
        using ILabelProvider p = entry.Create();
        var commitment = new byte[32];
        rng.NextBytes(commitment);
        ulong start = startAt ?? (ulong)rng.NextInt64(0, 1L << 40);
        int count = Math.Max(1, p.PreferredBatchSize(n));
        var buffer = new byte[(long)count * 32];
        var log = quiet ? TextWriter.Null : Console.Error;

        // Warm-up: kernel compilation, buffer allocation, first launches.
        var sw = Stopwatch.StartNew();
        p.ComputeOutputs(commitment, n, start, count, buffer, token);
        double warmup = sw.Elapsed.TotalSeconds;
        var gpu = p as GpuLabelProvider;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{p.Id}: {p.Name}; gap {gpu?.EffectiveLookupGap} {options.Layout} {options.Recompute} group {gpu?.GroupSize} min-groups {options.MinGroupsPerMultiprocessor} batch {gpu?.BatchSize}; {count} labels per call; warm-up {warmup:F2} s"));

        // Correctness: the first labels and random positions of the warm-up call against the scalar oracle.
        int check = Math.Min(verifyCount, count);
        var positions = Enumerable.Range(0, Math.Min(check, Math.Max(1, check / 4)))
            .Concat(Enumerable.Range(0, check - Math.Min(check, Math.Max(1, check / 4))).Select(_ => rng.Next(count)))
            .Distinct().ToArray();
        int bad = 0;
        string? firstBad = null;
        Parallel.ForEach(positions, new ParallelOptions { CancellationToken = token }, i =>
        {
            Span<byte> expected = stackalloc byte[32];
            Labels.Output32(commitment, start + (ulong)i, n, expected);
            if (!expected.SequenceEqual(buffer.AsSpan(i * 32, 32)))
            {
                if (Interlocked.Increment(ref bad) == 1)
                    firstBad = string.Create(CultureInfo.InvariantCulture,
                        $"label {start + (ulong)i}: expected {Convert.ToHexStringLower(expected)} got {Convert.ToHexStringLower(buffer.AsSpan(i * 32, 32))}");
            }
        });
        if (bad > 0)
            Console.Error.WriteLine($"{p.Id}: {bad} of {positions.Length} checked labels WRONG; first: {firstBad}");

        // Timed calls.
        ulong labels = 0;
        ulong next = start + (ulong)count;
        sw.Restart();
        do
        {
            p.ComputeOutputs(commitment, n, next, count, buffer, token);
            next += (ulong)count;
            labels += (ulong)count;
        }
        while (sw.Elapsed.TotalSeconds < seconds);
        double elapsed = sw.Elapsed.TotalSeconds;
        double rate = labels / elapsed;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{p.Id}: {labels} labels in {elapsed:F2} s = {rate:F0} labels/s, {rate * 16 / 1048576:F2} MiB/s, {LabelsPerUnit / rate / 3600:F1} h per 64 GiB unit; verified {positions.Length - bad}/{positions.Length}"));

        return new Dictionary<string, object?>
        {
            ["provider"] = p.Id,
            ["device"] = p.Name,
            ["scrypt_n"] = n,
            ["lookup_gap"] = gpu?.EffectiveLookupGap ?? 1,
            ["layout"] = gpu is null ? "-" : options.Layout.ToString(),
            ["recompute"] = gpu is null || gpu.EffectiveLookupGap == 1 ? "-" : options.Recompute.ToString(),
            ["group_size"] = gpu?.GroupSize ?? 0,
            ["min_groups"] = options.MinGroupsPerMultiprocessor,
            ["batch"] = gpu?.BatchSize ?? count,
            ["labels_per_call"] = count,
            ["warmup_seconds"] = warmup,
            ["labels"] = labels,
            ["seconds"] = elapsed,
            ["labels_per_second"] = rate,
            ["mib_per_second"] = rate * 16 / 1048576,
            ["hours_per_unit"] = LabelsPerUnit / rate / 3600,
            ["verified"] = positions.Length,
            ["verified_ok"] = bad == 0,
            ["first_mismatch"] = firstBad,
        };
    }
}
