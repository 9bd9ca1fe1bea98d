using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Prover.Cli;
using Prover.Kernels.Simd;
using Xunit;

namespace Prover.Cli.Tests;

/// <summary>
/// Issue 15, the CLI's smaller defects: <c>post labels</c> into a closed pipe, thread counts far above the machine,
/// numbers out of range for labels/providers/bench/gpu-bench, <c>post providers</c> and the progress text.
/// </summary>
public class HardeningMiscTests
{
    private static readonly string Zero = new('0', 64);

    private static void AssertNoTrace(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("System.", stderr);
        Assert.DoesNotContain("unexpected failure", stderr);
    }

    // ---- item 11: post labels | head -1 ----

    [Fact]
    public async Task Labels_stop_quietly_when_the_reader_of_stdout_goes_away()
    {
        // 10^9 labels take hours: only stopping on the closed pipe ends this within the deadline.
        using var p = Process.Start(PostCli.StartInfo("labels", "--commitment", Zero, "--count", "1000000000", "-n", "16"))!;
        var stderr = p.StandardError.ReadToEndAsync();
        string? first = await p.StandardOutput.ReadLineAsync();
        Assert.StartsWith("0 ", first);
        p.StandardOutput.Close(); // what `head -1` does after its line

        bool exited = p.WaitForExit(TimeSpan.FromSeconds(30));
        if (!exited)
        {
            p.Kill(true);
        }

        Assert.True(exited, "post labels kept computing after the reader closed the pipe");
        Assert.Equal(0, p.ExitCode);
        Assert.Equal("", await stderr);
    }

    // ---- item 6: thread counts far above the machine ----

    [Fact]
    public void Labels_with_4096_threads_on_a_small_machine_give_the_same_labels()
    {
        var (code1, one, err1) = PostCli.Run("labels", "--commitment", Zero, "--count", "4", "-n", "16", "--threads", "1");
        Assert.True(code1 == 0, err1);
        var (code, many, err) = PostCli.Run("labels", "--commitment", Zero, "--count", "4", "-n", "16", "--threads", "4096");
        Assert.True(code == 0, err);
        Assert.Equal(4, many.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(one, many);
    }

    [Fact]
    public void Cpu_provider_starts_worker_threads_only_for_the_work_there_is()
    {
        using var provider = new CpuLabelProvider(4096, SimdLevel.V128);
        Assert.Equal(4096, provider.Threads);
        foreach (ulong n in new ulong[] { 2, 16, 8192 })
        {
            int batch = provider.PreferredBatchSize(n);
            Assert.InRange(batch, 1, CpuLabelProvider.MaxPreferredBatch);
        }

        var output = new byte[4 * 32];
        provider.ComputeOutputs(new byte[32], 16, 0, 4, output);
        Assert.Equal(0, provider.StartedWorkers); // one lane group: the caller computes it

        int groupSize = ScryptLanes.GroupSize(SimdLevel.V128, 16);
        var more = new byte[groupSize * 3 * 32];
        provider.ComputeOutputs(new byte[32], 16, 0, groupSize * 3, more);
        Assert.InRange(provider.StartedWorkers, 1, 2);

        using var reference = new CpuLabelProvider(1, SimdLevel.V128);
        var expected = new byte[more.Length];
        reference.ComputeOutputs(new byte[32], 16, 0, groupSize * 3, expected);
        Assert.Equal(expected, more);
    }

    // ---- item 17 / 6: numbers out of range ----

    [Theory]
    [InlineData("labels", "--threads", "-1")]
    [InlineData("labels", "--threads", "100000")]
    [InlineData("labels", "--threads", "2147483647")]
    [InlineData("labels", "--scrypt-n", "2147483648")]
    [InlineData("labels", "--scrypt-n", "0")]
    [InlineData("labels", "--scrypt-n", "3")]
    [InlineData("labels", "--scrypt-n", "18446744073709551615")]
    [InlineData("labels", "--count", "0")]
    [InlineData("labels", "--lookup-gap", "3")]
    [InlineData("labels", "--lookup-gap", "0")]
    [InlineData("labels", "--gpu-batch", "-1")]
    [InlineData("labels", "--gpu-batch", "2147483647")]
    [InlineData("providers", "--threads", "-1")]
    [InlineData("providers", "--threads", "100000")]
    [InlineData("bench", "--threads", "-1")]
    [InlineData("bench", "--threads", "100000")]
    [InlineData("bench", "--scrypt-n", "3")]
    [InlineData("bench", "--scrypt-n", "0")]
    [InlineData("bench", "--duration", "0")]
    [InlineData("bench", "--duration", "-1")]
    [InlineData("bench", "--duration", "1000000")]
    [InlineData("bench", "--repetitions", "0")]
    [InlineData("bench", "--proving-mib", "0")]
    [InlineData("gpu-bench", "--scrypt-n", "0")]
    [InlineData("gpu-bench", "--scrypt-n", "2147483648")]
    [InlineData("gpu-bench", "--seconds", "0")]
    [InlineData("gpu-bench", "--seconds", "-1")]
    [InlineData("gpu-bench", "--verify", "-1")]
    [InlineData("gpu-bench", "--memory-fraction", "0")]
    [InlineData("gpu-bench", "--memory-fraction", "2")]
    public void Out_of_range_numbers_are_refused_before_any_work_naming_the_flag(string command, string flag, string value)
    {
        using var tmp = new TempDir();
        var args = new List<string> { command, flag, value };
        if (command == "labels")
        {
            args.AddRange(["--commitment", Zero]);
        }
        else if (command == "bench")
        {
            args.AddRange(["--out", tmp.Sub("out")]);
        }
        else if (command == "gpu-bench")
        {
            args.AddRange(["--provider", "cpu"]);
        }

        var (code, stdout, stderr) = PostCli.Run([.. args]);

        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains($"error: {flag} must be", stderr);
        Assert.Contains(value, stderr);
        Assert.Equal("", stdout);
        AssertNoTrace(stderr);
        Assert.False(Directory.Exists(tmp.Sub("out")), "bench started working");
    }

    [Fact]
    public void Labels_refuse_a_range_past_the_last_index_naming_both_flags()
    {
        var (code, stdout, stderr) = PostCli.Run("labels", "--commitment", Zero, "--start", ulong.MaxValue.ToString(CultureInfo.InvariantCulture),
            "--count", "2", "-n", "16");
        Assert.True(code == 2, stderr);
        Assert.Contains("--start", stderr);
        Assert.Contains("--count", stderr);
        Assert.Equal("", stdout);
        AssertNoTrace(stderr);

        // The very last indices are fine.
        (code, stdout, stderr) = PostCli.Run("labels", "--commitment", Zero, "--start", (ulong.MaxValue - 1).ToString(CultureInfo.InvariantCulture),
            "--count", "2", "-n", "16");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{ulong.MaxValue} ", lines[1]);
    }

    // ---- item 23: post providers ----

    [Fact]
    public void Providers_list_the_reference_and_honour_threads()
    {
        var (code, stdout, stderr) = PostCli.Run("providers", "--threads", "3");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"(?m)^cpu .*3 threads", stdout);
        Assert.Matches(@"(?m)^reference .*3 threads", stdout);

        (code, stdout, stderr) = PostCli.Run("providers", "--json", "--threads", "5");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var byId = doc.RootElement.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal("5", byId["cpu"].GetProperty("details").GetProperty("threads").GetString());
        Assert.Equal("5", byId["reference"].GetProperty("details").GetProperty("threads").GetString());
        Assert.Equal(5, byId["reference"].GetProperty("compute_units").GetInt32());
    }

    // ---- item 20: progress text ----

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.50 KiB")]
    [InlineData(3.5 * (1 << 20), "3.50 MiB")]
    [InlineData(274877906944.0, "256.00 GiB")]
    [InlineData(2.0 * (1L << 40), "2.00 TiB")]
    public void Sizes_have_units(double bytes, string expected) => Assert.Equal(expected, ProgressDisplay.Size(bytes));

    [Fact]
    public void Progress_in_bytes_uses_the_unit_of_the_total()
    {
        Assert.Equal("1.25/64.00 GiB", ProgressDisplay.Sizes(1.25 * (1 << 30), 64.0 * (1 << 30)));
        Assert.Equal("0.00/16.00 KiB", ProgressDisplay.Sizes(0, 16384));
        Assert.Equal("100/1000 B", ProgressDisplay.Sizes(100, 1000));
    }

    [Theory]
    [InlineData((2 * 86400) + (3 * 3600) + 100, "2d 03h")]
    [InlineData((5 * 3600) + (12 * 60), "5h 12m")]
    [InlineData(245, "4m 05s")]
    [InlineData(42, "42s")]
    [InlineData(0.2, "1s")]
    [InlineData(0, "0s")]
    [InlineData(400 * 86400, "400d 00h")]
    [InlineData(1e12, "> 999d")]
    public void Eta_is_two_units_of_days_hours_minutes_or_seconds(double seconds, string expected) =>
        Assert.Equal(expected, ProgressDisplay.Eta(seconds));

    [Fact]
    public void An_unknown_eta_is_left_out()
    {
        Assert.Null(ProgressDisplay.Eta(double.NaN));
        Assert.Null(ProgressDisplay.Eta(double.PositiveInfinity));
        Assert.Null(ProgressDisplay.Eta(-1));
        Assert.Equal("labels 1/2 GiB", ProgressDisplay.Line("labels", "1/2 GiB", null, 80));
    }

    [Fact]
    public void Init_progress_shows_gib_not_a_label_count()
    {
        // The issue's example: 4 units × 2^32 labels printed as "17179869184"; as bytes that is 256 GiB.
        string detail = ProgressDisplay.LabelsDetail(1L << 30, 17179869184, 1_000_000);
        Assert.Equal("16.00/256.00 GiB, 15.26 MiB/s", detail);
        Assert.DoesNotContain("17179869184", detail);
        Assert.DoesNotContain("ETA", detail); // the display adds the one ETA
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(40)]
    [InlineData(200)]
    public void The_bar_line_fits_the_terminal_and_keeps_the_eta(int columns)
    {
        int width = ProgressDisplay.DescriptionWidth(columns);
        // Description, bar, " 100%", spinner and the gaps between the four columns.
        if (columns >= 60)
        {
            Assert.True(width + 1 + ProgressDisplay.BarWidth + 5 + 2 < columns, $"{width} at {columns} columns");
        }

        string detail = ProgressDisplay.LabelsDetail(123_456_789, 17179869184, 987_654) + " and a long tail of further words";
        string line = ProgressDisplay.Line("labels", detail, "2d 03h", width);
        Assert.True(line.Length <= width, line);
        if (columns >= 60)
        {
            Assert.EndsWith(", ETA 2d 03h", line);
        }

        if (columns <= 80)
        {
            Assert.Contains("…", line); // the detail was cut, not the ETA
        }

        Assert.InRange(System.Text.RegularExpressions.Regex.Count(line, "ETA"), 0, 1);
    }

    [Fact]
    public void Fit_cuts_with_an_ellipsis()
    {
        Assert.Equal("abc", ProgressDisplay.Fit("abc", 3));
        Assert.Equal("ab…", ProgressDisplay.Fit("abcd", 3));
        Assert.Equal("a", ProgressDisplay.Fit("abcd", 1));
        Assert.Equal("", ProgressDisplay.Fit("abcd", 0));
    }

    [Fact]
    public void Init_prints_sizes_with_units_on_a_plain_stderr()
    {
        using var tmp = new TempDir();
        var (code, _, stderr) = PostCli.Run("init", "--datadir", tmp.Sub("d"), "--node-id", new string('1', 64),
            "--commitment-atx-id", Zero, "--num-units", "4", "--labels-per-unit", "256", "--scrypt-n", "16",
            "--max-file-size", "4096");
        Assert.True(code == 0, stderr);
        Assert.Contains("16.00/16.00 KiB", stderr); // 1024 labels × 16 bytes
        Assert.DoesNotContain("1024/1024 labels", stderr);
    }
}
