using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Init;
using Prover.Core.Primitives;
using Prover.Node.Host.PostService;
using Prover.Verifier;
using Metadata = Prover.Contracts.Spacemesh.V1.Metadata;

namespace Prover.Node.Host.Tests.PostService;

/// <summary>Tiny real PoST data (reference scrypt, N = 16) and the parameters proofs over it use.</summary>
public static class TinyPost
{
    public const ulong ScryptN = 16, LabelsPerUnit = 128;
    public const uint NumUnits = 2, K1 = 20, K2 = 8;

    public static NodeId Identity(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    public static AtxId CommitmentOf(byte b) => new(Enumerable.Repeat((byte)(b ^ 0x5a), 32).ToArray());

    /// <summary>Initializes data for identity [<paramref name="b"/>; 32] under <paramref name="root"/>.</summary>
    public static string Create(string root, byte b)
    {
        var dir = Path.Combine(root, $"post-{b:x2}");
        using var provider = new ReferenceLabelProvider(1);
        new Initializer([provider]).Run(new InitOptions
        {
            DataDir = dir,
            NodeId = Identity(b),
            CommitmentAtxId = CommitmentOf(b),
            NumUnits = NumUnits,
            LabelsPerUnit = LabelsPerUnit,
            MaxFileSize = 64 * 16,
            ScryptN = ScryptN,
        });
        return dir;
    }

    /// <summary>Supervisor options for <c>post serve</c> (post.dll next to the tests) over the tiny data.</summary>
    public static PostSupervisorOptions Supervised(Uri node, string dir) => new()
    {
        PostBinary = Path.Combine(AppContext.BaseDirectory, "post.dll"),
        NodeAddress = node,
        DataDir = dir,
        MinNumUnits = 1,
        MaxNumUnits = 16,
        K1 = K1,
        K2 = K2,
        PowDifficulty = new string('f', 64),
        ScryptN = ScryptN,
        Threads = 1,
        Nonces = 16,
        RandomXMode = "light",
        ReconnectIntervalSeconds = 1,
        MaxRetries = 30,
    };

    public static async Task WaitUntil(Func<bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in {seconds} s");
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// A prover speaking the protocol at message level over a real gRPC channel: it answers every node request with
/// <see cref="Answer"/> (null = hang up), so tests can play a misbehaving or dying prover.
/// </summary>
public sealed class ScriptedProver : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<ServiceResponse, NodeRequest> _call;
    private readonly CancellationTokenSource _stop = new();

    private ScriptedProver(GrpcChannel channel, Func<NodeRequest, ServiceResponse?> answer)
    {
        _channel = channel;
        Answer = answer;
        _call = new Contracts.Spacemesh.V1.PostService.PostServiceClient(channel).Register(cancellationToken: _stop.Token);
        Serving = ServeAsync();
    }

    public Func<NodeRequest, ServiceResponse?> Answer { get; set; }

    /// <summary>Ends when the node ends the stream; faults with the node's status when it refuses.</summary>
    public Task Serving { get; }

    public int Requests { get; private set; }

    public static ScriptedProver Connect(Uri address, Func<NodeRequest, ServiceResponse?> answer, SocketsHttpHandler? handler = null) =>
        new(GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler ?? new SocketsHttpHandler() }), answer);

    public static ServiceResponse MetadataOf(byte b) => new()
    {
        Metadata = new MetadataResponse
        {
            Meta = new Metadata
            {
                NodeId = ByteString.CopyFrom(TinyPost.Identity(b).Span),
                CommitmentAtxId = ByteString.CopyFrom(TinyPost.CommitmentOf(b).Span),
                Nonce = 7,
                NumUnits = 4,
                LabelsPerUnit = 1024,
            },
        },
    };

    public void HangUp() => _stop.Cancel();

    private async Task ServeAsync()
    {
        await Task.Yield();
        while (await _call.ResponseStream.MoveNext(_stop.Token))
        {
            Requests++;
            var answer = Answer(_call.ResponseStream.Current);
            if (answer is null)
            {
                await _stop.CancelAsync();
                return;
            }

            await _call.RequestStream.WriteAsync(answer, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Serving;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
        }

        _call.Dispose();
        _channel.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A throw-away CA with a server certificate (127.0.0.1, localhost) and a client certificate, as PEM files.</summary>
public sealed class TestPki
{
    private TestPki(string dir) => Dir = dir;

    public string Dir { get; }
    public string CaCert => Path.Combine(Dir, "ca.pem");
    public string ServerCert => Path.Combine(Dir, "server.pem");
    public string ServerKey => Path.Combine(Dir, "server.key");
    public required X509Certificate2 Ca { get; init; }
    public required X509Certificate2 Client { get; init; }
    public required X509Certificate2 Stranger { get; init; }

    public static TestPki Create(string dir)
    {
        Directory.CreateDirectory(dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=node test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = Issue(ca, caKey, "CN=node", serverKey, san.Build(), "1.3.6.1.5.5.7.3.1");
        File.WriteAllText(Path.Combine(dir, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());

        var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = Issue(ca, caKey, "CN=post service", clientKey, null, "1.3.6.1.5.5.7.3.2");
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherCa = new CertificateRequest("CN=other CA", otherCaKey, HashAlgorithmName.SHA256);
        otherCa.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherCa.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = Issue(other, otherCaKey, "CN=stranger", strangerKey, null, "1.3.6.1.5.5.7.3.2");
        return new TestPki(dir)
        {
            Ca = ca,
            Client = client.CopyWithPrivateKey(clientKey),
            Stranger = stranger.CopyWithPrivateKey(strangerKey),
        };
    }

    /// <summary>A handler presenting <paramref name="certificate"/> and trusting only the test CA for the server.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler();
        if (certificate is not null) handler.SslOptions.ClientCertificates = [certificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert is X509Certificate2 c && chain.Build(c);
        };
        return handler;
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, ECDsa issuerKey, string subject, ECDsa key, X509Extension? san, string usage)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (san is not null) request.CertificateExtensions.Add(san);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
    }
}
