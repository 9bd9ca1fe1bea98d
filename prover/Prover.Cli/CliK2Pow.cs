using Prover.Core;
using Prover.Core.Pow;

namespace Prover.Cli;

/// <summary>
/// How the commands open their <see cref="K2PowBackend"/>: the <c>--randomx-mode</c> flag, and the RandomX errors a
/// user can fix (librandomx missing, a bad URL or count) turned into exit 2 before any work.
/// </summary>
internal static class CliK2Pow
{
    /// <summary>Parses <c>--randomx-mode</c>.</summary>
    public static RandomXMode ParseMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "fast" => RandomXMode.Fast,
        "light" => RandomXMode.Light,
        _ => throw new InvalidInputException("randomxMode", $"--randomx-mode must be 'fast' or 'light' (got '{text}')"),
    };

    /// <summary>
    /// Opens the backend; a local one builds its RandomX context now (cancellable), so that the time it takes is not
    /// counted as k2pow work and a missing library is reported at once.
    /// </summary>
    public static K2PowBackend Open(K2PowBackendOptions options, CancellationToken cancellationToken = default)
    {
        var backend = Translate(() => new K2PowBackend(options));
        if (!backend.IsRemote)
        {
            try
            {
                Prepare(backend, cancellationToken);
            }
            catch
            {
                backend.Dispose();
                throw;
            }
        }

        return backend;
    }

    /// <summary>Builds the backend's context now (the verifier's, beside a k2pow-service).</summary>
    public static RandomXContext Prepare(K2PowBackend backend, CancellationToken cancellationToken = default) =>
        Translate(() => backend.GetContext(cancellationToken));

    private static T Translate<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (RandomXLibraryNotFoundException e)
        {
            throw new InvalidInputException("randomxMode", $"k2pow needs librandomx: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException(e.ParamName ?? "randomxMode", e.Message, e);
        }
    }
}
