using System.Text.Json;
using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core.Primitives;
using Prover.Core.Proving;
using Prover.Verifier;

namespace Prover.Core.Tests;

/// <summary>
/// PoST data of spec §7.2 end-to-end proof #1 (node 4d×32, atx 0, N = 2, 31 units × 4096 labels in 127 files of 1000
/// labels), written once with the scrypt oracle.
/// </summary>
public sealed class EndToEndDataFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public EndToEndDataFixture()
    {
        Vector = TestData.Load("vectors_e2e.json").GetProperty("end_to_end");
        NodeId = Vector.GetProperty("node_id").Hex();
        AtxId = Vector.GetProperty("commitment_atx_id").Hex();
        byte[] commitment = Labels.Commitment(new NodeId(NodeId), new AtxId(AtxId)).ToArray();
        ulong labelsPerUnit = Vector.GetProperty("labels_per_unit").GetUInt64();
        uint numUnits = Vector.GetProperty("num_units").GetUInt32();
        ulong maxFileSize = Vector.GetProperty("max_file_size").GetUInt64();
        ulong total = labelsPerUnit * numUnits;
        ulong perFile = maxFileSize / 16;
        ulong n = Vector.GetProperty("scrypt_N").GetUInt64();
        int files = (int)((total + perFile - 1) / perFile);
        Parallel.For(0, files, file =>
        {
            ulong first = (ulong)file * perFile;
            ulong count = Math.Min(perFile, total - first);
            var bytes = new byte[count * 16];
            Span<byte> out32 = stackalloc byte[32];
            for (ulong i = 0; i < count; i++)
            {
                Labels.Output32(commitment, first + i, n, out32);
                out32[..16].CopyTo(bytes.AsSpan((int)(i * 16), 16));
            }

            File.WriteAllBytes(Path.Combine(_dir.Path, PostDataLayout.FileName(file)), bytes);
        });
        new PostMetadata
        {
            NodeId = new NodeId(NodeId),
            CommitmentAtxId = new AtxId(AtxId),
            LabelsPerUnit = labelsPerUnit,
            NumUnits = numUnits,
            MaxFileSize = maxFileSize,
        }.Save(_dir.Path);
        Light = RandomXContext.Create(RandomXMode.Light);
    }

    public JsonElement Vector { get; }

    public byte[] NodeId { get; }

    public byte[] AtxId { get; }

    public string DataDir => _dir.Path;

    public RandomXContext Light { get; }

    public void Dispose()
    {
        Light.Dispose();
        _dir.Dispose();
    }
}
