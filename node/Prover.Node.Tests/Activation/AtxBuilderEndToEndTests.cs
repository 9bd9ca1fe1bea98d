using Prover.Core.Pow;
using Prover.Core.Proving;
using Prover.Node.Activation;
using Prover.Node.Atx;
using Prover.Node.Genesis;
using Prover.Node.Poet;
using Prover.Node.Signing;
using Prover.Node.Storage;
using Prover.Storage;
using Prover.Verifier;
using Xunit;

namespace Prover.Node.Tests.Activation;

/// <summary>
/// Two identities run the whole cycle in process: real PoET service, real PoST init and proofs (reference label
/// provider and scan, RandomX light k2pow at the standalone difficulty), real store; 1 s layers, 5 per epoch.
/// </summary>
public sealed class AtxBuilderEndToEndTests : IDisposable
{
    private static readonly InitConfig Init = new(1, 2, 64, 64);
    private static readonly ProofConfig Proof = new(12, 4, 1, NetworkPreset.DefaultPowDifficulty.ToArray());
    private readonly string _dir = Directory.CreateTempSubdirectory("atx-builder-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Two_identities_publish_chained_atxs_in_three_epochs_and_never_two_in_one()
    {
        var genesis = new GenesisConfig(DateTimeOffset.UtcNow.AddSeconds(3), "builder-e2e");
        var preset = NetworkPreset.Standalone.WithOverrides(
            TimeSpan.FromSeconds(1), 5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        var clock = preset.CreateClock(genesis);
        var schedule = preset.CreatePoetSchedule(clock);
        var store = NodeStore.Open(new InMemoryKeyValueStore(NodeColumns.All));
        var signers = IdentityDirectory.LoadOrCreate(Path.Combine(_dir, "identities"), 2, genesis.GenesisId);

        var log = new CollectingLogger();
        await using var poet = new PoetService(new PoetServiceOptions
        {
            DataDirectory = Path.Combine(_dir, "poet"),
            Timing = new PoetRoundTiming(genesis.GenesisTime, clock.EpochDuration, preset.Poet.PhaseShift, preset.Poet.CycleGap),
            MaxLeaves = 400,
        }, logger: new PoetLogger(log));
        poet.Start();

        using var randomX = RandomXContext.Create(RandomXMode.Light);
        var prover = new PostProver(new ReferenceProvingScannerFactory(), new K2Pow(randomX));
        using var posts = new LocalPostProofSource(prover, Proof, new ProvingOptions { Nonces = 16, Threads = 1 });
        using var labels = new ReferenceLabelProvider();
        foreach (var signer in signers)
        {
            var postDir = Path.Combine(_dir, "post", signer.NodeId.ToString());
            PostSetup.Initialize([labels], postDir, signer.NodeId, genesis.GoldenAtx, Init, 1);
            posts.Add(signer.NodeId, postDir);
        }

        var validator = new SignatureAtxValidator(new EdVerifier(genesis.GenesisId), store);
        var builders = signers.Select(s => new AtxBuilder(new AtxBuilderOptions
        {
            Signer = s,
            Store = store,
            Genesis = genesis,
            Schedule = schedule,
            Poet = new InProcessPoetRegistrar(poet),
            Post = posts,
            Validator = validator,
            TickSize = preset.TickSize,
            Logger = log,
        })).ToList();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = new TaskCompletionSource();
        foreach (var b in builders)
        {
            b.Published += (_, _, _) =>
            {
                if (signers.All(s => store.AtxsBySmesher(s.NodeId).Count >= 3))
                {
                    done.TrySetResult();
                }
            };
        }

        var runs = builders.Select(b => Task.Run(() => b.RunAsync(stop.Token))).ToList();
        await Task.WhenAny(done.Task, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        await stop.CancelAsync();
        await Task.WhenAll(runs.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var r in runs.Where(r => r.IsFaulted))
        {
            throw r.Exception!;
        }

        foreach (var signer in signers)
        {
            var atxs = store.AtxsBySmesher(signer.NodeId);
            Assert.True(atxs.Count >= 3, $"{signer.NodeId}: {atxs.Count} ATXs, last state {builders.First(b => b.NodeId == signer.NodeId).Status}, genesis {genesis.GenesisTime:HH:mm:ss}\n{log}");
            Assert.Equal(atxs.Count, atxs.Select(a => a.PublishEpoch).Distinct().Count());
            Assert.Null(atxs[0].PreviousAtxId);
            Assert.Equal(genesis.GoldenAtx, atxs[0].CommitmentAtxId);
            for (var i = 0; i < atxs.Count; i++)
            {
                var header = atxs[i];
                Assert.Equal(AtxValidity.Valid, header.Validity);
                Assert.Equal((ulong)i, header.Sequence);
                Assert.True(header.Weight > 0);
                var blob = store.GetAtxBlob(header.Id)!;
                var atx = ActivationTxV1.Decode(blob.Bytes.Span);
                Assert.Equal(header.Id, atx.ComputeId());
                Assert.Equal(i == 0, atx.IsInitial);
                Assert.NotNull(store.GetPoetProof(new Prover.Core.Primitives.Hash32(atx.NIPost!.PostMetadata!.Challenge)));
                if (i > 0)
                {
                    Assert.Equal(atxs[i - 1].Id, header.PreviousAtxId);
                    // Consecutive when the machine keeps up; a loaded machine (2-core CI) may miss a PoET round when the
                    // proof does not fit in the 2 s cycle gap, and the next ATX then skips an epoch, which is valid.
                    Assert.True(header.PublishEpoch > atxs[i - 1].PublishEpoch,
                        $"ATX {i} of {signer.NodeId} is for epoch {header.PublishEpoch}, not after {atxs[i - 1].PublishEpoch}");
                    Assert.True(header.BaseTickHeight >= atxs[i - 1].TickHeight);
                }
            }
        }

        Assert.True(store.CheckConsistency().IsConsistent, string.Join("; ", store.CheckConsistency().Problems));
        foreach (var s in signers)
        {
            s.Dispose();
        }
    }
}

/// <summary>The PoET's log into the test's collected lines.</summary>
internal sealed class PoetLogger(CollectingLogger inner) : Microsoft.Extensions.Logging.ILogger<PoetService>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId,
        TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, formatter);
}
