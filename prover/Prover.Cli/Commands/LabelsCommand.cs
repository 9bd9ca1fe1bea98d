using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Prover.Core;
using Prover.Core.Data;

namespace Prover.Cli.Commands;

/// <summary><c>post labels</c>: print full 32-byte scrypt outputs, one line per label, for debugging and comparing backends.</summary>
public static class LabelsCommand
{
    public static Command Create()
    {
        var commitment = Cli.Opt<string>("--commitment", "32-byte commitment (hex) = BLAKE3(node_id ‖ commitment_atx_id)");
        commitment.Required = true;
        var start = Cli.Opt("--start", "first label index", 0UL);
        var count = Cli.Opt("--count", "number of labels", 16UL).InRange(1UL, ulong.MaxValue);
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N (a power of two)", 8192UL, "-n").PowerOfTwo(2UL, ProviderSelection.MaxScryptN);
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var threads = Cli.Opt("--threads", "CPU threads (0 = all)", 0, "-t").InRange(0, Cli.MaxThreads);
        var command = new Command("labels", "Print 'INDEX HEX32' for each label: the full 32-byte scrypt output (the label is its first 16 bytes).")
        {
            commitment, start, count, scryptN, provider, threads,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            var c = Hex.Parse(parse.GetValue(commitment), "--commitment", 32);
            ulong n = parse.GetValue(scryptN);
            ulong first = parse.GetValue(start);
            ulong total = parse.GetValue(count);
            if (total - 1 > ulong.MaxValue - first)
            {
                throw new InvalidInputException("start", string.Create(CultureInfo.InvariantCulture,
                    $"--start {first} --count {total}: the last index would be past {ulong.MaxValue} (label indices are 64-bit); lower --start or --count"));
            }

            using var p = ProviderSelection.ResolveOne(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse), "labels");
            using var cts = Cli.CancelOnSignals();
            int batch = Math.Clamp(p.PreferredBatchSize(n), 1, MaxBatch);
            var buffer = new byte[batch * 32];
            try
            {
                // Disposed inside the try: its final flush may meet the closed pipe too.
                using var output = new StreamWriter(OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
                for (ulong done = 0; done < total;)
                {
                    int take = (int)Math.Min((ulong)batch, total - done);
                    p.ComputeOutputs(c, n, first + done, take, buffer, cts.Token);
                    for (int i = 0; i < take; i++)
                    {
                        output.Write((first + done + (ulong)i).ToString(CultureInfo.InvariantCulture));
                        output.Write(' ');
                        output.Write(Hex.Format(buffer.AsSpan(i * 32, 32)));
                        output.Write('\n');
                    }

                    // Each batch goes out at once, so a reader that has gone is noticed before the next batch is computed.
                    output.Flush();
                    done += (ulong)take;
                }
            }
            catch (IOException e) when (IsBrokenPipe(e))
            {
                // The reader closed the pipe (`post labels … | head -1`): what it wanted is printed; stop quietly.
                return ExitCodes.Ok;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Labels computed (and printed) per step: at most 2^16 (2 MiB of outputs), so output keeps flowing.</summary>
    private const int MaxBatch = 1 << 16;

    /// <summary>
    /// Standard output as a plain stream. Console.Out drops writes silently once the reader of a pipe has gone (EPIPE),
    /// which left `post labels … | head -1` computing to the end; a write to this stream fails instead.
    /// </summary>
    private static Stream OpenStandardOutput() => OperatingSystem.IsWindows()
        ? Console.OpenStandardOutput()
        : new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    private static bool IsBrokenPipe(IOException e)
    {
        const int EPIPE = 32;
        const int ErrorBrokenPipe = 109, ErrorNoData = 232; // Windows
        int code = e.HResult & 0xFFFF;
        return code is EPIPE or ErrorBrokenPipe or ErrorNoData
            || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("pipe is being closed", StringComparison.OrdinalIgnoreCase);
    }
}
