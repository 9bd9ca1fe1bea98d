using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Prover.Bench.Core;

/// <summary>One comparable figure of a report: a stable key (provider/metric), its value and unit.</summary>
public sealed record BenchMetric(string Key, double Value, string Unit, bool HigherIsBetter);

/// <summary>
/// <c>bench.json</c>: the whole report (settings, machine, plan, every measurement with its status) plus a flat
/// <c>metrics</c> list that <c>post bench compare</c> matches by key. Written without reflection.
/// </summary>
public static class BenchJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var m = report.Machine;
        var root = new JsonObject
        {
            ["schema"] = BenchReport.SchemaName,
            ["interrupted"] = report.Interrupted,
            ["started_utc"] = report.Started.ToString("O", CultureInfo.InvariantCulture),
            ["finished_utc"] = report.Finished.ToString("O", CultureInfo.InvariantCulture),
            ["elapsed_seconds"] = report.ElapsedSeconds,
            ["planned_seconds"] = report.PlannedSeconds,
            ["load_average_start"] = report.LoadAverageStart,
            ["load_average_end"] = report.LoadAverageEnd,
            ["plan"] = Strings(report.Plan),
            ["settings"] = new JsonObject
            {
                ["duration_seconds"] = s.Duration,
                ["scrypt_n"] = s.ScryptN,
                ["repetitions"] = s.Repetitions,
                ["nonces"] = new JsonArray([.. s.Nonces.Select(n => (JsonNode)n)]),
                ["threads"] = s.EffectiveThreads,
                ["proving_mib"] = s.ProvingMiB,
                ["disk"] = Path.GetFullPath(s.DiskDirectory),
                ["cache_drop"] = s.CacheDrop.ToString().ToLowerInvariant(),
                ["init_budget_seconds"] = s.Duration,
                ["simulator_budget_seconds"] = BenchSettings.SimulatorBudgetSeconds,
                ["proving_budget_seconds"] = s.ProvingBudget,
                ["k2pow_budget_seconds"] = s.K2PowBudget,
                ["verify_budget_seconds"] = s.VerifyBudget,
            },
            ["machine"] = new JsonObject
            {
                ["cpu_model"] = m.CpuModel,
                ["logical_cores"] = m.LogicalCores,
                ["simd"] = m.Simd,
                ["cpu_features"] = m.CpuFeatures,
                ["aes"] = m.Aes,
                ["memory_bytes"] = m.MemoryBytes,
                ["os"] = m.Os,
                ["runtime"] = m.Runtime,
                ["project_version"] = m.ProjectVersion,
                ["git_describe"] = m.GitDescribe,
                ["disk"] = m.Disk,
                ["gpus"] = new JsonArray([.. m.Gpus.Select(g => (JsonNode)new JsonObject
                {
                    ["id"] = g.Id,
                    ["name"] = g.Name,
                    ["kind"] = g.Kind,
                    ["memory_bytes"] = g.MemoryBytes,
                    ["driver"] = g.Driver,
                })]),
                ["gpu_notes"] = Strings(m.GpuNotes),
            },
            ["init"] = new JsonArray([.. report.Init.Select(InitJson)]),
            ["proving"] = report.Proving is { } p ? ProvingJson(p) : null,
            ["k2pow"] = report.K2Pow is { } k ? K2PowJson(k) : null,
            ["verification"] = report.Verification is { } v ? VerifyJson(v) : null,
            ["notes"] = Strings(report.Notes),
            ["metrics"] = new JsonArray([.. Metrics(report).Select(x => (JsonNode)new JsonObject
            {
                ["key"] = x.Key,
                ["value"] = x.Value,
                ["unit"] = x.Unit,
                ["higher_is_better"] = x.HigherIsBetter,
            })]),
        };
        return root.ToJsonString(Indented);
    }

    /// <summary>The comparable figures of a report: only measurements whose status is "ok".</summary>
    public static IReadOnlyList<BenchMetric> Metrics(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var list = new List<BenchMetric>();
        foreach (var r in report.Init.Where(r => BenchStatus.IsOk(r.Status) && r.LabelsPerSecond is not null))
        {
            string key = $"init/{r.Provider}/n={r.ScryptN}";
            list.Add(new($"{key}/labels_per_second", r.LabelsPerSecond!.Median, "labels/s", true));
            list.Add(new($"{key}/mib_per_second", r.MiBPerSecond, "MiB/s", true));
            list.Add(new($"{key}/hours_per_unit", r.HoursPerUnit, "h", false));
            list.Add(new($"{key}/hours_per_256_gib", r.HoursPerMinimum, "h", false));
            if (r.Initializer is { } i)
            {
                list.Add(new($"{key}/initializer_labels_per_second", i.LabelsPerSecond, "labels/s", true));
            }
        }

        if (report.Proving is { } p)
        {
            foreach (var c in p.Configs.Where(c => BenchStatus.IsOk(c.Status)))
            {
                list.Add(new($"proving/{c.Source}/nonces={c.Nonces}/threads={c.ThreadsKey}/gib_per_second", c.GiBPerSecond, "GiB/s", true));
            }
        }

        if (report.K2Pow is { } k)
        {
            foreach (var mode in k.Modes.Where(x => BenchStatus.IsOk(x.Status)))
            {
                list.Add(new($"k2pow/{mode.Mode}/init_seconds", mode.InitSeconds, "s", false));
                foreach (var rate in mode.Rates)
                {
                    list.Add(new($"k2pow/{mode.Mode}/threads={rate.ThreadsKey}/hashes_per_second", rate.HashesPerSecond, "hashes/s", true));
                }

                foreach ((int nonces, double minutes) in mode.MinutesPerProof.OrderBy(x => x.Key))
                {
                    list.Add(new($"k2pow/{mode.Mode}/nonces={nonces}/minutes_per_proof_{k.NumUnits}_units", minutes, "min", false));
                }
            }
        }

        if (report.Verification is { } v && BenchStatus.IsOk(v.Status))
        {
            foreach (var mode in v.Modes)
            {
                list.Add(new($"verify/{mode.Mode}/seconds", mode.Seconds.Median, "s", false));
            }

            list.Add(new("verify/randomx_light_init_seconds", v.RandomXLightInitSeconds, "s", false));
        }

        return list;
    }

    /// <summary>Reads the <c>metrics</c> list of a bench.json.</summary>
    public static IReadOnlyList<BenchMetric> ReadMetrics(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source} is not valid JSON: {e.Message}", e);
        }

        if (root is not JsonObject obj || obj["schema"]?.GetValue<string>() != BenchReport.SchemaName || obj["metrics"] is not JsonArray metrics)
        {
            throw new FormatException($"{source} is not a post bench report (no \"schema\": \"{BenchReport.SchemaName}\" with \"metrics\")");
        }

        var list = new List<BenchMetric>();
        foreach (var item in metrics)
        {
            if (item?["key"]?.GetValue<string>() is not { } key || item["value"] is not JsonValue value)
            {
                throw new FormatException($"{source}: a metric without key or value");
            }

            list.Add(new BenchMetric(key, value.GetValue<double>(), item["unit"]?.GetValue<string>() ?? "",
                item["higher_is_better"]?.GetValue<bool>() ?? true));
        }

        return list;
    }

    private static JsonNode InitJson(InitBenchResult r) => new JsonObject
    {
        ["provider"] = r.Provider,
        ["kind"] = r.Kind.ToString(),
        ["name"] = r.Name,
        ["status"] = r.Status,
        ["scrypt_n"] = r.ScryptN,
        ["checks"] = Strings(r.Checks),
        ["budget_seconds"] = r.BudgetSeconds,
        ["budget_note"] = r.BudgetNote,
        ["labels_per_call"] = r.LabelsPerCall,
        ["tuning"] = r.Tuning,
        ["warmup_seconds"] = r.WarmupSeconds,
        ["labels_timed"] = r.LabelsTimed,
        ["seconds_timed"] = r.SecondsTimed,
        ["repetitions_labels_per_second"] = new JsonArray([.. r.Repetitions.Select(x => (JsonNode)x)]),
        ["labels_per_second"] = r.LabelsPerSecond?.Median,
        ["labels_per_second_min"] = r.LabelsPerSecond?.Min,
        ["labels_per_second_max"] = r.LabelsPerSecond?.Max,
        ["spread_percent"] = r.LabelsPerSecond?.SpreadPercent,
        ["mib_per_second"] = r.LabelsPerSecond is null ? null : r.MiBPerSecond,
        ["hours_per_unit"] = r.LabelsPerSecond is null ? null : r.HoursPerUnit,
        ["hours_per_256_gib"] = r.LabelsPerSecond is null ? null : r.HoursPerMinimum,
        ["initializer"] = r.Initializer is { } i
            ? new JsonObject { ["labels"] = i.Labels, ["seconds"] = i.Seconds, ["labels_per_second"] = i.LabelsPerSecond }
            : null,
    };

    private static JsonObject ProvingJson(ProvingBenchResult p) => new JsonObject
    {
        ["status"] = p.Status,
        ["scanner"] = p.Scanner,
        ["checks"] = Strings(p.Checks),
        ["data_bytes"] = p.DataBytes,
        ["file"] = p.FilePath,
        ["cache_drop_method"] = p.CacheDropMethod,
        ["configs"] = new JsonArray([.. p.Configs.Select(c => (JsonNode)new JsonObject
        {
            ["source"] = c.Source,
            ["nonces"] = c.Nonces,
            ["threads"] = c.Threads,
            ["threads_key"] = c.ThreadsKey,
            ["status"] = c.Status,
            ["passes"] = c.Passes,
            ["bytes"] = c.Bytes,
            ["seconds"] = c.Seconds,
            ["gib_per_second"] = c.GiBPerSecond,
            ["pass_gib_per_second"] = new JsonArray([.. c.PassRates.Select(x => (JsonNode)x)]),
        })]),
    };

    private static JsonObject K2PowJson(K2PowBenchResult k) => new JsonObject
    {
        ["status"] = k.Status,
        ["difficulty_per_unit"] = k.DifficultyPerUnit,
        ["num_units"] = k.NumUnits,
        ["expected_hashes_per_group"] = k.ExpectedHashesPerGroup,
        ["recommended_flags"] = k.RecommendedFlags,
        ["modes"] = new JsonArray([.. k.Modes.Select(m => (JsonNode)new JsonObject
        {
            ["mode"] = m.Mode,
            ["status"] = m.Status,
            ["init_seconds"] = m.InitSeconds,
            ["flags"] = m.Flags,
            ["rates"] = new JsonArray([.. m.Rates.Select(r => (JsonNode)new JsonObject
            {
                ["threads"] = r.Threads,
                ["threads_key"] = r.ThreadsKey,
                ["hashes"] = r.Hashes,
                ["seconds"] = r.Seconds,
                ["hashes_per_second"] = r.HashesPerSecond,
            })]),
            ["minutes_per_proof"] = new JsonObject(m.MinutesPerProof.OrderBy(x => x.Key).Select(x =>
                new KeyValuePair<string, JsonNode?>(x.Key.ToString(CultureInfo.InvariantCulture), x.Value))),
        })]),
    };

    private static JsonObject VerifyJson(VerifyBenchResult v) => new JsonObject
    {
        ["status"] = v.Status,
        ["what"] = v.What,
        ["k1"] = v.K1,
        ["k2"] = v.K2,
        ["scrypt_n"] = v.ScryptN,
        ["dataset_labels"] = v.DatasetLabels,
        ["dataset_init_seconds"] = v.DatasetInitSeconds,
        ["prove_seconds"] = v.ProveSeconds,
        ["randomx_light_init_seconds"] = v.RandomXLightInitSeconds,
        ["modes"] = new JsonArray([.. v.Modes.Select(m => (JsonNode)new JsonObject
        {
            ["mode"] = m.Mode,
            ["labels_checked"] = m.LabelsChecked,
            ["runs"] = m.Runs,
            ["seconds"] = m.Seconds.Median,
            ["seconds_min"] = m.Seconds.Min,
            ["seconds_max"] = m.Seconds.Max,
        })]),
    };

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(x => (JsonNode)x)]);
}
