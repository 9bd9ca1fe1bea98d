using Microsoft.Extensions.Logging;
using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>What <see cref="Initializer"/> logs through <see cref="ILogger{TCategoryName}"/>: level, event id, text, fields.</summary>
public class InitLoggingTests
{
    private static InitOptions Options(string dir, uint units) => new()
    {
        DataDir = dir,
        NodeId = new NodeId(TestData.Repeat(0x4d)),
        CommitmentAtxId = new AtxId(TestData.Repeat(0x00)),
        NumUnits = units,
        LabelsPerUnit = 100,
        MaxFileSize = 16 * 50,
        ScryptN = 16,
        VrfDifficulty = VrfDifficulty.Maximum(),
        CheckpointInterval = TimeSpan.Zero,
    };

    [Fact]
    public void Growing_the_data_is_logged_as_an_information_event_with_the_unit_counts_as_fields()
    {
        using var dir = new TempDir();
        using var provider = InitializerTests.Provider();
        var first = new CollectingLogger<Initializer>();
        new Initializer([provider], first).Run(Options(dir.Path, 1));
        Assert.Empty(first.Entries);

        var logger = new CollectingLogger<Initializer>();
        new Initializer([provider], logger).Run(Options(dir.Path, 2));

        var growing = Assert.Single(logger.Entries, e => e.EventId.Id == 100);
        Assert.Equal(LogLevel.Information, growing.Level);
        Assert.Equal("growing the data from 1 to 2 units: the labels on disk are kept and the VRF nonce is searched again for the larger size",
            growing.Message);
        Assert.Equal(1u, growing.Fields["FromUnits"]);
        Assert.Equal(2u, growing.Fields["ToUnits"]);
    }

    [Fact]
    public void A_finished_file_cut_short_is_logged_as_a_warning_naming_the_file_and_its_damaged_blocks()
    {
        using var dir = new TempDir();
        using var provider = InitializerTests.Provider();
        new Initializer([provider]).Run(Options(dir.Path, 2));
        string damaged = PostDataLayout.ListFiles(dir.Path)[1].Path;
        using (var fs = new FileStream(damaged, FileMode.Open, FileAccess.Write))
        {
            fs.SetLength(16 * 20);
        }

        var logger = new CollectingLogger<Initializer>();
        new Initializer([provider], logger).Run(Options(dir.Path, 2));

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(113, entry.EventId.Id);
        Assert.Equal(damaged, entry.Fields["Path"]);
        Assert.Equal(1, entry.Fields["Damaged"]);
        Assert.StartsWith($"{damaged}: 1 of 1 blocks of 1 MiB differ from their checksums or are missing", entry.Message,
            StringComparison.Ordinal);
    }
}
