using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// <c>post</c> started under post-rs's binary names (<c>post-service</c>, <c>service</c>) runs <c>serve</c> with the
/// flags it was given (issue 11: the drop-in for go-spacemesh's supervisor); under any other name the argv is kept.
/// </summary>
public sealed class DispatchByNameTests
{
    [Fact]
    public void Invoked_name_dispatches_to_serve()
    {
        Assert.Equal(["serve", "-a", "x"], Cli.DispatchByName("/opt/node/post-service", ["-a", "x"]));
        Assert.Equal(["serve"], Cli.DispatchByName(@"C:\node\post-service.exe", []));
        Assert.Equal(["serve"], Cli.DispatchByName(@"C:\node\SERVICE.EXE", []));
        Assert.Equal(["serve"], Cli.DispatchByName("service", []));
        Assert.Equal(["prove"], Cli.DispatchByName("/usr/bin/post", ["prove"]));
        Assert.Equal(["prove"], Cli.DispatchByName("dotnet", ["prove"]));
        Assert.Equal(["prove"], Cli.DispatchByName("/opt/post-service-tools/post", ["prove"]));
        Assert.Equal(["prove"], Cli.DispatchByName(null, ["prove"]));
    }
}
