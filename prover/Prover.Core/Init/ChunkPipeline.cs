using Prover.Core.Threading;

namespace Prover.Core.Init;

/// <summary>
/// The ordered chunk pipeline of <see cref="Initializer"/>: a label range is cut into chunks that the providers compute
/// at the same time (each asks for its next chunk as soon as it is free, so a GPU and the CPU share the work by their
/// speed), and the chunks are handed to the consumer strictly in index order on the calling thread, which writes them
/// and checkpoints. At most a few chunks wait to be consumed, so memory stays bounded however far a fast provider runs
/// ahead. One provider's failure stops the others and is reported, naming the provider, instead of a partial result.
/// </summary>
public sealed class ChunkPipeline
{
    private readonly IReadOnlyList<ILabelProvider> _providers;

    /// <summary>Creates the pipeline over one or more providers (not owned).</summary>
    public ChunkPipeline(IReadOnlyList<ILabelProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        if (providers.Count == 0)
        {
            throw new ArgumentException("at least one label provider is needed", nameof(providers));
        }

        _providers = providers;
    }

    /// <summary>Chunks computed but not yet consumed, at most.</summary>
    public int MaxInFlight => Math.Max(4, 3 * _providers.Count);

    /// <summary>
    /// Computes the 32-byte outputs of labels [<paramref name="start"/>, <paramref name="end"/>) and passes each chunk
    /// (first index, count, outputs) to <paramref name="consume"/> in order; <paramref name="consume"/> returns false to
    /// stop early (the chunks after it are dropped). Everything consumed before a failure or a cancellation stays
    /// consumed: the consumer's last checkpoint is where a new run resumes.
    /// </summary>
    /// <exception cref="InvalidOperationException">a provider failed (the first failure; inner: its exception).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public void Run(byte[] commitment, ulong scryptN, ulong start, ulong end, Func<ulong, int, byte[], bool> consume,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        ArgumentNullException.ThrowIfNull(consume);
        object gate = new();
        ulong next = start;
        var ready = new Dictionary<ulong, (int Count, byte[] Outputs)>();
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Worker 0 (this thread) consumes in order; worker i ≥ 1 runs provider i − 1.
        void Work(int worker, CancellationToken token)
        {
            if (worker == 0)
            {
                Consume(token);
            }
            else
            {
                Compute(_providers[worker - 1], token);
            }
        }

        void Compute(ILabelProvider provider, CancellationToken token)
        {
            try
            {
                int batch = Math.Max(1, provider.PreferredBatchSize(scryptN));
                while (true)
                {
                    inFlight.Wait(token);
                    ulong chunkStart;
                    int count;
                    lock (gate)
                    {
                        if (next >= end)
                        {
                            return;
                        }

                        chunkStart = next;
                        count = (int)Math.Min((ulong)batch, end - next);
                        next += (ulong)count;
                    }

                    var outputs = new byte[count * 32];
                    provider.ComputeOutputs(commitment, scryptN, chunkStart, count, outputs, token);
                    lock (gate)
                    {
                        ready[chunkStart] = (count, outputs);
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                throw new InvalidOperationException($"label provider '{provider.Id}' failed: {e.Message}", e);
            }
        }

        void Consume(CancellationToken token)
        {
            // A failed provider cancels the job's token: the wait below must notice it at once.
            using var wake = token.Register(() =>
            {
                lock (gate)
                {
                    Monitor.PulseAll(gate);
                }
            });
            ulong expected = start;
            while (expected < end)
            {
                (int Count, byte[] Outputs) chunk;
                lock (gate)
                {
                    while (!ready.Remove(expected, out chunk))
                    {
                        token.ThrowIfCancellationRequested();
                        Monitor.Wait(gate, 100);
                    }
                }

                inFlight.Release();
                if (!consume(expected, chunk.Count, chunk.Outputs))
                {
                    break;
                }

                expected += (ulong)chunk.Count;
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Done (or stopped early): the providers stop after their current chunk.
            stop.Cancel();
        }

        using (var workers = new WorkerGroup("labels", i => $"labels-{_providers[i - 1].Id}"))
        {
            workers.Run(_providers.Count + 1, Work, stop.Token);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
