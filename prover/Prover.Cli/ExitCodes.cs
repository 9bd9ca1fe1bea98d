namespace Prover.Cli;

/// <summary>Exit codes of the <c>post</c> command (documented in the README).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The check failed: corrupt data, an invalid proof.</summary>
    public const int Invalid = 1;

    /// <summary>Bad flags, inconsistent metadata or parameters: nothing was changed.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (Ctrl-C / SIGTERM); the work done so far is kept and a re-run resumes it.</summary>
    public const int Interrupted = 130;
}
