#:project ../prover/Prover.Core/Prover.Core.csproj
#:property OutputType=Exe

// RandomX k2pow hash rate, light and fast mode, for 1..N threads (each thread its own VM, pipelined hashing of 48-byte
// k2pow inputs). Usage: dotnet run -c Release bench/k2pow-rate.cs -- [light|fast|both] [seconds] [threads,...]
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Prover.Core.Pow;

var modes = (args.Length > 0 ? args[0] : "both") switch
{
    "light" => new[] { RandomXMode.Light },
    "fast" => [RandomXMode.Fast],
    _ => [RandomXMode.Light, RandomXMode.Fast],
};
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var threadCounts = args.Length > 2
    ? args[2].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray()
    : [1, Environment.ProcessorCount];

Console.WriteLine($"cpu: {Environment.ProcessorCount} logical cores; recommended flags: {RandomXContext.RecommendedFlags()}");
foreach (var mode in modes)
{
    using var context = RandomXContext.Create(mode);
    Console.WriteLine($"{mode}: init {context.InitTime.TotalSeconds:F1} s (flags {context.Flags})");
    foreach (var threads in threadCounts)
    {
        var counts = new long[threads];
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            using var vm = context.CreateVm();
            Span<byte> input = stackalloc byte[K2Pow.InputSize];
            Span<byte> hash = stackalloc byte[32];
            input[7] = (byte)t;
            ulong nonce = 0;
            vm.HashFirst(input);
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(input, (uint)++nonce);
                vm.HashNext(input, hash);
                counts[t]++;
            }

            vm.HashLast(hash);
            counts[t]++;
        })).ToArray();
        foreach (var w in workers)
        {
            w.Start();
        }

        foreach (var w in workers)
        {
            w.Join();
        }

        var elapsed = stop.Elapsed.TotalSeconds;
        var total = counts.Sum() / elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{mode,-5} threads {threads,2}: {total,9:F1} H/s total, {total / threads,8:F1} H/s per thread ({counts.Sum()} hashes in {elapsed:F1} s)"));
    }
}
