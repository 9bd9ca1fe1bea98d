using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Prover.Core.Data;

namespace Prover.Service;

/// <summary>
/// mTLS towards the node's TLS listener (spec §8.4): the node's certificate must chain to the CA of <c>--ca-cert</c>
/// (and only to it: the system store is not consulted) and match the server name (<c>--domain</c>, else the host of
/// <c>--address</c>); this service authenticates with <c>--cert</c>/<c>--key</c>. Problems are logged in plain words.
/// </summary>
public sealed class NodeTls : IDisposable
{
    private readonly X509Certificate2Collection _ca;
    private readonly X509Certificate2 _client;
    private readonly string _caFile;
    private readonly ILogger _logger;

    private NodeTls(X509Certificate2Collection ca, X509Certificate2 client, string caFile, string serverName, ILogger logger)
    {
        _ca = ca;
        _client = client;
        _caFile = caFile;
        ServerName = serverName;
        _logger = logger;
    }

    /// <summary>The name the node's certificate must carry (also sent as SNI).</summary>
    public string ServerName { get; }

    /// <summary>True when <c>--domain</c> differs from the host of the address: requests then carry it as Host (SNI).</summary>
    public bool OverridesHost { get; private init; }

    /// <summary>Loads and checks the PEM files; <see cref="PostDataException"/> names the file at fault.</summary>
    public static NodeTls Load(TlsSettings settings, Uri address, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        var ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(settings.CaCert);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new PostDataException($"--ca-cert {settings.CaCert}: cannot read a PEM certificate: {e.Message}", e);
        }

        if (ca.Count == 0)
        {
            throw new PostDataException($"--ca-cert {settings.CaCert}: no certificate found in the file (expected PEM)");
        }

        X509Certificate2 client;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(settings.Cert, settings.Key);
            // Re-import through PKCS#12 so the private key is usable by SslStream on every platform.
            client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new PostDataException(
                $"--cert {settings.Cert} / --key {settings.Key}: cannot load the client certificate and its key " +
                $"(both PEM, unencrypted, and the key must belong to the certificate): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PostDataException($"--cert {settings.Cert} / --key {settings.Key}: {e.Message}", e);
        }

        var name = string.IsNullOrWhiteSpace(settings.Domain) ? address.IdnHost : settings.Domain.Trim();
        logger.TlsConfigured(client.Subject, string.Join("; ", ca.Select(c => c.Subject)), name);
        return new NodeTls(ca, client, settings.CaCert, name, logger)
        {
            OverridesHost = !string.Equals(name, address.IdnHost, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Client-side TLS options for <see cref="System.Net.Http.SocketsHttpHandler.SslOptions"/>.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = ServerName,
        ClientCertificates = [_client],
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
        _client.Dispose();
        foreach (var c in _ca)
        {
            c.Dispose();
        }
    }
}
