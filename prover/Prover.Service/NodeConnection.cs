using System.Net.Http;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Prover.Contracts.Spacemesh.V1;

namespace Prover.Service;

/// <summary>Raised when the node could not be reached <c>--max-retries</c> times in a row.</summary>
public sealed class NodeUnreachableException : Exception
{
    public NodeUnreachableException()
    {
    }

    public NodeUnreachableException(string message) : base(message)
    {
    }

    public NodeUnreachableException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// One identity's link to the node: dial <c>--address</c>, call <c>PostService/Register</c>, answer every request on the
/// stream through the <see cref="RequestDispatcher"/>; when the stream breaks or cannot be opened, wait
/// <c>--reconnect-interval-s</c> and dial again. The proof state lives in the dispatcher, so a proof in progress
/// survives reconnections.
/// </summary>
public sealed class NodeConnection
{
    private readonly PostServiceOptions _options;
    private readonly RequestDispatcher _dispatcher;
    private readonly NodeTls? _tls;
    private readonly IdentityMetrics _metrics;
    private readonly ILogger _logger;

    public NodeConnection(PostServiceOptions options, RequestDispatcher dispatcher, NodeTls? tls, IdentityMetrics metrics, ILogger logger)
    {
        _options = options;
        _dispatcher = dispatcher;
        _tls = tls;
        _metrics = metrics;
        _logger = logger;
    }

    private string Id => _dispatcher.Identity.ShortId;

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> fires; throws <see cref="NodeUnreachableException"/> when retries
    /// run out. As post-service counts them: only attempts that could not reach the node are failed attempts (a node
    /// that answers Register with an error status, e.g. "no coinbase" or "already registered", is retried without
    /// limit); <c>--max-retries</c> N allows N + 1 attempts in a row; every connection that reaches the node resets the
    /// count.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int failedAttempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var attempt = new Attempt(() => failedAttempts = 0);
            string reason;
            try
            {
                await ServeOnceAsync(attempt, cancellationToken);
                reason = "the node closed the stream";
                attempt.Reach();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (cancellationToken.IsCancellationRequested && e.StatusCode == StatusCode.Cancelled)
            {
                return;
            }
            catch (RpcException e)
            {
                reason = Describe(e);
                if (e.Status.DebugException is null)
                {
                    // A status the node sent (a refusal of Register, or the end of a stream): the node was reached.
                    attempt.Reach();
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
            {
                reason = e.Message;
            }

            _metrics.SetConnected(false);
            _metrics.Reconnect();
            if (!attempt.Reached)
            {
                failedAttempts++;
                _logger.ConnectFailed(Id, _options.Address, failedAttempts, reason);
                if (_options.MaxRetries is { } max && failedAttempts > max)
                {
                    _logger.GivingUp(Id, failedAttempts);
                    throw new NodeUnreachableException(
                        $"[{Id}] could not connect to {_options.Address} after {failedAttempts} attempts: {reason}");
                }
            }
            else if (!attempt.Registered)
            {
                _logger.RegisterRefused(Id, reason, _options.ReconnectInterval);
            }
            else
            {
                _logger.StreamEnded(Id, reason, _options.ReconnectInterval);
            }

            try
            {
                await Task.Delay(_options.ReconnectInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>What one connection attempt got to: the node (its response headers or a status) and the open stream.</summary>
    private sealed class Attempt(Action onReached)
    {
        public bool Reached { get; private set; }

        public bool Registered { get; set; }

        public void Reach()
        {
            if (!Reached)
            {
                Reached = true;
                onReached();
            }
        }
    }

    /// <summary>One connection: serves the Register stream until the node closes it.</summary>
    private async Task ServeOnceAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        _logger.Connecting(Id, _options.Address);
        using var channel = CreateChannel();
        var client = new PostService.PostServiceClient(channel);
        using var call = client.Register(cancellationToken: cancellationToken);
        // The node's response headers (or its first request) prove the connection is up.
        await call.ResponseHeadersAsync.WaitAsync(cancellationToken);
        attempt.Reach();
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            if (!attempt.Registered)
            {
                attempt.Registered = true;
                _metrics.SetConnected(true);
                _logger.Connected(Id);
            }

            var request = call.ResponseStream.Current;
            // Self-verification of a finished proof is CPU work: keep it off the I/O completion threads.
            var response = await Task.Run(() => _dispatcher.Handle(request), cancellationToken);
            await call.RequestStream.WriteAsync(response, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
    }

    private GrpcChannel CreateChannel()
    {
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = _options.KeepAliveInterval,
            KeepAlivePingTimeout = _options.KeepAliveTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            EnableMultipleHttp2Connections = true,
        };
        if (_tls is not null)
        {
            handler.SslOptions = _tls.ClientOptions();
        }

        HttpMessageHandler outer = handler;
        if (_tls is { OverridesHost: true })
        {
            // SocketsHttpHandler takes the TLS server name (SNI) from the Host header when there is one.
            outer = new HostHeaderHandler(_tls.ServerName) { InnerHandler = handler };
        }

        return GrpcChannel.ForAddress(_options.Address, new GrpcChannelOptions
        {
            HttpHandler = outer,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = _options.MaxMessageSize,
            MaxSendMessageSize = _options.MaxMessageSize,
        });
    }

    private static string Describe(RpcException e)
    {
        var inner = e.Status.DebugException is { } d ? $" ({Innermost(d).Message})" : string.Empty;
        return $"{e.StatusCode}: {e.Status.Detail}{inner}";
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>Sends <c>--domain</c> as the Host (:authority) of every request, so it is also the SNI name.</summary>
    private sealed class HostHeaderHandler(string host) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = host;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
