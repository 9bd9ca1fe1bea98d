using Prover.Node.Genesis;

namespace Prover.Node.Signing;

/// <summary>
/// The identities of one node: every <c>*.key</c> file directly in a folder (go-spacemesh's
/// <c>&lt;data-dir&gt;/identities</c>, <c>node/node_identities.go</c>), several smeshers in one node. Order is stable:
/// <c>local.key</c> (go-spacemesh's name for the node's own identity) first, then the others by file name.
/// Two files holding the same key are refused, as go-spacemesh does.
/// </summary>
public static class IdentityDirectory
{
    /// <summary>The folder name under the data directory.</summary>
    public const string FolderName = "identities";

    /// <summary>The file of the first identity.</summary>
    public const string LocalKeyFileName = "local.key";

    /// <summary>The identity files in <paramref name="directory"/>, in load order (none when it does not exist).</summary>
    public static IReadOnlyList<string> KeyFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, "*" + IdentityKeyFile.Extension, SearchOption.TopDirectoryOnly)
            .Where(f => string.Equals(Path.GetExtension(f), IdentityKeyFile.Extension, StringComparison.Ordinal))
            .OrderBy(f => Path.GetFileName(f) == LocalKeyFileName ? 0 : 1)
            .ThenBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Loads every identity in <paramref name="directory"/>.</summary>
    /// <exception cref="FormatException">A file is not a key, or two files hold the same key.</exception>
    public static IReadOnlyList<EdSigner> LoadAll(string directory, GenesisId prefix)
    {
        var signers = new List<EdSigner>();
        var byKey = new Dictionary<Prover.Core.Primitives.NodeId, string>();
        try
        {
            foreach (var file in KeyFiles(directory))
            {
                var signer = IdentityKeyFile.Load(file, prefix);
                if (byKey.TryGetValue(signer.NodeId, out var other))
                {
                    signer.Dispose();
                    throw new FormatException($"duplicate identity {signer.NodeId} in {other} and {file}");
                }

                byKey.Add(signer.NodeId, file);
                signers.Add(signer);
            }
        }
        catch
        {
            signers.ForEach(s => s.Dispose());
            throw;
        }

        return signers;
    }

    /// <summary>
    /// Loads the identities in <paramref name="directory"/> and generates new ones until there are at least
    /// <paramref name="count"/> (<c>local.key</c>, then <c>local-001.key</c>, …), each written atomically with mode 0600.
    /// Existing keys are never touched.
    /// </summary>
    public static IReadOnlyList<EdSigner> LoadOrCreate(string directory, int count, GenesisId prefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        IdentityKeyFile.CreatePrivateDirectory(directory);
        var existing = KeyFiles(directory).Count;
        for (var n = existing; n < count; n++)
        {
            using var signer = EdSigner.Generate(prefix);
            IdentityKeyFile.Save(Path.Combine(directory, FreeName(directory)), signer);
        }

        return LoadAll(directory, prefix);
    }

    private static string FreeName(string directory)
    {
        if (!File.Exists(Path.Combine(directory, LocalKeyFileName)))
        {
            return LocalKeyFileName;
        }

        for (var i = 1; ; i++)
        {
            var name = $"local-{i:D3}{IdentityKeyFile.Extension}";
            if (!File.Exists(Path.Combine(directory, name)))
            {
                return name;
            }
        }
    }
}
