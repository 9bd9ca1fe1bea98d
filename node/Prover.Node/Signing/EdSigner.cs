using System.Buffers;
using System.Security.Cryptography;
using NSec.Cryptography;
using Prover.Core.Primitives;
using Prover.Node.Genesis;

namespace Prover.Node.Signing;

/// <summary>
/// One node identity: an ed25519 key (NSec) that signs <c>GenesisID ‖ domain ‖ message</c> as go-spacemesh's
/// <c>signing.EdSigner</c> does (<c>signing/signer.go</c>). Its <see cref="NodeId"/> is the public key.
/// </summary>
public sealed class EdSigner : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _publicKey;

    private EdSigner(Key key, GenesisId prefix)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        NodeId = new NodeId(_publicKey);
        Prefix = prefix;
    }

    /// <summary>The identity: the 32-byte public key.</summary>
    public NodeId NodeId { get; }

    /// <summary>The network whose GenesisID prefixes every signed message.</summary>
    public GenesisId Prefix { get; }

    /// <summary>The public key bytes (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>A new random identity for the network <paramref name="prefix"/>.</summary>
    public static EdSigner Generate(GenesisId prefix)
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return FromSeed(seed, prefix);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The identity of a 32-byte seed.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static EdSigner FromSeed(ReadOnlySpan<byte> seed, GenesisId prefix)
    {
        if (seed.Length != Ed25519.SeedSize)
        {
            throw new ArgumentException($"an ed25519 seed is {Ed25519.SeedSize} bytes, got {seed.Length}", nameof(seed));
        }

        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new EdSigner(key, prefix);
    }

    /// <summary>
    /// The identity of go-spacemesh's 64-byte private key (seed ‖ public key). As <c>signing.WithPrivateKey</c>, a key
    /// whose second half is not the public key of its seed is refused.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong length, or the public half does not match the seed.</exception>
    public static EdSigner FromPrivateKey(ReadOnlySpan<byte> privateKey, GenesisId prefix)
    {
        if (privateKey.Length != Ed25519.PrivateKeySize)
        {
            throw new ArgumentException(
                $"an ed25519 private key is {Ed25519.PrivateKeySize} bytes (seed ‖ public key), got {privateKey.Length}",
                nameof(privateKey));
        }

        var signer = FromSeed(privateKey[..Ed25519.SeedSize], prefix);
        if (!signer._publicKey.AsSpan().SequenceEqual(privateKey[Ed25519.SeedSize..]))
        {
            signer.Dispose();
            throw new ArgumentException("the private key's public half does not match its seed", nameof(privateKey));
        }

        return signer;
    }

    /// <summary>go-spacemesh's private key form: seed ‖ public key (64 bytes). Secret: clear it after use.</summary>
    public byte[] ExportPrivateKey()
    {
        var seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        var result = new byte[Ed25519.PrivateKeySize];
        seed.CopyTo(result, 0);
        _publicKey.CopyTo(result, Ed25519.SeedSize);
        CryptographicOperations.ZeroMemory(seed);
        return result;
    }

    /// <summary>The 32-byte seed. Secret: clear it after use.</summary>
    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    /// <summary>Signs <c>GenesisID ‖ domain ‖ message</c>; returns the 64-byte signature.</summary>
    public byte[] Sign(SignatureDomain domain, ReadOnlySpan<byte> message)
    {
        var length = GenesisId.Length + 1 + message.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var signed = rented.AsSpan(0, length);
            WriteSignedBytes(Prefix, domain, message, signed);
            return SignatureAlgorithm.Ed25519.Sign(_key, signed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes <c>prefix ‖ domain ‖ message</c> into <paramref name="destination"/> (exactly that long).</summary>
    internal static void WriteSignedBytes(GenesisId prefix, SignatureDomain domain, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        prefix.Span.CopyTo(destination);
        destination[GenesisId.Length] = (byte)domain;
        message.CopyTo(destination[(GenesisId.Length + 1)..]);
    }

    /// <summary>The bytes that <see cref="Sign"/> signs: <c>prefix ‖ domain ‖ message</c>.</summary>
    public static byte[] SignedBytes(GenesisId prefix, SignatureDomain domain, ReadOnlySpan<byte> message)
    {
        var bytes = new byte[GenesisId.Length + 1 + message.Length];
        WriteSignedBytes(prefix, domain, message, bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
