using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Verifier;

namespace Prover.Service.Tests;

/// <summary>Tiny real PoST data sets (initialized with the reference scrypt) and the parameters the tests prove with.</summary>
public static class TestIdentities
{
    public const ulong ScryptN = 16;
    public const ulong LabelsPerUnit = 128;
    public const uint NumUnits = 2;
    public const ulong MaxFileSize = 64 * 16; // 64 labels per file: the data spans 4 files
    public const uint K1 = 20;
    public const uint K2 = 8;

    /// <summary>Initializes a data directory for node id [<paramref name="idByte"/>; 32].</summary>
    public static string Create(string root, byte idByte, uint numUnits = NumUnits)
    {
        var dir = Path.Combine(root, $"id-{idByte:x2}");
        using var provider = new ReferenceLabelProvider(1);
        new Initializer([provider]).Run(new InitOptions
        {
            DataDir = dir,
            NodeId = new NodeId(Enumerable.Repeat(idByte, 32).ToArray()),
            CommitmentAtxId = new AtxId(Enumerable.Repeat((byte)(idByte ^ 0x5a), 32).ToArray()),
            NumUnits = numUnits,
            LabelsPerUnit = LabelsPerUnit,
            MaxFileSize = MaxFileSize,
            ScryptN = ScryptN,
        });
        return dir;
    }

    public static string NodeIdHex(byte idByte) => Convert.ToHexStringLower(Enumerable.Repeat(idByte, 32).ToArray());

    /// <summary>Service options for the tiny data: every network parameter matches the data and proofs come fast.</summary>
    public static PostServiceOptions Options(Uri address, params string[] dirs) => new()
    {
        Address = address,
        DataDirs = dirs,
        MinNumUnits = 1,
        MaxNumUnits = 16,
        K1 = K1,
        K2 = K2,
        PowDifficulty = Enumerable.Repeat((byte)0xff, 32).ToArray(),
        ScryptN = ScryptN,
        Nonces = 16,
        Threads = 1,
        RandomXMode = Prover.Core.Pow.RandomXMode.Light,
        ReconnectInterval = TimeSpan.FromMilliseconds(200),
    };

    public static PostMetadata Metadata(string dir) => PostMetadata.Load(dir);
}

/// <summary>A temporary directory removed at dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "post-svc-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
