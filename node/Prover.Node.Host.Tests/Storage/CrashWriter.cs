using Prover.Node.Storage;
using Prover.Storage.Rocks;
using static Prover.Node.Tests.Storage.NodeStoreFixtures;

namespace Prover.Node.Host.Tests.Storage;

/// <summary>
/// The child process of the crash test: opens the node's RocksDB database and inserts ATXs numbered from the given
/// one, forever, each with a builder-state update, printing "ready" once open. The test SIGKILLs it.
/// </summary>
internal static class CrashWriter
{
    public const string Name = "crash-writer";

    /// <summary>The smesher of ATX number <paramref name="n"/>; every fifth ATX chains to the one five before.</summary>
    public static byte SmesherOf(int n) => (byte)(n % 5);

    public static int Run(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], out int n) || n < 1)
        {
            Console.Error.WriteLine("usage: crash-writer <dir> <first-number>");
            return 2;
        }

        using var kv = RocksKeyValueStore.Open(args[0], NodeColumns.All);
        var node = NodeStore.Open(kv);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        for (; ; n++)
        {
            var header = Header(n, (uint)(n / 10), SmesherOf(n), previous: n > 5 ? Id(n - 5) : null, initial: n <= 5);
            if (!node.AddAtx(header, 1, Blob(n))) throw new InvalidOperationException($"ATX {n} was already stored");
            node.PutBuilderState(header.SmesherId, 1, BitConverter.GetBytes(n));
        }
    }
}
