using System.Text.RegularExpressions;

namespace Prover.Core;

/// <summary>
/// The input is invalid: a parameter out of range, an identity of the wrong length, data on disk that does not match
/// its metadata. <see cref="Field"/> names what is at fault in the domain's words (see <see cref="InputField"/>); the
/// message names fields the same way (<c>nodeId must be 32 bytes</c>) and files by their path, never a command-line
/// flag. A host shows it in its own words with <see cref="Describe"/> (the CLI maps <c>nodeId</c> to
/// <c>--node-id</c>) and treats it as bad input (the CLI's exit code 2): nothing was changed.
/// </summary>
public partial class InvalidInputException : Exception
{
    /// <summary>An invalid input with the field it concerns.</summary>
    /// <param name="field">the field at fault, one of <see cref="InputField"/>'s names where one fits.</param>
    /// <param name="message">what is wrong and what was expected; fields are named by their field names.</param>
    public InvalidInputException(string field, string message) : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        Field = field;
    }

    /// <inheritdoc cref="InvalidInputException(string, string)"/>
    /// <param name="field">the field at fault.</param>
    /// <param name="message">what is wrong and what was expected.</param>
    /// <param name="innerException">the failure behind it (a parse or I/O error).</param>
    public InvalidInputException(string field, string message, Exception innerException) : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        Field = field;
    }

    /// <summary>The field at fault (<c>nodeId</c>, <c>scryptN</c>, <c>dataDir</c>, <c>file</c>…).</summary>
    public string Field { get; }

    /// <summary>
    /// The message with each field name in it replaced by what <paramref name="nameOf"/> returns for it (a flag, a
    /// configuration key); a name it returns null for is kept. Only whole words are replaced, never part of a path.
    /// </summary>
    public string Describe(Func<string, string?> nameOf) => Rename(Message, nameOf);

    /// <summary>
    /// <paramref name="text"/> (a message or a description from Core that names fields) with each whole-word field
    /// name replaced by what <paramref name="nameOf"/> returns for it; words it returns null for are kept.
    /// </summary>
    public static string Rename(string text, Func<string, string?> nameOf)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(nameOf);
        return Word().Replace(text, m => nameOf(m.Value) ?? m.Value);
    }

    // A word that starts lowercase, not inside a path, a flag, a file name or a quoted value (no '/', '\', '.', '-',
    // quote or word character around it).
    [GeneratedRegex(@"(?<![\w/\\.\-'""])[a-z][A-Za-z0-9]*(?![\w/\\\-'""]|\.\w)")]
    private static partial Regex Word();
}

/// <summary>The field names <see cref="InvalidInputException"/> uses: the names of <c>InitOptions</c>' and the proving
/// parameters' members, in camelCase.</summary>
public static class InputField
{
    /// <summary>The smesher's identity (32 bytes).</summary>
    public const string NodeId = "nodeId";

    /// <summary>The commitment ATX id (32 bytes).</summary>
    public const string CommitmentAtxId = "commitmentAtxId";

    /// <summary>The PoST commitment (32 bytes).</summary>
    public const string Commitment = "commitment";

    /// <summary>The proving challenge (32 bytes).</summary>
    public const string Challenge = "challenge";

    /// <summary>The number of space units.</summary>
    public const string NumUnits = "numUnits";

    /// <summary>Labels per space unit.</summary>
    public const string LabelsPerUnit = "labelsPerUnit";

    /// <summary>The largest postdata file, in bytes.</summary>
    public const string MaxFileSize = "maxFileSize";

    /// <summary>scrypt's N.</summary>
    public const string ScryptN = "scryptN";

    /// <summary>The VRF nonce difficulty (32 bytes).</summary>
    public const string VrfDifficulty = "vrfDifficulty";

    /// <summary>The k2pow difficulty (32 bytes).</summary>
    public const string PowDifficulty = "powDifficulty";

    /// <summary>The first postdata file to initialize.</summary>
    public const string FromFile = "fromFile";

    /// <summary>The last postdata file to initialize.</summary>
    public const string ToFile = "toFile";

    /// <summary>How many shards an initialization is split into.</summary>
    public const string ShardCount = "shardCount";

    /// <summary>Which shard of an initialization a worker runs (from 0).</summary>
    public const string ShardIndex = "shardIndex";

    /// <summary>The share of labels to check, in percent.</summary>
    public const string FractionPercent = "fractionPercent";

    /// <summary>The PoST data directory.</summary>
    public const string DataDir = "dataDir";

    /// <summary>A file of the data (metadata, postdata, init state): the message names its path.</summary>
    public const string File = "file";
}
