using System.Security.Cryptography;
using System.Text;
using Prover.Node.Genesis;

namespace Prover.Node.Signing;

/// <summary>
/// go-spacemesh's identity key file (<c>identities/*.key</c>; <c>signing.FromFile</c> / <c>ToFile</c>): the lowercase
/// hex of the 64-byte private key (seed ‖ public key), 128 characters, no newline, mode 0600. On reading, surrounding
/// whitespace is tolerated (go-spacemesh itself would refuse a trailing newline); anything else that is not exactly
/// 64 bytes of hex, or a key whose public half does not match its seed, is refused with the file named.
/// </summary>
public static class IdentityKeyFile
{
    /// <summary>The extension go-spacemesh loads identities from.</summary>
    public const string Extension = ".key";

    /// <summary>The file text of <paramref name="signer"/>'s private key.</summary>
    public static string Format(EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var key = signer.ExportPrivateKey();
        try
        {
            return Convert.ToHexStringLower(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Parses the file text; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="FormatException">Not 64 bytes of hex, or the public half does not match the seed.</exception>
    public static EdSigner Parse(string text, GenesisId prefix, string source = "identity key")
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.AsSpan().Trim();
        if (hex.Length != 2 * Ed25519.PrivateKeySize)
        {
            throw new FormatException(
                $"{source}: expected {2 * Ed25519.PrivateKeySize} hex digits (the 64-byte seed ‖ public key), got {hex.Length} characters");
        }

        var key = new byte[Ed25519.PrivateKeySize];
        try
        {
            if (Convert.FromHexString(hex, key, out _, out var written) != System.Buffers.OperationStatus.Done
                || written != key.Length)
            {
                throw new FormatException($"{source}: the key is not valid hex");
            }

            try
            {
                return EdSigner.FromPrivateKey(key, prefix);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Loads the identity stored at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The content is not a key (the message names the file).</exception>
    public static EdSigner Load(string path, GenesisId prefix) => Parse(File.ReadAllText(path, Encoding.ASCII), prefix, path);

    /// <summary>
    /// Writes <paramref name="signer"/>'s key to <paramref name="path"/> atomically (a temporary file in the same folder,
    /// created with mode 0600, flushed, then renamed). An existing file is never replaced: a key is never lost.
    /// </summary>
    /// <exception cref="IOException"><paramref name="path"/> exists already.</exception>
    public static void Save(string path, EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        CreatePrivateDirectory(directory);
        if (File.Exists(full))
        {
            throw new IOException($"{full}: an identity key file exists already; it is never overwritten");
        }

        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var bytes = Encoding.ASCII.GetBytes(Format(signer));
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            CryptographicOperations.ZeroMemory(bytes);
            File.Move(temp, full, overwrite: false);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Creates <paramref name="directory"/> (mode 0700 where supported) when missing.</summary>
    internal static void CreatePrivateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
