using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prover.Contracts.Spacemesh.V1;

namespace Prover.Service.Tests;

/// <summary>
/// The node side of the protocol: a loopback Kestrel gRPC server implementing <c>spacemesh.v1.PostService</c>. Each
/// Register call is handed to a script (by default <see cref="GoSpacemeshNode"/>, which behaves like go-spacemesh).
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app, int port, bool https)
    {
        _app = app;
        Port = port;
        Address = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri Address { get; }

    /// <summary>Starts a node on 127.0.0.1 (<paramref name="port"/> 0 = any free port).</summary>
    /// <param name="script">Runs once per Register call.</param>
    /// <param name="raw">Serve a byte-level PostService instead: the script gets <see cref="RawSession"/>s.</param>
    public static async Task<TestNode> StartAsync(Func<NodeSession, Task>? script = null, int port = 0, ServerTls? tls = null,
        Func<RawSession, Task>? raw = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tls is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = tls.ServerCertificate;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    // Like go-spacemesh: tls.RequireAndVerifyClientCert with ClientCAs = the CA.
                    https.ClientCertificateValidation = (cert, chain, _) => tls.ClientIsTrusted(cert, chain);
                });
            }
        }));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 10 << 20);
        builder.Services.AddSingleton(new Scripts(script, raw));
        var app = builder.Build();
        if (raw is not null)
        {
            app.MapGrpcService<RawPostService>();
        }
        else
        {
            app.MapGrpcService<NodePostService>();
        }

        await app.StartAsync();
        var bound = app.Urls.Select(u => new Uri(u)).First();
        return new TestNode(app, bound.Port, tls is not null);
    }

    /// <summary>Kills the node: open streams are aborted at once.</summary>
    public async Task KillAsync()
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await _app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        await _app.DisposeAsync();
    }

    public sealed record Scripts(Func<NodeSession, Task>? Typed, Func<RawSession, Task>? Raw);

    internal sealed class NodePostService(Scripts scripts) : PostService.PostServiceBase
    {
        public override Task Register(IAsyncStreamReader<ServiceResponse> requestStream, IServerStreamWriter<NodeRequest> responseStream,
            ServerCallContext context) => scripts.Typed!(new NodeSession(requestStream, responseStream, context.CancellationToken));
    }
}

/// <summary>One Register stream, seen from the node: send a request, read exactly one response.</summary>
public sealed class NodeSession(IAsyncStreamReader<ServiceResponse> responses, IServerStreamWriter<NodeRequest> requests, CancellationToken aborted)
{
    public CancellationToken Aborted { get; } = aborted;

    public async Task<ServiceResponse> RequestAsync(NodeRequest request)
    {
        await requests.WriteAsync(request, Aborted);
        if (!await responses.MoveNext(Aborted))
        {
            throw new IOException("the service closed the stream");
        }

        return responses.Current;
    }

    public async Task<Metadata> MetadataAsync()
    {
        var response = await RequestAsync(new NodeRequest { Metadata = new MetadataRequest() });
        if (response.KindCase != ServiceResponse.KindOneofCase.Metadata)
        {
            throw new InvalidDataException($"expected a MetadataResponse, got {response.KindCase}");
        }

        return response.Metadata.Meta;
    }

    public async Task<GenProofResponse> GenProofAsync(byte[] challenge)
    {
        var response = await RequestAsync(new NodeRequest { GenProof = new GenProofRequest { Challenge = ByteString.CopyFrom(challenge) } });
        if (response.KindCase != ServiceResponse.KindOneofCase.GenProof)
        {
            throw new InvalidDataException($"expected a GenProofResponse, got {response.KindCase}");
        }

        return response.GenProof;
    }

    /// <summary>
    /// go-spacemesh's proof loop (post_client.go): send GenProofRequest every <paramref name="interval"/> until a response
    /// is OK and carries a proof; ERROR/UNSPECIFIED fail; the metadata's challenge must be ours.
    /// </summary>
    public async Task<GenProofResponse> ProveAsync(byte[] challenge, TimeSpan interval)
    {
        while (true)
        {
            var response = await GenProofAsync(challenge);
            switch (response.Status)
            {
                case GenProofStatus.Ok when response.Proof is not null:
                    if (response.Metadata is null || !response.Metadata.Challenge.Span.SequenceEqual(challenge))
                    {
                        throw new InvalidDataException("the proof's metadata.challenge is not the challenge asked for");
                    }

                    return response;
                case GenProofStatus.Ok:
                    await Task.Delay(interval, Aborted);
                    break;
                default:
                    throw new InvalidDataException($"proof generation failed: status {response.Status}");
            }
        }
    }
}

/// <summary>
/// A node that behaves like go-spacemesh: on Register, ask for metadata and register the identity (one stream per node
/// id), then request a proof for the identity's challenge every few hundred milliseconds until it arrives.
/// </summary>
public sealed class GoSpacemeshNode
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(GenProofResponse Response, Metadata Registered)>> _proofs = new();
    private readonly ConcurrentDictionary<string, byte> _connected = new();

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The challenge to prove for each node id (hex); identities without one are only registered.</summary>
    public ConcurrentDictionary<string, byte[]> Challenges { get; } = new();

    /// <summary>Every MetadataResponse received, in order.</summary>
    public ConcurrentQueue<Metadata> Registrations { get; } = new();

    public ConcurrentQueue<Exception> Failures { get; } = new();

    public Task<(GenProofResponse Response, Metadata Registered)> ProofFor(string nodeIdHex) =>
        _proofs.GetOrAdd(nodeIdHex, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async Task RunAsync(NodeSession session)
    {
        var meta = await session.MetadataAsync();
        var id = Convert.ToHexStringLower(meta.NodeId.Span);
        if (!_connected.TryAdd(id, 0))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, "post service already registered"));
        }

        Registrations.Enqueue(meta);
        try
        {
            if (Challenges.TryGetValue(id, out var challenge))
            {
                var response = await session.ProveAsync(challenge, Interval);
                _proofs.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult((response, meta));
            }

            // Keep the stream open, as the node does between commands.
            await Task.Delay(Timeout.Infinite, session.Aborted);
        }
        catch (Exception e) when (e is not OperationCanceledException and not IOException)
        {
            Failures.Enqueue(e);
            _proofs.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetException(e);
            throw;
        }
        finally
        {
            _connected.TryRemove(id, out _);
        }
    }
}

/// <summary>Server-side TLS of the test node: a certificate and the CA its clients must chain to.</summary>
public sealed record ServerTls(X509Certificate2 ServerCertificate, X509Certificate2 ClientCa)
{
    /// <summary>The public-key algorithm (OID) of every client certificate presented.</summary>
    public ConcurrentQueue<string> ClientKeyAlgorithms { get; } = new();

    /// <summary>
    /// Like Go's crypto/tls: the intermediates the client sent (in <paramref name="presented"/>) may complete the path,
    /// but only <see cref="ClientCa"/> is trusted.
    /// </summary>
    public bool ClientIsTrusted(X509Certificate2 client, X509Chain? presented = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ClientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        ClientKeyAlgorithms.Enqueue(client.PublicKey.Oid.Value ?? "?");
        return chain.Build(client);
    }
}
