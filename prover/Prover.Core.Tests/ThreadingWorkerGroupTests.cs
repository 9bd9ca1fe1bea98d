using System.Collections.Concurrent;
using Prover.Core.Threading;
using Xunit;

namespace Prover.Core.Tests;

public sealed class ThreadingWorkerGroupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Each_worker_runs_once_the_caller_as_worker_zero_and_the_others_on_named_threads()
    {
        using var group = new WorkerGroup("unit");
        var seen = new ConcurrentDictionary<int, (int Thread, string? Name)>();
        int caller = Environment.CurrentManagedThreadId;

        group.Run(4, (worker, _) => Assert.True(seen.TryAdd(worker, (Environment.CurrentManagedThreadId, Thread.CurrentThread.Name))));

        Assert.Equal([0, 1, 2, 3], seen.Keys.Order());
        Assert.Equal(caller, seen[0].Thread);
        Assert.Equal(["unit-1", "unit-2", "unit-3"], Enumerable.Range(1, 3).Select(i => seen[i].Name));
        Assert.Equal(4, seen.Values.Select(v => v.Thread).Distinct().Count());
    }

    [Fact]
    public void Run_returns_only_when_every_worker_has_returned()
    {
        using var group = new WorkerGroup("join");
        var done = new bool[5];

        group.Run(5, (worker, _) =>
        {
            Thread.Sleep(worker * 20);
            Volatile.Write(ref done[worker], true);
        });

        Assert.All(done, Assert.True);
    }

    [Fact]
    public void The_first_failure_wins_cancels_the_others_and_keeps_its_stack_trace()
    {
        using var group = new WorkerGroup("fail");
        var cancelledOthers = 0;

        var thrown = Assert.Throws<IOException>(() => group.Run(4, (worker, token) =>
        {
            if (worker == 3)
            {
                FailFirst(); // the last one started: every other worker is running
            }

            // The others wait for the failure's cancellation, then fail in their turn: those later failures are dropped.
            Assert.True(token.WaitHandle.WaitOne(Patience));
            Interlocked.Increment(ref cancelledOthers);
            throw new InvalidOperationException($"later failure of worker {worker}");
        }));

        Assert.Equal("first", thrown.Message);
        Assert.Contains(nameof(FailFirst), thrown.StackTrace, StringComparison.Ordinal);
        Assert.Equal(3, cancelledOthers);
    }

    [Fact]
    public void Cancellation_by_the_caller_stops_every_worker_and_is_not_a_failure()
    {
        using var group = new WorkerGroup("cancel");
        using var cts = new CancellationTokenSource();
        var stopped = 0;

        group.Run(3, (worker, token) =>
        {
            if (worker == 0)
            {
                cts.Cancel();
            }

            Assert.True(token.WaitHandle.WaitOne(Patience));
            Interlocked.Increment(ref stopped);
            token.ThrowIfCancellationRequested();
        }, cts.Token);

        Assert.Equal(3, stopped);
    }

    [Fact]
    public void A_job_cancelled_before_it_starts_starts_no_thread()
    {
        using var group = new WorkerGroup("idle");
        var ran = new ConcurrentBag<int>();

        group.Run(64, (worker, _) => ran.Add(worker), new CancellationToken(canceled: true));

        Assert.Equal(0, group.StartedThreads);
        Assert.Equal([0], ran);
    }

    [Fact]
    public void Threads_are_started_on_demand_and_kept_for_the_next_job()
    {
        using var group = new WorkerGroup("kept");
        var first = new ConcurrentDictionary<int, int>();
        var second = new ConcurrentDictionary<int, int>();

        group.Run(2, (worker, _) => first[worker] = Environment.CurrentManagedThreadId);
        Assert.Equal(1, group.StartedThreads);
        group.Run(3, (worker, _) => second[worker] = Environment.CurrentManagedThreadId);
        Assert.Equal(2, group.StartedThreads);

        Assert.Equal(first[1], second[1]);
    }

    [Fact]
    public void Disposing_joins_the_threads_and_refuses_further_jobs()
    {
        var group = new WorkerGroup("gone");
        Thread? helper = null;
        group.Run(2, (worker, _) =>
        {
            if (worker == 1)
            {
                helper = Thread.CurrentThread;
            }
        });

        group.Dispose();
        group.Dispose();

        Assert.NotNull(helper);
        Assert.False(helper.IsAlive);
        Assert.Throws<ObjectDisposedException>(() => group.Run(1, (_, _) => { }));
    }

    private static void FailFirst() => throw new IOException("first");
}
