using Prover.Core.Data;
using Prover.Core.Pow;

namespace Prover.Cli;

/// <summary>RandomX mode of the k2pow (spec §5.1): same results, fast ≈ 2 GiB dataset, light ≈ 256 MiB and ~10× slower.</summary>
public enum RandomXMode
{
    Fast,
    Light,
}

/// <summary>What the prove/verify/profile commands ask of the k2pow.</summary>
/// <param name="Mode">RandomX mode.</param>
/// <param name="Threads">Threads for the local pow search (0 = all cores).</param>
/// <param name="RemoteUrl">Base URL of a k2pow-service; null = compute locally.</param>
public sealed record K2PowSettings(RandomXMode Mode, int Threads, Uri? RemoteUrl = null);

/// <summary>
/// The seam between the commands of this file set and the RandomX k2pow implementation: Program.cs assigns
/// <see cref="CreateProver"/> and <see cref="CreateVerifier"/>. Until then the commands that need a k2pow report that
/// it is not connected (exit code 2) instead of guessing.
/// </summary>
public static class K2PowFactory
{
    /// <summary>Builds a k2pow prover (local RandomX or the remote k2pow-service client) for the settings.</summary>
    public static Func<K2PowSettings, IK2PowProver>? CreateProver { get; set; }

    /// <summary>Builds a k2pow verifier (local RandomX) for the settings.</summary>
    public static Func<K2PowSettings, IK2PowVerifier>? CreateVerifier { get; set; }

    internal static IK2PowProver Prover(K2PowSettings settings) =>
        CreateProver?.Invoke(settings) ?? throw new PostDataException("k2pow (RandomX) prover is not connected in this build");

    internal static IK2PowVerifier Verifier(K2PowSettings settings) =>
        CreateVerifier?.Invoke(settings) ?? throw new PostDataException("k2pow (RandomX) verifier is not connected in this build");

    internal static RandomXMode ParseMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "fast" => RandomXMode.Fast,
        "light" => RandomXMode.Light,
        _ => throw new PostDataException($"--randomx-mode must be 'fast' or 'light' (got '{text}')"),
    };
}
