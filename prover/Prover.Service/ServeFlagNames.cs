using Prover.Core;

namespace Prover.Service;

/// <summary>
/// <c>post serve</c>'s flag for each field Core names in an <see cref="InvalidInputException"/> (post-service's flag
/// names: <c>--dir</c>, <c>-n</c>), so that what the service shows names what its operator can change.
/// </summary>
public static class ServeFlagNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [InputField.DataDir] = "--dir",
        [InputField.ScryptN] = "-n",
        [InputField.PowDifficulty] = "--pow-difficulty",
    };

    /// <summary>The flag that sets <paramref name="field"/>, or null when <c>post serve</c> has none.</summary>
    public static string? Of(string field) => Flags.GetValueOrDefault(field);

    /// <summary>The message of <paramref name="e"/> with fields named by their flags; other exceptions' as they are.</summary>
    public static string Describe(Exception e) => e is InvalidInputException input ? input.Describe(Of) : e.Message;
}
