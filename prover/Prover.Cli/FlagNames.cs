using Prover.Core;

namespace Prover.Cli;

/// <summary>
/// The <c>post</c> command's flag for each field Core names (<see cref="InputField"/>): Core's messages speak of
/// <c>nodeId</c>, the user reads <c>--node-id</c>.
/// </summary>
public static class FlagNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [InputField.NodeId] = "--node-id",
        [InputField.CommitmentAtxId] = "--commitment-atx-id",
        [InputField.NumUnits] = "--num-units",
        [InputField.LabelsPerUnit] = "--labels-per-unit",
        [InputField.MaxFileSize] = "--max-file-size",
        [InputField.ScryptN] = "--scrypt-n",
        [InputField.VrfDifficulty] = "--vrf-difficulty",
        [InputField.PowDifficulty] = "--pow-difficulty",
        [InputField.FromFile] = "--from-file",
        [InputField.ToFile] = "--to-file",
        [InputField.ShardCount] = "--shards",
        [InputField.ShardIndex] = "--shard-index",
        [InputField.FractionPercent] = "--fraction",
        [InputField.DataDir] = "--datadir",
    };

    /// <summary>Every field with a flag (for tests and help).</summary>
    public static IReadOnlyDictionary<string, string> All => Flags;

    /// <summary>The flag that sets <paramref name="field"/>, or null when there is none (a file, a flag itself).</summary>
    public static string? Of(string field) => Flags.GetValueOrDefault(field);

    /// <summary>Text from Core (a message, a description of where a value came from) with fields named by their flags.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Rename(string? text) => text is null ? null : InvalidInputException.Rename(text, Of);

    /// <summary>
    /// The message the user reads for <paramref name="e"/>: its fields named by the flags of <c>post</c>, or of
    /// <c>post serve</c> when <paramref name="serve"/>.
    /// </summary>
    public static string Describe(InvalidInputException e, bool serve = false)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Describe(serve ? Prover.Service.ServeFlagNames.Of : Of);
    }
}
