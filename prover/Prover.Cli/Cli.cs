using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Cli;

/// <summary>Parsing, error reporting and exit codes shared by every command.</summary>
public static partial class Cli
{
    /// <summary>Commands whose interruption keeps the work done so far (a re-run resumes it).</summary>
    private static readonly HashSet<string> Resumable = new(StringComparer.Ordinal) { "init" };

    /// <summary>JSON output as a person reads it: ' and + as themselves, not \u0027 and \u002B.</summary>
    public static readonly JsonSerializerOptions JsonOutput = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses <paramref name="args"/> with <paramref name="root"/>, runs the command and returns its exit code.</summary>
    /// <param name="root">the <c>post</c> command tree.</param>
    /// <param name="args">the command line, without the program name.</param>
    /// <param name="asService">started as <c>post-service</c>: the flags are <c>post serve</c>'s.</param>
    public static int Run(RootCommand root, string[] args, bool asService = false)
    {
        // post atx takes @FILE as a blob file, not as a response file of more arguments.
        var parse = args is ["atx", ..]
            ? root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null })
            : root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var message in DescribeErrors(root, parse))
            {
                Console.Error.WriteLine($"error: {message}");
            }

            Console.Error.WriteLine(asService
                ? "Run 'post-service --help' for the flags."
                : "Run 'post --help' or 'post <command> --help' for the flags.");
            return ExitCodes.BadInput;
        }

        string command = parse.CommandResult.Command.Name;
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"error: {FlagNames.Describe(e, serve: asService || command == "serve")}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(Resumable.Contains(command)
                ? "interrupted: the work done so far is kept; run the same command again to resume."
                : "interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system refused (full disk, read-only mount, permissions, a file where a directory belongs):
            // the message names the path; no stack trace.
            Console.Error.WriteLine($"error: {IoMessage(e, Resumable.Contains(command))}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last line of defence: an unexpected failure still ends with a message and a documented code.
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("(this is an unexpected failure of post; please report it with the command line)");
            return ExitCodes.Invalid;
        }
    }

    /// <summary>
    /// File names under which <c>post</c> is <c>post serve</c>: go-spacemesh 1.7 starts <c>post-service</c>
    /// (<c>post-service.exe</c>) next to its own binary with post-service's bare flags; earlier versions start
    /// <c>service</c>.
    /// </summary>
    private static readonly string[] ServiceNames = ["post-service", "service"];

    /// <summary>The arguments as the root command takes them: <c>serve</c> first when started as post-service.</summary>
    public static string[] DispatchByName(string? invokedName, string[] args)
    {
        if (invokedName is null)
        {
            return args;
        }

        // Either separator: a Windows path may reach us with '\' on any OS (and '/' on Windows).
        string name = invokedName[(invokedName.LastIndexOfAny(['/', '\\']) + 1)..];
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        return ServiceNames.Contains(name, StringComparer.OrdinalIgnoreCase) ? ["serve", .. args] : args;
    }

    /// <summary>
    /// The name this process was started under (its argv[0]): on Linux the first entry of /proc/self/cmdline, which is
    /// the symlink's own name when started through a symlink (the process path resolves links); elsewhere the
    /// executable's path (a renamed copy of the apphost on Windows). Under <c>dotnet post.dll</c> it is "dotnet".
    /// </summary>
    public static string? InvokedName()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var cmdline = File.ReadAllBytes("/proc/self/cmdline");
                int end = Array.IndexOf(cmdline, (byte)0);
                return System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // /proc not mounted: fall back to the process path.
            }
        }

        return Environment.ProcessPath;
    }

    /// <summary>An I/O exception's message with the hint a user needs (a full disk, a read-only file system).</summary>
    internal static string IoMessage(Exception e, bool resumable)
    {
        const int ENOSPC = 28, EROFS = 30, EDQUOT = 122;
        int errno = e.HResult & 0xFFFF;
        string hint = e switch
        {
            UnauthorizedAccessException => " (permission denied)",
            IOException when errno is ENOSPC or EDQUOT || e.Message.Contains("No space left", StringComparison.Ordinal)
                => resumable ? " (the disk is full: free space and run the same command again to resume)" : " (the disk is full)",
            IOException when errno == EROFS || e.Message.Contains("Read-only file system", StringComparison.Ordinal)
                => " (the file system is read-only)",
            _ => "",
        };
        return e.Message + (e.Message.Contains(hint.Trim(' ', '(', ')'), StringComparison.OrdinalIgnoreCase) ? "" : hint);
    }

    /// <summary>
    /// Parse errors in the user's words: an unknown command first, then each flag's problem with its allowed values
    /// (never a .NET type name).
    /// </summary>
    internal static IEnumerable<string> DescribeErrors(RootCommand root, ParseResult parse)
    {
        var messages = new List<string>();
        string? unknown = null;
        if (parse.CommandResult.Command == root && parse.UnmatchedTokens.Count > 0
            && !parse.UnmatchedTokens[0].StartsWith('-'))
        {
            unknown = parse.UnmatchedTokens[0];
            messages.Add($"unknown command '{unknown}'; the commands are: " +
                string.Join(", ", root.Subcommands.Select(c => c.Name)));
        }

        foreach (var error in parse.Errors)
        {
            if (unknown is not null && (error.Message.Contains($"'{unknown}'", StringComparison.Ordinal)
                || error.Message.StartsWith("Required command", StringComparison.Ordinal)))
            {
                continue;
            }

            var m = CannotParse().Match(error.Message);
            messages.Add(m.Success
                ? $"{m.Groups["opt"].Value}: '{m.Groups["arg"].Value}' is not {FriendlyType(m.Groups["type"].Value)}"
                : error.Message);
        }

        return messages;
    }

    [GeneratedRegex(@"Cannot parse argument '(?<arg>.*)' for (option|command) '(?<opt>.*)' as expected type '(?<type>.*)'")]
    private static partial Regex CannotParse();

    private static string FriendlyType(string type)
    {
        var m = Regex.Match(type, @"^System\.Nullable`1\[(.*)\]$");
        if (m.Success)
        {
            type = m.Groups[1].Value;
        }

        return type switch
        {
            "System.Int32" => $"a whole number in {int.MinValue}..{int.MaxValue}",
            "System.UInt32" => $"a whole number in 0..{uint.MaxValue}",
            "System.Int64" => $"a whole number in {long.MinValue}..{long.MaxValue}",
            "System.UInt64" => $"a whole number in 0..{ulong.MaxValue}",
            "System.Double" => "a number",
            "System.Boolean" => "true or false",
            _ => "a valid value",
        };
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

    /// <summary>The required <c>--datadir</c> (<c>-d</c>) option of a command that works on one directory.</summary>
    public static Option<string> DataDirOpt(string description)
    {
        var option = Opt<string>("--datadir", description, "-d");
        option.Required = true;
        return option;
    }

    public static Option<T> Opt<T>(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    /// <summary>An option with at least one alias. Without this overload <c>Opt&lt;string&gt;("--datadir", "…", "-d")</c>
    /// would bind "-d" as the default value of the overload below instead of as an alias.</summary>
    public static Option<T> Opt<T>(string name, string description, string alias, params string[] moreAliases) =>
        new(name, [alias, .. moreAliases]) { Description = description };

    public static Option<T> Opt<T>(string name, string description, T defaultValue, params string[] aliases) =>
        new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>
    /// Restricts a numeric option to [<paramref name="min"/>, <paramref name="max"/>]: a value outside is a parse error
    /// naming the flag and the range (exit 2 before any work starts).
    /// </summary>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max)
        where T : struct, INumber<T> =>
        Checked<T, Option<T>>(option, (result, value) => Check(result, option.Name, value, min, max));

    /// <inheritdoc cref="InRange{T}(Option{T}, T, T)"/>
    public static Option<T?> InRange<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T> =>
        Checked<T, Option<T?>>(option, (result, value) => Check(result, option.Name, value, min, max));

    /// <summary>Requires a power of two in [min, max] (scrypt N).</summary>
    public static Option<T> PowerOfTwo<T>(this Option<T> option, T min, T max)
        where T : struct, IBinaryInteger<T> =>
        Checked<T, Option<T>>(option, (result, value) => CheckPow2(result, option.Name, value, min, max));

    /// <inheritdoc cref="PowerOfTwo{T}(Option{T}, T, T)"/>
    public static Option<T?> PowerOfTwo<T>(this Option<T?> option, T min, T max)
        where T : struct, IBinaryInteger<T> =>
        Checked<T, Option<T?>>(option, (result, value) => CheckPow2(result, option.Name, value, min, max));

    /// <summary>Adds a check of the option's value when it has one that parsed (a parse error is reported on its own).</summary>
    private static TOption Checked<T, TOption>(TOption option, Action<OptionResult, T> check)
        where TOption : Option
        where T : struct
    {
        option.Validators.Add(result =>
        {
            if (TryValue<T>(result) is { } value)
            {
                check(result, value);
            }
        });
        return option;
    }

    /// <summary>The option's value, or null when it did not parse (that error is reported on its own).</summary>
    private static T? TryValue<T>(OptionResult result)
        where T : struct
    {
        try
        {
            return result.GetValueOrDefault<T?>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Check<T>(OptionResult result, string name, T value, T min, T max)
        where T : INumber<T>
    {
        if (value < min || value > max)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture,
                $"{name} must be in {min}..{max}, got {value}"));
        }
    }

    private static void CheckPow2<T>(OptionResult result, string name, T value, T min, T max)
        where T : IBinaryInteger<T>
    {
        if (value < min || value > max || !T.IsPow2(value))
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture,
                $"{name} must be a power of two in {min}..{max}, got {value}"));
        }
    }

    /// <summary>The most worker threads a command accepts: far above any real machine, far below what breaks one.</summary>
    public const int MaxThreads = 4096;
}
