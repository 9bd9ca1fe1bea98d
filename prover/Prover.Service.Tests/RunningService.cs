using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prover.Core.Primitives;
using Prover.Service.Proving;

namespace Prover.Service.Tests;

/// <summary>The service under test, in process, on the Generic Host, with its log lines captured.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private readonly IHost _host;

    private RunningService(IHost host, LogSink log)
    {
        _host = host;
        Log = log;
        Runtime = host.Services.GetRequiredService<PostServiceRuntime>();
    }

    public LogSink Log { get; }

    public PostServiceRuntime Runtime { get; }

    public IHost Host => _host;

    /// <summary>Resolves when the host stops by itself (e.g. a connection gave up).</summary>
    public Task Stopped => _host.WaitForShutdownAsync();

    public static async Task<RunningService> StartAsync(PostServiceOptions options, Func<PostServiceOptions, IReadOnlyList<PostIdentity>, IIdentityProverFactory> provers)
    {
        var log = new LogSink();
        var host = PostServiceHost.Build(options, provers, logging => logging.AddProvider(log));
        await host.StartAsync();
        return new RunningService(host, log);
    }

    public Uri OperatorAddress => _host.Services.GetRequiredService<OperatorApi>().BoundAddress!;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _host.Dispose();
        }
    }
}

/// <summary>
/// Wraps a generator so a test decides when proving may finish: the inner generator runs only after <see cref="Release"/>.
/// Lets tests act "while proving" deterministically.
/// </summary>
public sealed class GatedGenerator(IProofGenerator inner) : IProofGenerator
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    public int Started => Volatile.Read(ref _started);

    public void Release() => _gate.TrySetResult();

    public async Task<GeneratedProof> GenerateAsync(Challenge challenge, IProgress<ProverProgress> progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        progress.Report(new ProverProgress(0, 0, 16, 0, 0, TimeSpan.Zero));
        await _gate.Task.WaitAsync(cancellationToken);
        return await inner.GenerateAsync(challenge, progress, cancellationToken);
    }
}

/// <summary>A prover factory whose generators pass through a hook (e.g. a gate) before the real one.</summary>
public sealed class WrappingFactory(IIdentityProverFactory inner, Func<PostIdentity, IProofGenerator, IProofGenerator> wrap) : IIdentityProverFactory
{
    public IProofGenerator CreateGenerator(PostIdentity identity) => wrap(identity, inner.CreateGenerator(identity));

    public IProofSelfCheck CreateSelfCheck(PostIdentity identity) => inner.CreateSelfCheck(identity);

    public void Dispose() => inner.Dispose();
}
