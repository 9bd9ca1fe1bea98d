using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Pow;

namespace Prover.Cli.Commands;

/// <summary>
/// <c>post k2pow</c>: computes the k2pow of one nonce group locally (spec §5.1) and prints the pow.
/// Exit codes: 0 found, 1 failure (<see cref="ExitFailure"/>), 2 invalid arguments, 130 interrupted (see <see cref="ExitCodes"/>).
/// </summary>
public static class K2PowCommand
{
    /// <summary>The pow could not be computed (RandomX library missing, not enough memory, no pow in [0, 2^56)).</summary>
    public const int ExitFailure = 1;

    public static Command Create()
    {
        var nodeId = new Option<string>("--node-id")
        {
            Description = "Miner (node) id: 32 bytes as hex.",
            Required = true,
            HelpName = "hex",
        };
        var challenge = new Option<string>("--challenge")
        {
            Description = "PoST challenge as hex: 32 bytes (only the first 8 are used) or just those 8 bytes.",
            Required = true,
            HelpName = "hex",
        };
        var nonceGroup = new Option<int>("--nonce-group")
        {
            Description = "Nonce group (0..255).",
            Required = true,
            HelpName = "g",
        };
        var difficulty = new Option<string>("--difficulty")
        {
            Description = "k2pow difficulty per space unit: 32-byte big-endian hex (divided by --num-units).",
            Required = true,
            HelpName = "hex",
        };
        var numUnits = new Option<ulong>("--num-units")
        {
            Description = "Number of space units; the difficulty is divided by it.",
            DefaultValueFactory = _ => 1,
            HelpName = "u",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Search threads (0 = all cores). With any count the smallest valid pow is returned.",
            DefaultValueFactory = _ => 0,
            HelpName = "t",
        };
        var mode = new Option<string>("--randomx-mode")
        {
            Description = "fast: ~2 GiB dataset, fast hashing; light: ~256 MiB cache, slower hashing. Same results.",
            DefaultValueFactory = _ => "fast",
        };
        mode.AcceptOnlyFromAmong("fast", "light");
        var largePages = new Option<bool>("--randomx-large-pages")
        {
            Description = "Ask RandomX for large pages (falls back to normal pages).",
        };
        var json = new Option<bool>("--json") { Description = "Print {\"pow\":…,\"hash\":\"…\",\"seconds\":…}." };

        var command = new Command("k2pow", "Compute the RandomX proof of work (k2pow) of one nonce group.")
        {
            nodeId, challenge, nonceGroup, difficulty, numUnits, threads, mode, largePages, json,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            if (!TryParseHex(parseResult.GetValue(nodeId), "--node-id", [32], error, out var miner) ||
                !TryParseHex(parseResult.GetValue(challenge), "--challenge", [8, 32], error, out var challengeBytes) ||
                !TryParseHex(parseResult.GetValue(difficulty), "--difficulty", [32], error, out var perUnit))
            {
                return ExitCodes.BadInput;
            }

            // Checked here rather than with Cli.InRange: the command also runs through a plain Invoke (tests, hosts),
            // where a parse error would not become exit 2.
            var group = parseResult.GetValue(nonceGroup);
            if (group is < 0 or > 255)
            {
                await error.WriteLineAsync(Invariant($"error: --nonce-group must be between 0 and 255, got {group}"));
                return ExitCodes.BadInput;
            }

            var units = parseResult.GetValue(numUnits);
            if (units is 0 or > uint.MaxValue)
            {
                await error.WriteLineAsync(Invariant($"error: --num-units must be at least 1 and at most {uint.MaxValue}, got {units}"));
                return ExitCodes.BadInput;
            }

            var threadCount = parseResult.GetValue(threads);
            if (threadCount is < 0 or > Cli.MaxThreads)
            {
                await error.WriteLineAsync(Invariant($"error: --threads must be in 0..{Cli.MaxThreads} (0 = all cores), got {threadCount}"));
                return ExitCodes.BadInput;
            }

            var randomxMode = parseResult.GetValue(mode) == "light" ? RandomXMode.Light : RandomXMode.Fast;
            var scaled = K2PowDifficulty.Scale(perUnit, units);
            if (K2PowDifficulty.Infeasible(scaled) is { } why)
            {
                var of = units == 1 ? string.Empty : Invariant($" divided by {units} units");
                await error.WriteLineAsync($"error: --difficulty {Convert.ToHexStringLower(perUnit)}{of}: {why}");
                return ExitCodes.BadInput;
            }
            var challenge8 = challengeBytes.AsMemory(0, 8);

            try
            {
                var started = Stopwatch.GetTimestamp();
                if (randomxMode == RandomXMode.Fast)
                {
                    await error.WriteLineAsync("building the RandomX dataset (fast mode, ~2 GiB)...");
                }

                using var backend = new K2PowBackend(new K2PowBackendOptions
                {
                    Mode = randomxMode,
                    Threads = threadCount,
                    RandomX = new RandomXContextOptions { LargePages = parseResult.GetValue(largePages) },
                });
                await Task.Run(() => backend.GetContext(cancellationToken), cancellationToken);
                var initSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

                var k2pow = backend.CreateLocal(threadCount);
                started = Stopwatch.GetTimestamp();
                var pows = await k2pow.ProveManyAsync([(byte)group], challenge8, scaled, miner, cancellationToken);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var hash = new byte[RandomXVm.HashSize];
                k2pow.Hash(pows[0], (byte)group, challenge8.Span, miner, hash);

                if (parseResult.GetValue(json))
                {
                    await output.WriteLineAsync(FormatJson(pows[0], hash, seconds, initSeconds, randomxMode, k2pow.Threads));
                }
                else
                {
                    await output.WriteLineAsync(pows[0].ToString(CultureInfo.InvariantCulture));
                }

                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("interrupted.");
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (e is RandomXLibraryNotFoundException or PowNotFoundException
                                          or InsufficientMemoryException)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return ExitFailure;
            }
        });

        return command;
    }

    private static bool TryParseHex(string? text, string option, int[] allowedLengths, TextWriter error, out byte[] bytes)
    {
        bytes = [];
        var hex = (text ?? string.Empty).Trim();
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[2..];
        }

        var expected = Invariant($"{string.Join(" or ", allowedLengths)} bytes ({string.Join(" or ", allowedLengths.Select(n => 2 * n))} hex digits)");
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            error.WriteLine($"error: {option} must be {expected}: '{text}' is not valid hex");
            return false;
        }

        if (!allowedLengths.Contains(bytes.Length))
        {
            error.WriteLine(Invariant($"error: {option} must be {expected}, got {bytes.Length} byte{(bytes.Length == 1 ? "" : "s")}"));
            return false;
        }

        return true;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string FormatJson(ulong pow, byte[] hash, double seconds, double initSeconds, RandomXMode mode,
        int threads)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("pow", pow);
            writer.WriteString("hash", Convert.ToHexStringLower(hash));
            writer.WriteNumber("seconds", Math.Round(seconds, 3));
            writer.WriteNumber("init_seconds", Math.Round(initSeconds, 3));
            writer.WriteString("randomx_mode", mode == RandomXMode.Fast ? "fast" : "light");
            writer.WriteNumber("threads", threads);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
