using System.CommandLine;
using Prover.Cli;
using Prover.Cli.Commands;

var root = new RootCommand("post: Spacemesh Proof-of-Space-Time initializer, prover and verifier");
foreach (var command in CommandRegistry.All())
{
    root.Add(command);
}

return Cli.Run(root, args);
