using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Prover.Service.Tests;

/// <summary>A CA and certificates it signs, generated at run time, written as PEM files for the service's flags.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 ca, string dir)
    {
        Ca = ca;
        Dir = dir;
    }

    public X509Certificate2 Ca { get; }

    public string Dir { get; }

    public string CaPem => Path.Combine(Dir, "ca.pem");

    public static TestCertificates CreateCa(string dir, string name)
    {
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certs = new TestCertificates(ca, dir);
        File.WriteAllText(certs.CaPem, ca.ExportCertificatePem());
        return certs;
    }

    /// <summary>A leaf certificate signed by this CA (server: SAN localhost + 127.0.0.1; client: client-auth EKU).</summary>
    public X509Certificate2 Issue(string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddDnsName(name);
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var ecdsa = Ca.GetECDsaPrivateKey()!;
        using var signed = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ecdsa),
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by SslStream (Kestrel) on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// An intermediate CA signed by this CA (path length 0), with its own directory under <see cref="Dir"/>: leaves it
    /// issues chain to this CA only through it.
    /// </summary>
    public TestCertificates CreateIntermediate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var ecdsa = Ca.GetECDsaPrivateKey()!;
        using var signed = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ecdsa),
            DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddHours(18), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var dir = Path.Combine(Dir, "intermediate-" + name.Replace(' ', '-'));
        Directory.CreateDirectory(dir);
        var intermediate = new TestCertificates(X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), dir);
        File.WriteAllText(intermediate.CaPem, intermediate.Ca.ExportCertificatePem());
        return intermediate;
    }

    /// <summary>
    /// A client certificate with an Ed25519 key, signed by this CA. .NET cannot make Ed25519 keys, so the key comes
    /// from the <c>openssl</c> command; the certificate is built here around its public key. Returns the PEM paths
    /// (the key as PKCS#8 "PRIVATE KEY", as <c>openssl genpkey</c> writes it); <paramref name="chain"/> is appended to
    /// the certificate file.
    /// </summary>
    public (string Cert, string Key) IssueEd25519Client(string name, params X509Certificate2[] chain)
    {
        var keyPath = Path.Combine(Dir, name + "-key.pem");
        var publicPath = Path.Combine(Dir, name + "-pub.der");
        OpenSsl("genpkey", "-algorithm", "ed25519", "-out", keyPath);
        OpenSsl("pkey", "-in", keyPath, "-pubout", "-outform", "DER", "-out", publicPath);
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(File.ReadAllBytes(publicPath), out _);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var ecdsa = Ca.GetECDsaPrivateKey()!;
        using var signed = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ecdsa),
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        var certPath = Path.Combine(Dir, name + ".pem");
        File.WriteAllText(certPath, signed.ExportCertificatePem() + "\n" + string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));
        return (certPath, keyPath);
    }

    private static void OpenSsl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)}: exit {p.ExitCode}: {err}");
        }
    }

    /// <summary>
    /// Writes <paramref name="certificate"/> and its key as PEM, <paramref name="chain"/> (intermediates) after the
    /// certificate in the same file; returns (cert path, key path).
    /// </summary>
    public (string Cert, string Key) WritePem(X509Certificate2 certificate, string name, params X509Certificate2[] chain)
    {
        var certPath = Path.Combine(Dir, name + ".pem");
        var keyPath = Path.Combine(Dir, name + "-key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n" +
            string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    public void Dispose() => Ca.Dispose();
}
