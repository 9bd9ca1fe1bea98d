using Prover.Node.Host.Tests.Storage;

namespace Prover.Node.Host.Tests;

/// <summary>
/// Entry point of the test assembly when run as a program (<c>dotnet Prover.Node.Host.Tests.dll helper args</c>):
/// tests start it as a child process to kill it at will. The test runner never calls it.
/// </summary>
public static class TestProgram
{
    /// <summary>Dispatches to the helper named by the first argument.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.FirstOrDefault() switch
        {
            CrashWriter.Name => CrashWriter.Run(args[1..]),
            "throughput" => Throughput(args[1..]),
            Transport.TransportThroughput.Name => Transport.TransportThroughput.RunAsync(args[1..]).GetAwaiter().GetResult(),
            Transport.AtxSyncThroughput.Name => Transport.AtxSyncThroughput.RunAsync(args[1..]).GetAwaiter().GetResult(),
            _ => Usage(),
        };
    }

    /// <summary>RocksDB ATX writes and reads per second (<c>throughput DIR COUNT</c>, DIR must not exist).</summary>
    private static int Throughput(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], out int count) || Directory.Exists(args[0])) return Usage();
        try
        {
            using var kv = Prover.Storage.Rocks.RocksKeyValueStore.Open(args[0], NodeColumns.All);
            var (writes, reads) = Prover.Node.Tests.Storage.NodeStoreFixtures.NodeStoreThroughput(kv, count);
            Console.Out.WriteLine($"RocksDB NodeStore, {count} ATXs (420-byte blob + header + 3 index entries, one batch each): " +
                $"{writes:F0} inserts/s, {reads:F0} reads/s (header + blob by id)");
            return 0;
        }
        finally
        {
            Directory.Delete(args[0], recursive: true);
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: dotnet Prover.Node.Host.Tests.dll {CrashWriter.Name} <dir> <first-number> | throughput <new-dir> <count> | {Transport.TransportThroughput.Name} <count> <size> | {Transport.AtxSyncThroughput.Name} <count> [--next] [fetch|no-post|full]...");
        return 2;
    }
}
