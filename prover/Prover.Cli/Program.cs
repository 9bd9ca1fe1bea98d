using Prover.Cli;

return Cli.Run(CommandRegistry.CreateRoot(), args);
