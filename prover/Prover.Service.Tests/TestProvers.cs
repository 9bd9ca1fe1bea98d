using Prover.Core.Pow;
using Prover.Service.Proving;

namespace Prover.Service.Tests;

/// <summary>The prover factory the integration tests run the service with: the production one, on a shared light RandomX.</summary>
public static class TestProvers
{
    public static IIdentityProverFactory Create(PostServiceOptions options, IReadOnlyList<PostIdentity> identities) =>
        new ServiceProvers(options, TestRandomX.Light);
}

/// <summary>One light-mode RandomX context for the whole test run (building it takes about a second).</summary>
public static class TestRandomX
{
    private static readonly Lazy<RandomXContext> Context = new(() => RandomXContext.Create(RandomXMode.Light));

    public static RandomXContext Light => Context.Value;
}
