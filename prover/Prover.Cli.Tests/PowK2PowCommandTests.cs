using System.CommandLine;
using System.Text.Json;
using Prover.Cli.Commands;
using Xunit;

namespace Prover.Cli.Tests;

[Collection(RandomXLightGroup.Name)]
public sealed class PowK2PowCommandTests
{
    private static readonly string Miner = Convert.ToHexStringLower(K2PowVectors.Hex(K2PowVectors.Difficulty0fff, "miner_id"));
    private static readonly string Challenge = Convert.ToHexStringLower(K2PowVectors.Ascii(K2PowVectors.Difficulty0fff, "challenge8_ascii"));
    private static readonly string Difficulty = K2PowVectors.Difficulty0fff.GetProperty("difficulty").GetString()!;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("test") { K2PowCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = root.Parse(["k2pow", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Prints_the_smallest_pow_in_light_mode()
    {
        var (code, output, error) = Run("--node-id", Miner, "--challenge", Challenge, "--nonce-group", "7",
            "--difficulty", Difficulty, "--threads", "1", "--randomx-mode", "light");
        Assert.True(code == 0, error);
        Assert.Equal("11", output.Trim());
    }

    [Fact]
    public void Json_output_with_a_32_byte_challenge_and_the_difficulty_divided_by_the_units()
    {
        // 1fff…ff / 2 = 0fff…ff, the vector's difficulty; only the first 8 challenge bytes count.
        var perUnit = "1f" + new string('f', 62);
        var challenge32 = Challenge + new string('e', 48);
        var (code, output, error) = Run("--node-id", "0x" + Miner, "--challenge", challenge32, "--nonce-group", "7",
            "--difficulty", perUnit, "--num-units", "2", "--threads", "2", "--randomx-mode", "light", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(11UL, json.RootElement.GetProperty("pow").GetUInt64());
        Assert.Equal(K2PowVectors.Difficulty0fff.GetProperty("hash_at_pow").GetString(),
            json.RootElement.GetProperty("hash").GetString());
        Assert.True(json.RootElement.GetProperty("seconds").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("--node-id", "xyz", "not valid hex")]
    [InlineData("--node-id", "abcd", "got 2 bytes")]
    [InlineData("--challenge", "00112233", "got 4 bytes")]
    [InlineData("--difficulty", "0fff", "got 2 bytes")]
    [InlineData("--nonce-group", "256", "between 0 and 255")]
    [InlineData("--num-units", "0", "at least 1")]
    [InlineData("--threads", "-1", "--threads")]
    public void Bad_arguments_exit_with_code_2_and_a_message(string option, string value, string message)
    {
        var args = new Dictionary<string, string>
        {
            ["--node-id"] = Miner,
            ["--challenge"] = Challenge,
            ["--nonce-group"] = "7",
            ["--difficulty"] = Difficulty,
            ["--randomx-mode"] = "light",
        };
        args[option] = value;
        var (code, output, error) = Run(args.SelectMany(kv => new[] { kv.Key, kv.Value }).ToArray());
        Assert.Equal(Prover.Cli.ExitCodes.BadInput, code);
        Assert.Contains(message, error);
        Assert.Contains(option, error);
        Assert.Equal(string.Empty, output);
    }
}
