using System.CommandLine;
using Prover.Cli.Commands;

namespace Prover.Cli;

/// <summary>Every sub-command of <c>post</c>; each lives in its own file under Commands/.</summary>
public static class CommandRegistry
{
    /// <summary>The <c>post</c> root command with every sub-command.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("post: Spacemesh Proof-of-Space-Time initializer, prover and verifier");
        foreach (var command in All())
        {
            root.Add(command);
        }

        return root;
    }

    public static IEnumerable<Command> All()
    {
        yield return InitCommand.Create();
        yield return LabelsCommand.Create();
        yield return VerifyDataCommand.Create();
        yield return ProveCommand.Create();
        yield return VerifyCommand.Create();
        yield return ProfileCommand.Create();
        yield return K2PowCommand.Create();
        yield return ProvidersCommand.Create();
        yield return GpuBenchCommand.Create();
        yield return BenchCommand.Create();
        yield return ServeCommand.Create();
        yield return AtxCommand.Create();
        yield return NodeCommand.Create();
        yield return DevnetCommand.Create();
    }
}
