using System.Collections.ObjectModel;
using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Service;

/// <summary>
/// mTLS towards the node's TLS listener (spec §8.4): the node's certificate must chain to the CA of <c>--ca-cert</c>
/// (and only to it: the system store is not consulted) and match the server name (<c>--domain</c>, else the host of
/// <c>--address</c>); this service authenticates with <c>--cert</c>/<c>--key</c>, sending every certificate of
/// <c>--cert</c> (the leaf, then its intermediates) as tonic does; ECDSA, RSA and (on Linux) Ed25519 keys. Problems are
/// logged in plain words.
/// </summary>
public sealed partial class NodeTls : IDisposable
{
    private readonly X509Certificate2Collection _ca;
    private readonly X509Certificate2Collection _client;
    private readonly SslStreamCertificateContext _clientContext;
    private readonly string _caFile;
    private readonly ILogger _logger;

    private NodeTls(X509Certificate2Collection ca, X509Certificate2Collection client, SslStreamCertificateContext clientContext, string caFile,
        string serverName, ILogger logger)
    {
        _ca = ca;
        _client = client;
        _clientContext = clientContext;
        _caFile = caFile;
        ServerName = serverName;
        _logger = logger;
    }

    /// <summary>The name the node's certificate must carry (also sent as SNI).</summary>
    public string ServerName { get; }

    /// <summary>True when <c>--domain</c> differs from the host of the address: requests then carry it as Host (SNI).</summary>
    public bool OverridesHost { get; private init; }

    /// <summary>
    /// Loads and checks the PEM files; <see cref="InvalidInputException"/> names the file at fault. For an <c>http://</c>
    /// address the TLS flags are ignored with a warning and null is returned: post-rs (tonic) connects in plaintext then.
    /// </summary>
    public static NodeTls? Load(TlsSettings settings, Uri address, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme == Uri.UriSchemeHttp)
        {
            TlsIgnored(logger, address);
            return null;
        }

        var ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(settings.CaCert);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("caCert", $"--ca-cert {settings.CaCert}: cannot read a PEM certificate: {e.Message}", e);
        }

        if (ca.Count == 0)
        {
            throw new InvalidInputException("caCert", $"--ca-cert {settings.CaCert}: no certificate found in the file (expected PEM)");
        }

        // --cert is the leaf followed by the intermediates that lead to the node's client CA (as tonic/rustls read it):
        // the whole chain is sent in the handshake.
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(settings.Cert);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("cert", $"--cert {settings.Cert}: cannot read a PEM certificate: {e.Message}", e);
        }

        if (chain.Count == 0)
        {
            throw new InvalidInputException("cert", $"--cert {settings.Cert}: no certificate found in the file (expected PEM)");
        }

        var intermediates = new X509Certificate2Collection();
        for (int i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        SslStreamCertificateContext context;
        X509Certificate2 client;
        if (chain[0].PublicKey.Oid.Value == OpenSslClientKey.Ed25519Oid)
        {
            // .NET cannot hold an Ed25519 key in an X509Certificate2; OpenSSL (SslStream's engine on Linux) can.
            client = chain[0];
            context = OpenSslClientKey.CreateContext(client, intermediates, settings.Cert, settings.Key);
        }
        else
        {
            client = LoadClient(settings);
            context = SslStreamCertificateContext.Create(client, intermediates, offline: true);
            chain.Add(client);
        }

        var name = string.IsNullOrWhiteSpace(settings.Domain) ? address.IdnHost : settings.Domain.Trim();
        logger.TlsConfigured(client.Subject, string.Join("; ", ca.Select(c => c.Subject)), name);
        if (intermediates.Count > 0)
        {
            TlsClientChain(logger, string.Join("; ", intermediates.Select(c => c.Subject)));
        }

        return new NodeTls(ca, chain, context, settings.CaCert, name, logger)
        {
            OverridesHost = !string.Equals(name, address.IdnHost, StringComparison.OrdinalIgnoreCase),
        };
    }

    private static X509Certificate2 LoadClient(TlsSettings settings)
    {
        try
        {
            // The first CERTIFICATE block of --cert is the leaf; the key must be its.
            using var pem = X509Certificate2.CreateFromPemFile(settings.Cert, settings.Key);
            // Re-import through PKCS#12 so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidInputException("cert",
                $"--cert {settings.Cert} / --key {settings.Key}: cannot load the client certificate and its key " +
                $"(both PEM, unencrypted, and the key must belong to the certificate): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("cert", $"--cert {settings.Cert} / --key {settings.Key}: {e.Message}", e);
        }
    }

    [LoggerMessage(24, LogLevel.Warning, "TLS: --ca-cert/--cert/--key are ignored for the http:// address {Address}: connecting in plaintext (use https:// for the node's TLS listener)")]
    private static partial void TlsIgnored(ILogger logger, Uri address);

    [LoggerMessage(25, LogLevel.Information, "TLS: sending the client certificate with its intermediates '{Chain}'")]
    private static partial void TlsClientChain(ILogger logger, string chain);

    /// <summary>Client-side TLS options for <see cref="System.Net.Http.SocketsHttpHandler.SslOptions"/>.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = ServerName,
        // The leaf and its intermediates (ClientCertificates would send the leaf alone).
        ClientCertificateContext = _clientContext,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = Validate,
    };

    /// <summary>The server-certificate check (public for tests).</summary>
    public bool Validate(object? sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            _logger.TlsNoCertificate();
            return false;
        }

        using var server = certificate as X509Certificate2 is { } c2
            ? X509CertificateLoader.LoadCertificate(c2.RawData)
            : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        // SocketsHttpHandler verifies against the host it connects to; the name that counts is ours (--domain).
        if (!server.MatchesHostname(ServerName))
        {
            _logger.TlsNameMismatch(server.Subject, ServerName);
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (presented is not null)
        {
            // Intermediates the node sent along (not trusted by themselves, only used to build the path).
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(server))
        {
            return true;
        }

        var status = string.Join(", ", chain.ChainStatus.Select(s => $"{s.Status} ({s.StatusInformation.Trim()})").Distinct());
        _logger.TlsUntrusted(server.Subject, server.Issuer, _caFile, status.Length == 0 ? "no chain to the CA" : status);
        return false;
    }

    public void Dispose()
    {
        foreach (var c in _client)
        {
            c.Dispose();
        }

        foreach (var c in _ca)
        {
            c.Dispose();
        }
    }
}

/// <summary>
/// Ed25519 client keys (rustls accepts them). .NET's <see cref="X509Certificate2"/> cannot carry an Ed25519 key, but
/// SslStream on Linux runs on OpenSSL, which signs with one in TLS 1.2 and 1.3: OpenSSL opens the key file itself
/// (<see cref="SafeEvpPKeyHandle.OpenKeyFromProvider"/>), and the certificate and key handles are put into an
/// <see cref="SslStreamCertificateContext"/> in place of those of a throwaway ECDSA certificate. The context's handle
/// fields are not public API: when this runtime lays them out differently, or off Linux, the key is refused with a
/// message that says so (never silently).
/// </summary>
internal static class OpenSslClientKey
{
    public const string Ed25519Oid = "1.3.101.112";

    private const string LibCrypto = "libcrypto.so.3";

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    public static SslStreamCertificateContext CreateContext(X509Certificate2 leaf, X509Certificate2Collection intermediates, string certFile,
        string keyFile)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw Unsupported(keyFile, "on this platform (only on Linux, through OpenSSL 3)");
        }

        SafeEvpPKeyHandle key;
        try
        {
            key = SafeEvpPKeyHandle.OpenKeyFromProvider("default", Path.GetFullPath(keyFile));
        }
        catch (PlatformNotSupportedException)
        {
            throw Unsupported(keyFile, "with this OpenSSL (OpenSSL 3 is needed)");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            throw new InvalidInputException("cert",
                $"--cert {certFile} / --key {keyFile}: the certificate is Ed25519, but the key cannot be read as an unencrypted PEM private key: {e.Message}", e);
        }

        try
        {
            if (!PublicKeyOf(key).AsSpan().SequenceEqual(leaf.PublicKey.EncodedKeyValue.RawData))
            {
                throw new InvalidInputException("cert",
                    $"--cert {certFile} / --key {keyFile}: the key does not belong to the certificate (the certificate is Ed25519)");
            }

            return WithKey(leaf, intermediates, key, keyFile);
        }
        catch (DllNotFoundException)
        {
            key.Dispose();
            throw Unsupported(keyFile, "here (libcrypto.so.3 not found)");
        }
        catch (EntryPointNotFoundException)
        {
            key.Dispose();
            throw Unsupported(keyFile, "with this OpenSSL");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static InvalidInputException Unsupported(string keyFile, string where) =>
        new("key", $"--key {keyFile}: Ed25519 client keys are not supported by .NET's TLS stack {where}; use an ECDSA P-256 or RSA key");

    /// <summary>The raw public key of an Ed25519 (or other raw-key) EVP_PKEY; empty for RSA/EC keys.</summary>
    private static byte[] PublicKeyOf(SafeEvpPKeyHandle key)
    {
        nuint length = 0;
        if (NativeMethods.EVP_PKEY_get_raw_public_key(key, null, ref length) != 1 || length == 0 || length > 1024)
        {
            return [];
        }

        var raw = new byte[(int)length];
        return NativeMethods.EVP_PKEY_get_raw_public_key(key, raw, ref length) == 1 ? raw[..(int)length] : [];
    }

    private static SslStreamCertificateContext WithKey(X509Certificate2 leaf, X509Certificate2Collection intermediates, SafeEvpPKeyHandle key,
        string keyFile)
    {
        var type = typeof(SslStreamCertificateContext);
        var target = type.GetField("<TargetCertificate>k__BackingField", Instance);
        var certificateHandle = type.GetField("CertificateHandle", Instance);
        var keyHandle = type.GetField("KeyHandle", Instance);
        var publicIntermediates = type.GetField("<IntermediateCertificates>k__BackingField", Instance);
        var privateIntermediates = type.GetField("_privateIntermediateCertificates", Instance);
        var setHandle = typeof(SafeHandle).GetMethod("SetHandle", Instance);
        if (target?.FieldType != typeof(X509Certificate2) || keyHandle?.FieldType != typeof(SafeEvpPKeyHandle) ||
            certificateHandle is null || !typeof(SafeHandle).IsAssignableFrom(certificateHandle.FieldType) ||
            publicIntermediates?.FieldType != typeof(ReadOnlyCollection<X509Certificate2>) ||
            privateIntermediates?.FieldType != typeof(X509Certificate2[]) || setHandle is null)
        {
            throw Unsupported(keyFile, $"in this .NET runtime ({RuntimeInformation.FrameworkDescription})");
        }

        using var placeholderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var placeholder = new CertificateRequest("CN=placeholder", placeholderKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        using var placeholderPfx = X509CertificateLoader.LoadPkcs12(placeholder.Export(X509ContentType.Pkcs12), null);
        var context = SslStreamCertificateContext.Create(placeholderPfx, null, offline: true);

        // The leaf's X509 with a reference of its own, in the handle type System.Net.Security uses.
        var leafHandle = (SafeHandle)Activator.CreateInstance(certificateHandle.FieldType, nonPublic: true)!;
        if (NativeMethods.X509_up_ref(leaf.Handle) != 1)
        {
            throw Unsupported(keyFile, "here (OpenSSL refused a reference to the certificate)");
        }

        setHandle.Invoke(leafHandle, [leaf.Handle]);
        (certificateHandle.GetValue(context) as IDisposable)?.Dispose();
        (keyHandle.GetValue(context) as IDisposable)?.Dispose();
        certificateHandle.SetValue(context, leafHandle);
        keyHandle.SetValue(context, key);
        target.SetValue(context, leaf);
        var chain = intermediates.ToArray();
        privateIntermediates.SetValue(context, chain);
        publicIntermediates.SetValue(context, new ReadOnlyCollection<X509Certificate2>(chain));
        type.GetField("_rootCertificate", Instance)?.SetValue(context, null);
        return context;
    }

    private static class NativeMethods
    {
        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int EVP_PKEY_get_raw_public_key(SafeEvpPKeyHandle key, byte[]? pub, ref nuint length);

        [DllImport(LibCrypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int X509_up_ref(IntPtr x509);
    }
}
