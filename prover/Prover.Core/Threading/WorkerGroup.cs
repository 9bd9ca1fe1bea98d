using System.Runtime.ExceptionServices;

namespace Prover.Core.Threading;

/// <summary>
/// A set of named background threads that run one job at a time together with the calling thread. In each
/// <see cref="Run"/> the caller is worker 0 and threads 1..n−1 are the group's own, started on first need and kept
/// (parked) for the next job until <see cref="Dispose"/>. The rules every pool of the prover follows:
/// <list type="bullet">
/// <item>the job's token is linked to the caller's: it is cancelled by the caller, and by the first worker that fails;</item>
/// <item>the first failure wins: it is rethrown by <see cref="Run"/> with its original stack trace
/// (<see cref="ExceptionDispatchInfo"/>), later failures and the cancellations it caused are dropped;</item>
/// <item><see cref="Run"/> returns only when every worker of the job has returned (join), and it does not throw for a
/// cancellation alone: the caller decides what a cancelled job means.</item>
/// </list>
/// One job at a time: concurrent <see cref="Run"/> calls wait for each other.
/// </summary>
public sealed class WorkerGroup : IDisposable
{
    private readonly Lock _runLock = new();
    private readonly Func<int, string> _threadName;
    private readonly List<Helper> _helpers = [];
    private bool _disposed;

    /// <summary>Creates an empty group; no thread is started until a job needs it.</summary>
    /// <param name="name">Threads are named <c>name-1</c>, <c>name-2</c>, … (unless <paramref name="threadName"/> says).</param>
    /// <param name="threadName">The name of the thread of worker i ≥ 1 (for pools whose workers have roles).</param>
    public WorkerGroup(string name, Func<int, string>? threadName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _threadName = threadName ?? (i => $"{name}-{i}");
    }

    /// <summary>The group's name.</summary>
    public string Name { get; }

    /// <summary>Threads started so far (the caller not included).</summary>
    public int StartedThreads
    {
        get
        {
            lock (_runLock)
            {
                return _helpers.Count;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(worker, token) on <paramref name="workers"/> workers: the caller as worker 0, the
    /// group's threads as 1..n−1. Threads are handed the job as they start, and no more are started once the job is
    /// cancelled (starting thousands of threads takes a while: Ctrl-C must not wait for it). Returns when all have
    /// returned; rethrows the first failure. A body that throws <see cref="OperationCanceledException"/> once the job's
    /// token is cancelled has not failed.
    /// </summary>
    public void Run(int workers, Action<int, CancellationToken> body, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentNullException.ThrowIfNull(body);
        lock (_runLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var job = new Job(body, cancellationToken);
            for (int i = 1; i < workers && !job.Token.IsCancellationRequested; i++)
            {
                Helper helper = i <= _helpers.Count ? _helpers[i - 1] : StartHelper(i);
                job.Joined.AddCount();
                helper.Assign(job);
            }

            job.Execute(0);
            job.Joined.Signal();
            job.Joined.Wait(CancellationToken.None);
            job.Failure?.Throw();
        }
    }

    /// <summary>Stops and joins the group's threads (a job in progress is finished first).</summary>
    public void Dispose()
    {
        lock (_runLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (Helper helper in _helpers)
            {
                helper.Assign(null);
            }

            foreach (Helper helper in _helpers)
            {
                helper.Thread.Join();
                helper.Wake.Dispose();
            }
        }
    }

    private Helper StartHelper(int worker)
    {
        var helper = new Helper(worker, _threadName(worker));
        _helpers.Add(helper);
        helper.Thread.Start();
        return helper;
    }

    /// <summary>One thread of the group: waits for a job, runs its share, signals, and waits again.</summary>
    private sealed class Helper
    {
        private readonly int _worker;
        private Job? _job;

        public Helper(int worker, string name)
        {
            _worker = worker;
            Thread = new Thread(Loop) { IsBackground = true, Name = name };
        }

        public Thread Thread { get; }

        public SemaphoreSlim Wake { get; } = new(0);

        /// <summary>Hands over a job (null: exit). The semaphore's release publishes it (a full fence).</summary>
        public void Assign(Job? job)
        {
            _job = job;
            Wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                Wake.Wait();
                Job? job = _job;
                if (job is null)
                {
                    return;
                }

                _job = null;
                job.Execute(_worker);
                job.Joined.Signal();
            }
        }
    }

    /// <summary>One <see cref="Run"/>: the body, its linked cancellation, the first failure and the join count.</summary>
    private sealed class Job(Action<int, CancellationToken> body, CancellationToken cancellationToken) : IDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        private ExceptionDispatchInfo? _failure;

        public CancellationToken Token => _cts.Token;

        /// <summary>Workers that have not returned yet (the caller counts as one until it returns).</summary>
        public CountdownEvent Joined { get; } = new(1);

        public ExceptionDispatchInfo? Failure => Volatile.Read(ref _failure);

        public void Execute(int worker)
        {
            try
            {
                body(worker, _cts.Token);
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                // Stopped because the job was cancelled (by the caller or by another worker's failure).
            }
#pragma warning disable CA1031 // a worker must not take the process down: the failure is rethrown by Run
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null) is null)
                {
                    try
                    {
                        _cts.Cancel();
                    }
                    catch (AggregateException)
                    {
                        // A registration on the token threw; the failure that cancelled it is the one to report.
                    }
                }
            }
        }

        public void Dispose()
        {
            _cts.Dispose();
            Joined.Dispose();
        }
    }
}
