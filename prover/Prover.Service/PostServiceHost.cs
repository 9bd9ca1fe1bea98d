using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Prover.Core;
using Prover.Core.Data;
using Prover.Service.Proving;

namespace Prover.Service;

/// <summary>One served identity: its data, counters, proof state machine and request dispatcher.</summary>
public sealed class ServedIdentity
{
    internal ServedIdentity(PostIdentity identity, IdentityMetrics metrics, ProofStateMachine stateMachine, RequestDispatcher dispatcher)
    {
        Identity = identity;
        Metrics = metrics;
        StateMachine = stateMachine;
        Dispatcher = dispatcher;
    }

    public PostIdentity Identity { get; }

    public IdentityMetrics Metrics { get; }

    public ProofStateMachine StateMachine { get; }

    public RequestDispatcher Dispatcher { get; }
}

/// <summary>The identities of this process and what they share (options, TLS material, provers).</summary>
public sealed class PostServiceRuntime : IDisposable
{
    private readonly IIdentityProverFactory _provers;

    public PostServiceRuntime(PostServiceOptions options, IReadOnlyList<PostIdentity> identities, IIdentityProverFactory provers,
        ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(identities);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(lifetime);
        Options = options;
        _provers = provers;
        var logger = loggerFactory.CreateLogger("Prover.Service");
        Tls = options.Tls is { } tls ? NodeTls.Load(tls, options.Address, loggerFactory.CreateLogger<NodeTls>()) : null;
        var served = new List<ServedIdentity>();
        foreach (var identity in identities)
        {
            var metrics = new IdentityMetrics(identity.NodeIdHex);
            var machine = new ProofStateMachine(identity, provers.CreateGenerator(identity), provers.CreateSelfCheck(identity), metrics,
                logger, lifetime.ApplicationStopping);
            served.Add(new ServedIdentity(identity, metrics, machine, new RequestDispatcher(identity, machine, logger)));
            logger.Serving(identity.ShortId, identity.DataDir, identity.Metadata.NumUnits, identity.Metadata.LabelsPerUnit,
                identity.Metadata.CommitmentAtxId.ToString());
        }

        Identities = served;
    }

    public PostServiceOptions Options { get; }

    public NodeTls? Tls { get; }

    public IReadOnlyList<ServedIdentity> Identities { get; }

    /// <summary>Set when the service stops because of an error (e.g. the node stayed unreachable).</summary>
    public Exception? Failure { get; internal set; }

    /// <summary>
    /// Set when a part of the service could not start (the operator API's port is taken): the service stops before it
    /// dials the node, and <see cref="PostServiceHost.RunAsync"/> throws this.
    /// </summary>
    public InvalidInputException? StartFailure { get; internal set; }

    /// <summary>Finds an identity by the hex of its node id (case-insensitive; a 0x prefix is accepted).</summary>
    public ServedIdentity? Find(string nodeIdHex)
    {
        var key = nodeIdHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? nodeIdHex[2..] : nodeIdHex;
        return Identities.FirstOrDefault(i => i.Identity.NodeIdHex.Equals(key, StringComparison.OrdinalIgnoreCase));
    }

    public string MetricsText() =>
        Service.MetricsText.Render(Identities.Select(i => (i.Metrics, i.StateMachine.State)).ToList());

    public void Dispose()
    {
        foreach (var identity in Identities)
        {
            identity.StateMachine.Dispose();
        }

        Tls?.Dispose();
        _provers.Dispose();
    }
}

/// <summary>Runs one <see cref="NodeConnection"/> per identity; stops the host when one of them gives up.</summary>
public sealed class NodeConnectionsWorker : BackgroundService
{
    private readonly PostServiceRuntime _runtime;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    public NodeConnectionsWorker(PostServiceRuntime runtime, IHostApplicationLifetime lifetime, ILogger<NodeConnectionsWorker> logger)
    {
        _runtime = runtime;
        _lifetime = lifetime;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_runtime.StartFailure is not null)
        {
            return;
        }

        var connections = _runtime.Identities.Select(async identity =>
        {
            var connection = new NodeConnection(_runtime.Options, identity.Dispatcher, _runtime.Tls, identity.Metrics, _logger);
            try
            {
                await connection.RunAsync(stoppingToken);
            }
            catch (NodeUnreachableException e)
            {
                _runtime.Failure ??= e;
                _lifetime.StopApplication();
            }
        }).ToList();
        await Task.WhenAll(connections);
        _logger.Stopping();
    }
}

/// <summary>Builds and runs the service on the .NET Generic Host (SIGTERM / Ctrl-C stop it cleanly).</summary>
public static class PostServiceHost
{
    /// <summary>
    /// Validates the options, loads every identity's metadata and builds the host; <see cref="InvalidInputException"/>
    /// names the flag or file at fault. <paramref name="createProvers"/> makes the proof generators (the production
    /// one computes k2pow with RandomX and proves with the data's files).
    /// </summary>
    public static IHost Build(PostServiceOptions options, Func<PostServiceOptions, IReadOnlyList<PostIdentity>, IIdentityProverFactory> createProvers,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createProvers);
        options.Validate();
        var identities = options.DataDirs.Select(d => PostIdentity.Load(d, options)).ToList();
        var duplicate = identities.GroupBy(i => i.NodeIdHex).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidInputException("dataDir",
                $"--dir {string.Join(" and ", duplicate.Select(i => i.DataDir))}: same node id {duplicate.Key}; the node accepts one service per identity");
        }

        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // The libraries' own chatter stays at warnings and above even at debug/trace (never below --log-level).
        var libraries = options.LogLevel > LogLevel.Warning ? options.LogLevel : LogLevel.Warning;
        builder.Logging.AddFilter("Microsoft", libraries);
        builder.Logging.AddFilter("System.Net.Http", libraries);
        builder.Logging.AddFilter("Grpc", libraries);
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            // Log to stderr like post-service, so stdout stays free.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IReadOnlyList<PostIdentity>>(identities);
        builder.Services.AddSingleton(_ => createProvers(options, identities));
        builder.Services.AddSingleton<PostServiceRuntime>();

        // Hosted services start in this order: the operator API first, so that a port it cannot listen on stops the
        // service before it dials the node.
        if (options.OperatorAddress is not null)
        {
            builder.Services.AddSingleton<OperatorApi>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<OperatorApi>());
        }

        builder.Services.AddHostedService<NodeConnectionsWorker>();

        if (options.WatchPid is not null)
        {
            builder.Services.AddHostedService<PidWatcher>();
        }

        var host = builder.Build();
        try
        {
            // Build the runtime now so TLS or prover set-up errors surface before anything starts.
            host.Services.GetRequiredService<PostServiceRuntime>();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>
    /// Runs until SIGTERM/Ctrl-C (exit 0) or until a connection gives up (exit 1); throws
    /// <see cref="PostServiceRuntime.StartFailure"/> when a part of the service could not start.
    /// </summary>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var runtime = host.Services.GetRequiredService<PostServiceRuntime>();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            // A service failed to start (e.g. the operator port is taken): stop those already running, then report.
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(stop.Token);
            throw;
        }

        await host.WaitForShutdownAsync(cancellationToken);
        if (runtime.StartFailure is { } failure)
        {
            throw failure;
        }

        return runtime.Failure is null ? 0 : 1;
    }
}
