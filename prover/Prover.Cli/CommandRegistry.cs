using System.CommandLine;
using Prover.Cli.Commands;

namespace Prover.Cli;

/// <summary>Every sub-command of <c>post</c>; each lives in its own file under Commands/.</summary>
internal static class CommandRegistry
{
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
    }
}
