using System.Globalization;
using Prover.Core;
using Prover.Core.Proving;

namespace Prover.Cli;

/// <summary>The scan options shared by <c>post prove</c> and <c>post profile</c>, checked as the proving core checks
/// them, with messages that name the flags.</summary>
internal static class ProvingFlags
{
    /// <summary>The options for <c>--nonces</c> and <c>--threads</c>; an invalid pair is an <see cref="InvalidInputException"/>.</summary>
    public static ProvingOptions Options(int nonces, int threads)
    {
        var options = new ProvingOptions { Nonces = nonces, Threads = threads };
        if (options.Nonces % ProvingConstants.NoncesPerGroup != 0)
        {
            throw new InvalidInputException("nonces", string.Create(CultureInfo.InvariantCulture,
                $"--nonces must be a multiple of {ProvingConstants.NoncesPerGroup} in {ProvingConstants.NoncesPerGroup}..{ProvingConstants.MaxNonces}, got {options.Nonces}"));
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException(e.ParamName ?? "options", e.Message);
        }

        return options;
    }
}
