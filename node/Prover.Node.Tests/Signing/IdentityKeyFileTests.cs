using Prover.Node.Genesis;
using Prover.Node.Signing;
using Xunit;

namespace Prover.Node.Tests.Signing;

public sealed class IdentityKeyFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "node-identity-" + Guid.NewGuid().ToString("N"));
    private static readonly GenesisId Prefix = GenesisConfig.Mainnet.GenesisId;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Saved_key_is_128_lowercase_hex_without_newline_mode_0600_and_loads_back()
    {
        using var signer = EdSigner.Generate(Prefix);
        var path = Path.Combine(_dir, "identities", "local.key");
        IdentityKeyFile.Save(path, signer);

        var text = File.ReadAllText(path);
        Assert.Equal(128, text.Length);
        Assert.Equal(text.ToLowerInvariant(), text);
        Assert.EndsWith(signer.NodeId.ToString(), text);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp", SearchOption.AllDirectories));
        using var loaded = IdentityKeyFile.Load(path, Prefix);
        Assert.Equal(signer.NodeId, loaded.NodeId);
        var msg = "hello"u8.ToArray();
        Assert.Equal(signer.Sign(SignatureDomain.Ballot, msg), loaded.Sign(SignatureDomain.Ballot, msg));
        Assert.True(new EdVerifier(Prefix).Verify(SignatureDomain.Ballot, loaded.NodeId, msg, loaded.Sign(SignatureDomain.Ballot, msg)));
        Assert.False(new EdVerifier(GenesisConfig.Testnet.GenesisId).Verify(SignatureDomain.Ballot, loaded.NodeId, msg, loaded.Sign(SignatureDomain.Ballot, msg)));
    }

    [Fact]
    public void An_existing_key_file_is_never_overwritten()
    {
        using var a = EdSigner.Generate(Prefix);
        using var b = EdSigner.Generate(Prefix);
        var path = Path.Combine(_dir, "a.key");
        IdentityKeyFile.Save(path, a);
        Assert.Throws<IOException>(() => IdentityKeyFile.Save(path, b));
        using var loaded = IdentityKeyFile.Load(path, Prefix);
        Assert.Equal(a.NodeId, loaded.NodeId);
    }

    [Fact]
    public void Go_spacemesh_literal_key_file_content_loads_and_bad_content_is_refused_naming_the_file()
    {
        var key = IdentityVectors.Load("ed25519.json", "sm_key")[0];
        Directory.CreateDirectory(_dir);
        var good = Path.Combine(_dir, "good.key");
        File.WriteAllText(good, key.Str("private_key").ToUpperInvariant() + "\n"); // Go's hex accepts upper case
        using (var signer = IdentityKeyFile.Load(good, Prefix))
        {
            Assert.Equal(key.Str("pub"), signer.NodeId.ToString());
        }

        var cases = new Dictionary<string, string>
        {
            ["short.key"] = key.Str("private_key")[..126],
            ["nothex.key"] = "zz" + key.Str("private_key")[2..],
            // the public half of another key: WithPrivateKey refuses it
            ["mismatch.key"] = key.Str("private_key")[..64] + new string('0', 64),
        };
        foreach (var (name, content) in cases)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllText(path, content);
            var e = Assert.Throws<FormatException>(() => IdentityKeyFile.Load(path, Prefix));
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void A_directory_holds_several_identities_in_stable_order_and_refuses_duplicates()
    {
        var dir = Path.Combine(_dir, IdentityDirectory.FolderName);
        var first = IdentityDirectory.LoadOrCreate(dir, 3, Prefix);
        Assert.Equal(3, first.Count);
        Assert.Equal(3, first.Select(s => s.NodeId).Distinct().Count());
        Assert.Equal("local.key", Path.GetFileName(IdentityDirectory.KeyFiles(dir)[0]));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a key");
        Directory.CreateDirectory(Path.Combine(dir, "sub.key"));

        var again = IdentityDirectory.LoadOrCreate(dir, 2, Prefix); // never fewer than exist, nothing rewritten
        Assert.Equal(first.Select(s => s.NodeId), again.Select(s => s.NodeId));
        var more = IdentityDirectory.LoadOrCreate(dir, 4, Prefix);
        Assert.Equal(first.Select(s => s.NodeId), more.Take(3).Select(s => s.NodeId));
        Assert.Equal(4, more.Count);

        File.Copy(Path.Combine(dir, "local.key"), Path.Combine(dir, "zz-copy.key"));
        var e = Assert.Throws<FormatException>(() => IdentityDirectory.LoadAll(dir, Prefix));
        Assert.Contains("duplicate identity", e.Message);

        foreach (var s in first.Concat(again).Concat(more))
        {
            s.Dispose();
        }
    }
}
