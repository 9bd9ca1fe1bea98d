using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prover.Contracts.Spacemesh.V1;
using Prover.Node.PostService;

namespace Prover.Node.Host.PostService;

/// <summary>
/// Listener settings of the node-side PostService, under go-spacemesh's config names (NODE.md §4.3,
/// <c>api.grpc-post-listener</c> and friends).
/// </summary>
public sealed record PostListenerOptions
{
    /// <summary><c>grpc-post-listener</c>: plaintext <c>ip:port</c> (port 0 = any free port); null or empty = none.</summary>
    public string? GrpcPostListener { get; init; } = "127.0.0.1:0";

    /// <summary><c>grpc-tls-listener</c>: mutual-TLS <c>ip:port</c>; null or empty = none.</summary>
    public string? GrpcTlsListener { get; init; }

    /// <summary><c>grpc-tls-ca-cert</c>: PEM of the CA client certificates must chain to.</summary>
    public string? GrpcTlsCaCert { get; init; }

    /// <summary><c>grpc-tls-cert</c>: PEM of the node's server certificate.</summary>
    public string? GrpcTlsCert { get; init; }

    /// <summary><c>grpc-tls-key</c>: PEM of the server certificate's private key.</summary>
    public string? GrpcTlsKey { get; init; }

    /// <summary><c>grpc-recv-msg-size</c> / <c>grpc-send-msg-size</c>: 10 MiB as go-spacemesh.</summary>
    public int MaxMessageSize { get; init; } = 10 << 20;
}

/// <summary>
/// Kestrel serving <c>spacemesh.v1.PostService</c> and <c>PostInfoService</c> over the configured plain and mTLS
/// listeners (HTTP/2 only), each Register call handed to a <see cref="PostServiceRegistry"/>. The mTLS listener
/// requires a client certificate that chains to <see cref="PostListenerOptions.GrpcTlsCaCert"/>, as go-spacemesh's
/// <c>RequireAndVerifyClientCert</c>.
/// </summary>
public sealed class NodePostServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NodePostServer(WebApplication app, Uri? plain, Uri? tls)
    {
        _app = app;
        PlainAddress = plain;
        TlsAddress = tls;
    }

    /// <summary>The bound plaintext address (<c>http://ip:port</c>), for <c>post serve --address</c>.</summary>
    public Uri? PlainAddress { get; }

    /// <summary>The bound mTLS address (<c>https://ip:port</c>).</summary>
    public Uri? TlsAddress { get; }

    /// <summary>Starts listening.</summary>
    /// <exception cref="ArgumentException">A listener address is malformed, or TLS files are missing.</exception>
    public static async Task<NodePostServer> StartAsync(PostServiceRegistry registry, PostListenerOptions options,
        Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        var plain = string.IsNullOrEmpty(options.GrpcPostListener) ? null : ParseEndpoint(options.GrpcPostListener, "grpc-post-listener");
        var tls = string.IsNullOrEmpty(options.GrpcTlsListener) ? null : ParseEndpoint(options.GrpcTlsListener, "grpc-tls-listener");
        if (plain is null && tls is null) throw new ArgumentException("neither grpc-post-listener nor grpc-tls-listener is set", nameof(options));

        X509Certificate2? serverCertificate = null;
        X509Certificate2Collection? clientCas = null;
        if (tls is not null)
        {
            if (string.IsNullOrEmpty(options.GrpcTlsCaCert) || string.IsNullOrEmpty(options.GrpcTlsCert) || string.IsNullOrEmpty(options.GrpcTlsKey))
            {
                throw new ArgumentException("grpc-tls-listener needs grpc-tls-ca-cert, grpc-tls-cert and grpc-tls-key", nameof(options));
            }

            serverCertificate = X509Certificate2.CreateFromPemFile(options.GrpcTlsCert, options.GrpcTlsKey);
            clientCas = [];
            clientCas.ImportFromPemFile(options.GrpcTlsCaCert);
            if (clientCas.Count == 0) throw new ArgumentException($"grpc-tls-ca-cert {options.GrpcTlsCaCert} holds no certificate", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (plain is not null) kestrel.Listen(plain, listen => listen.Protocols = HttpProtocols.Http2);
            if (tls is not null)
            {
                kestrel.Listen(tls, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = serverCertificate;
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (certificate, presented, _) => ChainsTo(certificate, presented, clientCas!);
                    });
                });
            }
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = options.MaxMessageSize;
            o.MaxSendMessageSize = options.MaxMessageSize;
        });
        builder.Services.AddSingleton(registry);
        var app = builder.Build();
        app.MapGrpcService<PostServiceEndpoint>();
        app.MapGrpcService<PostInfoServiceEndpoint>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return new NodePostServer(app,
            plain is null ? null : bound.First(u => u.Scheme == Uri.UriSchemeHttp),
            tls is null ? null : bound.First(u => u.Scheme == Uri.UriSchemeHttps));
    }

    /// <summary>Stops listening; open streams are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var now = new CancellationTokenSource())
        {
            await now.CancelAsync().ConfigureAwait(false);
            try
            {
                await _app.StopAsync(now.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Parses <c>ip:port</c>, <c>[v6]:port</c> or <c>localhost:port</c>.</summary>
    public static IPEndPoint ParseEndpoint(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(text.AsSpan("localhost:".Length), out int port) && port is >= 0 and <= 65535)
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':', StringComparison.Ordinal) && !text.EndsWith(']')
            ? endpoint
            : throw new ArgumentException($"{name} '{text}' is not ip:port", nameof(text));
    }

    private static bool ChainsTo(X509Certificate2 client, X509Chain? presented, X509Certificate2Collection cas)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        return chain.Build(client);
    }

    /// <summary>The gRPC service class: every Register call goes to the registry.</summary>
    private sealed class PostServiceEndpoint(PostServiceRegistry registry) : Contracts.Spacemesh.V1.PostService.PostServiceBase
    {
        public override Task Register(IAsyncStreamReader<ServiceResponse> requestStream, IServerStreamWriter<NodeRequest> responseStream,
            ServerCallContext context) => registry.ServeAsync(requestStream, responseStream, context.CancellationToken);
    }

    /// <summary><c>PostInfoService.PostStates</c>: each connected identity, IDLE or PROVING.</summary>
    private sealed class PostInfoServiceEndpoint(PostServiceRegistry registry) : PostInfoService.PostInfoServiceBase
    {
        public override Task<PostStatesResponse> PostStates(PostStatesRequest request, ServerCallContext context)
        {
            var response = new PostStatesResponse();
            foreach (var id in registry.ConnectedIdentities)
            {
                response.States.Add(new PostState
                {
                    Id = Google.Protobuf.ByteString.CopyFrom(id.Span),
                    State = registry.IsProving(id) ? PostState.Types.State.Proving : PostState.Types.State.Idle,
                    Name = id.ToString(),
                });
            }

            return Task.FromResult(response);
        }
    }
}
