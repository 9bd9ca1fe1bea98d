using Prover.Core.Data;
using Prover.Core.Pow;

namespace Prover.Cli;

/// <summary>What the prove/verify/profile commands ask of the k2pow.</summary>
/// <param name="LightMode">RandomX light mode (≈ 256 MiB, ~10× slower) instead of fast mode (≈ 2 GiB dataset); same results.</param>
/// <param name="Threads">Threads for the local pow search (0 = all cores).</param>
/// <param name="RemoteUrl">Base URL of a k2pow-service; null = compute locally.</param>
public sealed record K2PowSettings(bool LightMode, int Threads, Uri? RemoteUrl = null);

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

    /// <summary>Parses --randomx-mode: true for light mode.</summary>
    internal static bool ParseLightMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "fast" => false,
        "light" => true,
        _ => throw new PostDataException($"--randomx-mode must be 'fast' or 'light' (got '{text}')"),
    };
}
