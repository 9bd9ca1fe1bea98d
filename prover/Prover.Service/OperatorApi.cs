using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Service;

/// <summary>
/// The operator HTTP API on <c>--operator-address</c> (spec §8.5), Kestrel minimal API:
/// <c>GET /status</c> → post-service's JSON for the first identity; <c>GET /status/{node_id_hex}</c> → one identity;
/// <c>GET /metrics</c> → Prometheus text for all identities.
/// </summary>
public sealed class OperatorApi : IHostedService, IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly PostServiceRuntime _runtime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private WebApplication? _app;

    public OperatorApi(PostServiceOptions options, PostServiceRuntime runtime, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    {
        _endpoint = options.OperatorAddress ?? throw new ArgumentException("no operator address", nameof(options));
        _runtime = runtime;
        _lifetime = lifetime;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<OperatorApi>();
    }

    /// <summary>The address actually bound (port 0 resolved), once started.</summary>
    public Uri? BoundAddress { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(_loggerFactory));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // A port that cannot be bound is reported once, by the service (below), not as this inner host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.UseKestrel(k => k.Listen(_endpoint));
        var app = builder.Build();
        app.MapGet("/status", () => StatusResult(_runtime.Identities[0]));
        app.MapGet("/status/{nodeId}", (string nodeId) =>
            _runtime.Find(nodeId) is { } identity ? StatusResult(identity) : Results.NotFound($"no identity with node id {nodeId}\n"));
        app.MapGet("/metrics", () => Results.Text(_runtime.MetricsText(), MetricsText.ContentType));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (BindFailure(e) is { } reason)
        {
            // Not thrown: the host would log it with a stack trace. The service stops before it dials the node and
            // PostServiceHost.RunAsync throws this (post serve: "error: …", exit 2).
            await app.DisposeAsync();
            _runtime.StartFailure ??= new InvalidInputException("operatorAddress", $"--operator-address {_endpoint}: {reason}", e);
            _lifetime.StopApplication();
            return;
        }

        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        BoundAddress = address is null ? null : new Uri(address);
        _logger.OperatorListening(BoundAddress?.Authority ?? _endpoint.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>
    /// Why Kestrel could not listen, in the operator's words (the port is taken, the address is not this machine's, a
    /// privileged port), or null when <paramref name="e"/> is not a bind failure.
    /// </summary>
    internal static string? BindFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => "the port is already in use",
                    SocketError.AddressNotAvailable => "that address is not one of this machine's",
                    SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                    _ => $"cannot listen there ({socket.Message})",
                };
            }

            if (x is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return "the port is already in use";
            }
        }

        return e is IOException && e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase)
            ? $"cannot listen there ({e.Message})"
            : null;
    }

    private static IResult StatusResult(ServedIdentity identity) =>
        Results.Text(identity.StateMachine.State.ToJson(), "application/json");

    /// <summary>Sends Kestrel's own log lines to the service's logger factory.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}

/// <summary>Stops the service when the process of <c>--watch-pid</c> has exited or is a zombie (checked every second).</summary>
public sealed class PidWatcher : BackgroundService
{
    private readonly int _pid;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    public PidWatcher(PostServiceOptions options, IHostApplicationLifetime lifetime, ILogger<PidWatcher> logger)
    {
        _pid = options.WatchPid ?? throw new ArgumentException("no pid to watch", nameof(options));
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>True while <paramref name="pid"/> runs (a zombie counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }

            // Format: "pid (comm) S ...": the state follows the last ')' (comm may itself contain parentheses).
            int close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] is not ('Z' or 'X' or 'x');
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                if (!IsAlive(_pid))
                {
                    _logger.WatchedProcessGone(_pid);
                    _lifetime.StopApplication();
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
