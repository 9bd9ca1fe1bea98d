using System.Reflection;
using Prover.Core;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>The CLI shows Core's field names as its flags.</summary>
public class FlagNamesTests
{
    public static TheoryData<string, string> Expected() => new()
    {
        { InputField.NodeId, "--node-id" },
        { InputField.CommitmentAtxId, "--commitment-atx-id" },
        { InputField.NumUnits, "--num-units" },
        { InputField.LabelsPerUnit, "--labels-per-unit" },
        { InputField.MaxFileSize, "--max-file-size" },
        { InputField.ScryptN, "--scrypt-n" },
        { InputField.VrfDifficulty, "--vrf-difficulty" },
        { InputField.PowDifficulty, "--pow-difficulty" },
        { InputField.FromFile, "--from-file" },
        { InputField.ToFile, "--to-file" },
        { InputField.ShardCount, "--shards" },
        { InputField.ShardIndex, "--shard-index" },
        { InputField.FractionPercent, "--fraction" },
        { InputField.DataDir, "--datadir" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_field_maps_to_its_flag(string field, string flag)
    {
        Assert.Equal(flag, FlagNames.Of(field));
        Assert.Equal($"error: {flag} is wrong", $"error: {FlagNames.Describe(new InvalidInputException(field, $"{field} is wrong"))}");
    }

    [Fact]
    public void Every_field_but_a_file_or_a_bare_value_has_a_flag()
    {
        var fields = typeof(InputField).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Except([InputField.File, InputField.Commitment, InputField.Challenge]);
        Assert.All(fields, f => Assert.NotNull(FlagNames.Of(f)));
    }

    [Fact]
    public void An_init_error_from_core_reads_with_the_flags_the_user_typed()
    {
        var options = new InitOptions
        {
            DataDir = "/nonexistent",
            NodeId = new NodeId(new byte[32]),
            CommitmentAtxId = new AtxId(new byte[32]),
            NumUnits = uint.MaxValue,
            LabelsPerUnit = ulong.MaxValue / 2,
            MaxFileSize = 4096,
            ScryptN = 16,
        };
        var e = Assert.Throws<InvalidInputException>(() => Initializer.ValidateOptions(options));
        Assert.Equal("--labels-per-unit × --num-units overflows 64 bits", FlagNames.Describe(e));
    }

    [Fact]
    public void Post_serve_names_the_data_directory_and_scrypt_n_by_its_own_flags()
    {
        var e = new InvalidInputException(InputField.ScryptN, "the init states in /d disagree on scrypt N; give scryptN for dataDir");
        Assert.Equal("the init states in /d disagree on scrypt N; give -n for --dir", FlagNames.Describe(e, serve: true));
        Assert.Equal("the init states in /d disagree on scrypt N; give --scrypt-n for --datadir", FlagNames.Describe(e));
    }
}
