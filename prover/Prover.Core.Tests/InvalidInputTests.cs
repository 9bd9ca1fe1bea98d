using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Core.Tests;

/// <summary>Core names the field at fault in its own words, never a command-line flag.</summary>
public class InvalidInputTests
{
    private static InitOptions Good(string dir) => new()
    {
        DataDir = dir,
        NodeId = new NodeId(TestData.Repeat(1)),
        CommitmentAtxId = new AtxId(TestData.Repeat(2)),
        NumUnits = 4,
        LabelsPerUnit = 256,
        MaxFileSize = 4096,
        ScryptN = 16,
    };

    public static TheoryData<string, string> BadOptions() => new()
    {
        { "numUnits=0", InputField.NumUnits },
        { "labelsPerUnit=0", InputField.LabelsPerUnit },
        { "overflow", InputField.NumUnits },
        { "maxFileSize=17", InputField.MaxFileSize },
        { "scryptN=1000", InputField.ScryptN },
        { "vrfDifficulty=0", InputField.VrfDifficulty },
        { "fromFile=99", InputField.FromFile },
        { "toFile=-1", InputField.ToFile },
    };

    private static InitOptions Break(InitOptions o, string what) => what switch
    {
        "numUnits=0" => o with { NumUnits = 0 },
        "labelsPerUnit=0" => o with { LabelsPerUnit = 0 },
        "overflow" => o with { NumUnits = uint.MaxValue, LabelsPerUnit = ulong.MaxValue / 2 },
        "maxFileSize=17" => o with { MaxFileSize = 17 },
        "scryptN=1000" => o with { ScryptN = 1000 },
        "vrfDifficulty=0" => o with { VrfDifficulty = new byte[32] },
        "fromFile=99" => o with { FromFile = 99 },
        "toFile=-1" => o with { FromFile = 1, ToFile = 0 },
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void An_invalid_init_option_names_its_field_and_no_flag(string what, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => Initializer.ValidateOptions(Break(Good("/nonexistent"), what)));
        Assert.Equal(field, e.Field);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fraction_checked_by_data_verification_is_named_as_a_field()
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            DataVerification.Run("/nonexistent", InitializerTests.Provider(), 16, fractionPercent: 0));
        Assert.Equal(InputField.FractionPercent, e.Field);
        Assert.StartsWith("fractionPercent must be in (0, 100]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_data_directory_names_the_directory_field_and_the_path()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidInputException>(() => PostMetadata.Load(dir.Path));
        Assert.Equal(InputField.DataDir, e.Field);
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scrypt_n_given_by_the_caller_is_reported_as_the_field_it_came_from()
    {
        Assert.Equal((32UL, InputField.ScryptN), DataVerification.ResolveScryptN("/nonexistent", 32));
    }

    [Fact]
    public void Describe_renames_whole_field_words_only()
    {
        var e = new InvalidInputException(InputField.NumUnits,
            "labelsPerUnit × numUnits overflows in /data/numUnits/x, 'numUnits', numUnits.json and numUnitsX");
        string shown = e.Describe(f => f switch { "numUnits" => "--num-units", "labelsPerUnit" => "--labels-per-unit", _ => null });
        Assert.Equal("--labels-per-unit × --num-units overflows in /data/numUnits/x, 'numUnits', numUnits.json and numUnitsX", shown);
    }

    [Fact]
    public void Describe_keeps_words_the_host_has_no_name_for()
    {
        var e = new InvalidInputException(InputField.ScryptN, "scryptN must be a power of two, got 3");
        Assert.Equal(e.Message, e.Describe(_ => null));
    }
}
