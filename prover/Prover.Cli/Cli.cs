using System.CommandLine;
using Prover.Core.Data;

namespace Prover.Cli;

/// <summary>Parsing, error reporting and exit codes shared by every command.</summary>
public static class Cli
{
    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run 'post --help' or 'post <command> --help' for the flags.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (PostDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: the work done so far is kept; run the same command again to resume.");
            return ExitCodes.Interrupted;
        }
    }

    private static System.Runtime.InteropServices.PosixSignalRegistration? _sigterm;

    /// <summary>A token cancelled by Ctrl-C or SIGTERM (the first signal stops cleanly; the process then exits).</summary>
    public static CancellationTokenSource CancelOnSignals()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        _sigterm ??= System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        return cts;
    }

    public static Option<T> Opt<T>(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    /// <summary>An option with at least one alias. Without this overload <c>Opt&lt;string&gt;("--datadir", "…", "-d")</c>
    /// would bind "-d" as the default value of the overload below instead of as an alias.</summary>
    public static Option<T> Opt<T>(string name, string description, string alias, params string[] moreAliases) =>
        new(name, [alias, .. moreAliases]) { Description = description };

    public static Option<T> Opt<T>(string name, string description, T defaultValue, params string[] aliases) =>
        new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue };
}
