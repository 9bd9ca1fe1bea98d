using System.Text.RegularExpressions;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Verifier;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary><c>post serve</c>'s argv as go-spacemesh's supervisor writes it: every post-service flag is known, and a bad
/// one exits 2 naming the flag. (Serving itself is tested in Prover.Service.Tests.)</summary>
public sealed class ServeFlagsTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Help_documents_every_post_service_flag()
    {
        var (code, stdout, _) = PostCli.Run("serve", "--help");
        Assert.Equal(0, code);
        foreach (var flag in new[]
                 {
                     "--address", "-a", "--dir", "-d", "--min-num-units", "--max-num-units", "--k1", "--k2", "--pow-difficulty",
                     "-n", "-r", "-p", "--threads", "--nonces", "--randomx-mode", "--watch-pid", "--max-retries",
                     "--reconnect-interval-s", "--ca-cert", "--cert", "--key", "--domain", "--operator-address", "--remote-k2pow",
                     "--remote-k2pow-parallelism", "--remote-k2pow-backoff",
                 })
        {
            Assert.Matches($@"(^|[\s,]){Regex.Escape(flag)}[\s,<]", stdout);
        }
    }

    [Theory]
    [InlineData("--nonces 100", "--nonces 100")]
    [InlineData("-r 2", "only scrypt r = 1 and p = 1")]
    [InlineData("--address ftp://x:1", "unsupported scheme 'ftp'")]
    [InlineData("--ca-cert ca.pem", "must be given together")]
    [InlineData("--min-num-units 4", "is outside [--min-num-units 4")]
    public void Bad_flags_exit_2_with_a_message_naming_the_flag(string extra, string message)
    {
        var dir = Identity();
        var args = new List<string> { "serve", "--address", "http://127.0.0.1:1", "--dir", dir, "--min-num-units", "1" };
        var parts = extra.Split(' ');
        var i = args.IndexOf(parts[0]);
        if (i >= 0)
        {
            args[i + 1] = parts[1];
        }
        else
        {
            args.AddRange(parts);
        }

        var (code, _, stderr) = PostCli.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    /// <summary>A tiny real identity (2 units of 128 labels, scrypt N = 16) for <c>--dir</c>.</summary>
    private string Identity()
    {
        var dir = Path.Combine(_tmp.Path, "id");
        if (!Directory.Exists(dir))
        {
            using var provider = new ReferenceLabelProvider(1);
            new Initializer([provider]).Run(new InitOptions
            {
                DataDir = dir,
                NodeId = new NodeId(Enumerable.Repeat((byte)0x61, 32).ToArray()),
                CommitmentAtxId = new AtxId(Enumerable.Repeat((byte)0x3b, 32).ToArray()),
                NumUnits = 2,
                LabelsPerUnit = 128,
                MaxFileSize = 64 * 16,
                ScryptN = 16,
            });
        }

        return dir;
    }
}
