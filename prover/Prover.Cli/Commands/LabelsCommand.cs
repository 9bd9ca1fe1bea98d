using System.CommandLine;
using System.Globalization;
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
        var count = Cli.Opt("--count", "number of labels", 16UL);
        var scryptN = Cli.Opt("--scrypt-n", "scrypt N", 8192UL, "-n");
        var provider = Cli.Opt<string?>("--provider", ProviderSelection.Description);
        var gpu = new GpuFlags();
        var threads = Cli.Opt("--threads", "CPU threads (0 = all)", 0, "-t");
        var command = new Command("labels", "Print 'INDEX HEX32' for each label: the full 32-byte scrypt output (the label is its first 16 bytes).")
        {
            commitment, start, count, scryptN, provider, threads,
        };
        gpu.AddTo(command);
        command.SetAction(parse =>
        {
            var c = Hex.Parse(parse.GetValue(commitment), "--commitment", 32);
            ulong n = parse.GetValue(scryptN);
            if (n < 2 || (n & (n - 1)) != 0)
            {
                throw new PostDataException($"--scrypt-n must be a power of two ≥ 2, got {n}");
            }

            ulong first = parse.GetValue(start);
            ulong total = parse.GetValue(count);
            using var p = ProviderSelection.ResolveOne(parse.GetValue(provider), parse.GetValue(threads), gpu.Read(parse), "labels");
            using var cts = Cli.CancelOnSignals();
            int batch = Math.Max(1, p.PreferredBatchSize(n));
            var buffer = new byte[batch * 32];
            var output = Console.Out;
            for (ulong done = 0; done < total;)
            {
                int take = (int)Math.Min((ulong)batch, total - done);
                p.ComputeOutputs(c, n, first + done, take, buffer, cts.Token);
                for (int i = 0; i < take; i++)
                {
                    output.Write((first + done + (ulong)i).ToString(CultureInfo.InvariantCulture));
                    output.Write(' ');
                    output.WriteLine(Hex.Format(buffer.AsSpan(i * 32, 32)));
                }

                done += (ulong)take;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
