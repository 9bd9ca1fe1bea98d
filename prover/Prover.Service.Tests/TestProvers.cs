using Prover.Service.Proving;

namespace Prover.Service.Tests;

/// <summary>The prover factory the integration tests run the service with.</summary>
public static class TestProvers
{
    public static IIdentityProverFactory Create(PostServiceOptions options, IReadOnlyList<PostIdentity> identities) => new ScriptedProofs();
}
