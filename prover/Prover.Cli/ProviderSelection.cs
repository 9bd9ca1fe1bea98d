using Prover.Core.Data;
using Prover.Core.Init;
using Prover.Verifier;

namespace Prover.Cli;

/// <summary>Turns <c>--provider ID[,ID…]|all</c> into label providers.</summary>
public static class ProviderSelection
{
    public const string Description =
        "label provider id(s), comma separated, or 'all' (see 'post providers'); default: the CPU SIMD provider";

    public static IReadOnlyList<ILabelProvider> Resolve(string? spec, int threads)
    {
        spec = string.IsNullOrWhiteSpace(spec) ? "cpu" : spec.Trim();
        var known = Available(threads);
        if (spec.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return known.Where(k => k.InAll).Select(k => k.Create()).ToList();
        }

        var result = new List<ILabelProvider>();
        foreach (var id in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = known.FirstOrDefault(k => k.Id.Equals(id, StringComparison.OrdinalIgnoreCase))
                        ?? throw new PostDataException(
                            $"--provider: unknown provider '{id}'; available: {string.Join(", ", known.Select(k => k.Id))}");
            result.Add(match.Create());
        }

        return result;
    }

    /// <summary>One selectable provider; <see cref="InAll"/> says whether 'all' includes it.</summary>
    public sealed record Choice(string Id, string Name, bool InAll, Func<ILabelProvider> Create);

    public static IReadOnlyList<Choice> Available(int threads)
    {
        var list = new List<Choice>
        {
            new("reference", "scalar reference (oracle)", false, () => new ReferenceLabelProvider(threads)),
        };
        list.Insert(0, new("cpu", "CPU (scalar reference until the SIMD kernel is connected)", true,
            () => new ReferenceLabelProvider(threads)));
        return list;
    }
}
