using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Bench.Core;
using Prover.Core;

namespace Prover.Cli.Cluster;

/// <summary>One successful init measurement of a <c>post bench</c> report.</summary>
/// <param name="Provider">the provider id (cpu, cuda:0, …).</param>
/// <param name="Kind">its kind as the report names it (CpuSimd, Cuda, OpenCL, IlgpuCpu).</param>
/// <param name="ScryptN">the N it was measured at.</param>
/// <param name="LabelsPerSecond">the median rate.</param>
public sealed record BenchInitRate(string Provider, string Kind, ulong ScryptN, double LabelsPerSecond)
{
    /// <summary>A GPU provider (one per GPU): CUDA or OpenCL.</summary>
    public bool IsGpu => Kind is "Cuda" or "OpenCL";
}

/// <summary>Reads the init rates out of a bench.json (<c>post bench --json</c>, schema post-bench/1).</summary>
public static class BenchInitRates
{
    /// <summary>Every init entry whose status is ok and that has a rate.</summary>
    /// <exception cref="InvalidInputException">the text is not a post bench report.</exception>
    public static IReadOnlyList<BenchInitRate> Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("--bench", $"{source} is not valid JSON: {e.Message}", e);
        }

        if (root is not JsonObject obj || obj["schema"]?.GetValueKind() != JsonValueKind.String
            || obj["schema"]!.GetValue<string>() != BenchReport.SchemaName || obj["init"] is not JsonArray init)
        {
            throw new InvalidInputException("--bench", $"{source} is not a post bench report (no \"schema\": \"{BenchReport.SchemaName}\" with \"init\"); write one with post bench --json");
        }

        var list = new List<BenchInitRate>();
        foreach (var item in init.OfType<JsonObject>())
        {
            if (Text(item, "status") != BenchStatus.Ok || Text(item, "provider") is not { } provider
                || item["labels_per_second"] is not JsonValue rate || rate.GetValueKind() != JsonValueKind.Number
                || item["scrypt_n"] is not JsonValue n || n.GetValueKind() != JsonValueKind.Number)
            {
                continue;
            }

            double perSecond = rate.GetValue<double>();
            ulong scryptN = n.GetValue<ulong>();
            if (perSecond > 0 && scryptN > 0)
            {
                list.Add(new BenchInitRate(provider, Text(item, "kind") ?? "", scryptN, perSecond));
            }
        }

        return list;
    }

    private static string? Text(JsonObject item, string name) =>
        item[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
