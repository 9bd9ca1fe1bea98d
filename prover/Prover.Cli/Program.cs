using System.CommandLine;
using Prover.Cli;

var root = CommandRegistry.CreateRoot();
// post-service's -V, also on the root (post -V, post --version).
root.Options.OfType<VersionOption>().FirstOrDefault()?.Aliases.Add("-V");
var dispatched = Cli.DispatchByName(Cli.InvokedName(), args);
return Cli.Run(root, dispatched, asService: dispatched.Length != args.Length);
