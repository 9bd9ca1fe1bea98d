using Prover.Core.Pow;
using Xunit;

namespace Prover.Core.Tests;

[Collection(RandomXLightGroup.Name)]
public sealed class PowK2PowBackendTests(RandomXLightFixture light)
{
    private static readonly (byte[] Challenge, byte[] Miner, byte[] Difficulty, byte Group, ulong Smallest) Case =
        K2PowVectors.SearchCase;

    private static byte[] Challenge => Case.Challenge;
    private static byte[] Miner => Case.Miner;
    private static byte[] Difficulty => Case.Difficulty;
    private static byte Group => Case.Group;
    private static ulong Smallest => Case.Smallest;
    private static readonly RemoteK2PowOptions Fast = new() { Backoff = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public void Without_a_url_the_prover_is_the_local_search_and_finds_the_smallest_pow()
    {
        using var backend = K2PowBackend.Shared(light.Context, threads: 2);

        Assert.False(backend.IsRemote);
        var local = Assert.IsType<K2Pow>(backend.Prover);
        Assert.Equal(2, local.Threads);
        Assert.Equal(Smallest, backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        Assert.True(backend.Verifier.Verify(Smallest, Group, Challenge, Difficulty, Miner));
    }

    [Fact]
    public void With_a_url_the_prover_asks_the_service_and_the_verifier_stays_local()
    {
        var asked = 0;
        var service = new K2PowServiceSemantics((_, _, _, _) =>
        {
            Interlocked.Increment(ref asked);
            return Smallest;
        });
        using var server = new PowTestHttpServer(service.Handle);
        using var backend = new K2PowBackend(new K2PowBackendOptions { RemoteUrl = server.BaseAddress, Remote = Fast },
            light.Context);

        Assert.True(backend.IsRemote);
        Assert.IsType<RemoteK2Pow>(backend.Prover);
        Assert.IsNotType<RemoteK2Pow>(backend.Verifier);
        Assert.Equal(Smallest, backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        Assert.Equal(1, asked);

        // The service's answer is checked with local RandomX: a wrong pow is caught.
        Assert.True(backend.Verifier.Verify(Smallest, Group, Challenge, Difficulty, Miner));
        Assert.False(backend.Verifier.Verify(Smallest - 1, Group, Challenge, Difficulty, Miner));
    }

    [Fact]
    public void Beside_a_service_the_context_is_light_whatever_mode_was_asked()
    {
        var options = new K2PowBackendOptions { Mode = RandomXMode.Fast, RemoteUrl = new Uri("http://127.0.0.1:1") };
        Assert.Equal(RandomXMode.Light, options.ContextMode);
        Assert.Equal(RandomXMode.Fast, (options with { RemoteUrl = null }).ContextMode);
    }

    [Fact]
    public void A_bad_service_url_is_refused_when_the_backend_is_made()
    {
        Assert.Throws<ArgumentException>(() => new K2PowBackend(new K2PowBackendOptions { RemoteUrl = new Uri("ftp://worker") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new K2PowBackend(new K2PowBackendOptions { Threads = -1 }));
    }

    [Fact]
    public void The_context_is_built_once_on_first_use_and_shared_by_every_prover_and_verifier()
    {
        using var backend = new K2PowBackend(new K2PowBackendOptions { Mode = RandomXMode.Light, Threads = 1 });
        Assert.False(backend.HasContext);

        // The first pow builds the context; every other prover and the verifier reuse it.
        Assert.Equal(Smallest, backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        Assert.True(backend.HasContext);
        RandomXContext context = backend.GetContext();
        Assert.Same(context, ((K2Pow)backend.Prover).Context);
        K2Pow wide = backend.CreateLocal(threads: 3);
        Assert.Same(context, wide.Context);
        Assert.Equal(3, wide.Threads);
        Assert.Equal(Smallest, wide.Prove(Group, Challenge, Difficulty, Miner));
        Assert.True(backend.Verifier.Verify(Smallest, Group, Challenge, Difficulty, Miner));
        Assert.Same(context, backend.GetContext());
    }

    [Fact]
    public void Disposing_frees_the_context_the_backend_built_and_refuses_further_use()
    {
        var backend = new K2PowBackend(new K2PowBackendOptions { Mode = RandomXMode.Light });
        RandomXContext context = backend.GetContext();
        backend.Dispose();
        backend.Dispose(); // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => context.CreateVm());
        Assert.Throws<ObjectDisposedException>(() => backend.GetContext());
        Assert.Throws<ObjectDisposedException>(() => backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        Assert.Throws<ObjectDisposedException>(() => backend.CreateLocal(1));
    }

    [Fact]
    public void Disposing_leaves_a_shared_context_to_its_owner()
    {
        var backend = K2PowBackend.Shared(light.Context);
        backend.Dispose();

        using var vm = light.Context.CreateVm(); // still usable
        Assert.Throws<ObjectDisposedException>(() => backend.GetContext());
    }

    [Fact]
    public void Disposing_closes_the_service_client()
    {
        using var server = new PowTestHttpServer(_ => (200, "5"));
        var backend = new K2PowBackend(new K2PowBackendOptions { RemoteUrl = server.BaseAddress, Remote = Fast });
        Assert.Equal(5UL, backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        backend.Dispose();

        Assert.Throws<ObjectDisposedException>(() => backend.Prover.Prove(Group, Challenge, Difficulty, Miner));
        Assert.False(backend.HasContext); // verification was never asked for: no RandomX was built
    }
}
