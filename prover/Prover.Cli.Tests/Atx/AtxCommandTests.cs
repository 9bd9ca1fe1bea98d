using System.Text.Json;
using Prover.Cli;
using Prover.Node;
using Prover.Node.Atx;
using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Prover.Node.Types;
using Prover.Storage.Rocks;
using Xunit;

namespace Prover.Cli.Tests.Atx;

[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleTests;

/// <summary><c>post atx decode|verify</c> through the CLI entry point, in-process, over real ATXs.</summary>
[Collection("console")]
public sealed class AtxCommandTests(AtxWorld world) : IClassFixture<AtxWorld>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "atx-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Prover.Cli.Cli.Run(CommandRegistry.CreateRoot(), args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A RocksDB node database holding the validated initial ATX and the PoET proof of the next one.</summary>
    private (ActivationTxV1 Initial, ActivationTxV1 Next) NodeDatabase()
    {
        using var kv = RocksKeyValueStore.Open(_dir, NodeColumns.All);
        var store = NodeStore.Open(kv);
        var initial = world.InitialAtx(store);
        var verdict = world.Validator(store).Validate(initial.Encode(), store: true);
        Assert.True(verdict.IsValid, verdict.Message);
        return (initial, world.NextAtx(store, initial));
    }

    private string[] VerifyArgs(byte[] blob) =>
    [
        "atx", "verify", "--datadir", _dir, Hex(blob), "--preset", "standalone",
        "--genesis-time", world.Genesis.GenesisTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        "--genesis-extra-data", world.Genesis.ExtraData, "--current-epoch", "2", "--layers-per-epoch", $"{AtxWorld.LayersPerEpoch}",
        "--k1", $"{AtxWorld.K1}", "--k2", $"{AtxWorld.K2}", "--k3", $"{AtxWorld.K2}", "--pow-difficulty", Hex(AtxWorld.PowDifficulty),
        "--labels-per-unit", $"{AtxWorld.LabelsPerUnit}", "--min-num-units", "1", "--max-num-units", "16",
        "--scrypt-n", $"{AtxWorld.ScryptN}", "--tick-size", $"{AtxWorld.TickSize}",
    ];

    [Fact]
    public void Decode_prints_the_fields_and_id_and_leaves_the_signature_unchecked_without_a_genesis_id()
    {
        var atx = world.InitialAtx(AtxWorld.NewStore());
        var (code, output, _) = Run("atx", "decode", Hex(atx.Encode()));

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(atx.ComputeId().ToString(), root.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signature_valid").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signature_checked_with").ValueKind);
        Assert.Equal(0, root.GetProperty("syntax_errors").GetArrayLength());
        Assert.Equal(1u, root.GetProperty("publish_epoch").GetUInt32());
        Assert.Equal(world.VrfNonce, root.GetProperty("vrf_nonce").GetUInt64());
        Assert.Equal(atx.NIPost!.Membership.LeafIndex, root.GetProperty("nipost").GetProperty("membership").GetProperty("leaf_index").GetUInt64());
    }

    [Fact]
    public void Decode_with_the_genesis_id_checks_the_signature()
    {
        var atx = world.InitialAtx(AtxWorld.NewStore());
        var genesis = world.Genesis.GenesisId.ToString();
        using (var good = JsonDocument.Parse(Run("atx", "decode", "--genesis-id", genesis, Hex(atx.Encode())).Out))
        {
            Assert.True(good.RootElement.GetProperty("signature_valid").GetBoolean());
            Assert.Equal(genesis, good.RootElement.GetProperty("signature_checked_with").GetString());
        }

        var signature = atx.Signature.ToArray();
        signature[0] ^= 1;
        atx.Signature = new EdSignature(signature);
        var (code, output, _) = Run("atx", "decode", "--genesis-id", genesis, Hex(atx.Encode()));
        Assert.Equal(ExitCodes.Ok, code);
        using var bad = JsonDocument.Parse(output);
        Assert.False(bad.RootElement.GetProperty("signature_valid").GetBoolean());
    }

    [Fact]
    public void Decode_lists_the_syntactic_rules_an_atx_breaks()
    {
        var atx = world.InitialAtx(AtxWorld.NewStore());
        atx.VrfNonce = null;
        atx.NIPostChallenge.Sequence = 3;
        using var json = JsonDocument.Parse(Run("atx", "decode", Hex(atx.Encode())).Out);
        var reasons = json.RootElement.GetProperty("syntax_errors").EnumerateArray().Select(e => e.GetProperty("reason").GetString()).ToList();
        Assert.Equal([nameof(AtxSyntaxReason.VrfNonceMissing), nameof(AtxSyntaxReason.SequenceNotZero)], reasons);
    }

    [Fact]
    public void Decode_reads_a_raw_blob_from_a_file()
    {
        Directory.CreateDirectory(_dir);
        var atx = world.InitialAtx(AtxWorld.NewStore());
        var file = Path.Combine(_dir, "atx.bin");
        File.WriteAllBytes(file, atx.Encode());
        var (code, output, _) = Run("atx", "decode", "@" + file);
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(atx.ComputeId().ToString(), json.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void Decode_of_a_blob_that_is_not_an_atx_exits_2_with_the_decoders_reason()
    {
        var blob = world.InitialAtx(AtxWorld.NewStore()).Encode();
        var (code, output, error) = Run("atx", "decode", Hex(blob[..^1]));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(output);
        Assert.Contains("decode from buffer", error, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.BadInput, Run("atx", "decode", "not-hex").Code);
    }

    [Fact]
    public void Verify_accepts_a_valid_atx_against_the_node_database_and_writes_nothing()
    {
        var (initial, next) = NodeDatabase();
        var (code, output, error) = Run(VerifyArgs(next.Encode()));

        Assert.True(code == ExitCodes.Ok, output + error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.Equal(next.ComputeId().ToString(), root.GetProperty("id").GetString());
        Assert.True(root.GetProperty("weight").GetUInt64() > 0);

        using var kv = RocksKeyValueStore.Open(_dir, NodeColumns.All);
        var store = NodeStore.Open(kv);
        Assert.True(store.ContainsAtx(initial.ComputeId()));
        Assert.False(store.ContainsAtx(next.ComputeId()));
    }

    [Fact]
    public void Verify_rejects_a_forged_post_with_exit_1_and_the_reason()
    {
        var (_, next) = NodeDatabase();
        next.NIPost!.Post!.Nonce ^= 1;
        world.Sign(next);
        var (code, output, _) = Run(VerifyArgs(next.Encode()));

        Assert.Equal(ExitCodes.Invalid, code);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("InvalidPost", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Verify_without_a_node_database_or_with_a_broken_blob_exits_2()
    {
        var blob = world.InitialAtx(AtxWorld.NewStore()).Encode();
        Assert.Equal(ExitCodes.BadInput, Run(VerifyArgs(blob)).Code);
        Assert.False(Directory.Exists(_dir));

        NodeDatabase();
        Assert.Equal(ExitCodes.BadInput, Run(VerifyArgs(blob[..^1])).Code);
    }
}
