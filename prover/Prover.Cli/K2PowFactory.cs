using Prover.Core.Data;
using Prover.Core.Pow;
using Prover.Core;

namespace Prover.Cli;

/// <summary>What the prove/verify/profile commands ask of the k2pow.</summary>
/// <param name="LightMode">RandomX light mode (≈ 256 MiB, several times slower) instead of fast mode (≈ 2 GiB dataset); same results.</param>
/// <param name="Threads">Threads for the local pow search (0 = all cores).</param>
/// <param name="RemoteUrl">Base URL of a k2pow-service; null = compute locally.</param>
/// <param name="RemoteOptions">Polling, retry limit and retry log of the k2pow-service client (null: its defaults).</param>
/// <param name="Cancellation">Cancels building the RandomX state (the fast-mode dataset takes a while).</param>
public sealed record K2PowSettings(bool LightMode, int Threads, Uri? RemoteUrl = null, RemoteK2PowOptions? RemoteOptions = null,
    CancellationToken Cancellation = default);

/// <summary>
/// Where the prove/verify/profile commands get their k2pow from: local RandomX (<see cref="K2Pow"/> over a
/// <see cref="RandomXContext"/> the returned object owns) or a remote k2pow-service (<see cref="RemoteK2Pow"/>).
/// The properties can be replaced (e.g. by tests or a host with its own RandomX context).
/// Objects returned are disposed by the commands when they implement <see cref="IDisposable"/>.
/// </summary>
public static class K2PowFactory
{
    /// <summary>Builds a k2pow prover for the settings.</summary>
    public static Func<K2PowSettings, IK2PowProver> CreateProver { get; set; } = settings =>
        settings.RemoteUrl is { } url ? new RemoteK2Pow(url, settings.RemoteOptions) : Local(settings);

    /// <summary>Builds a k2pow verifier for the settings (always local RandomX).</summary>
    public static Func<K2PowSettings, IK2PowVerifier> CreateVerifier { get; set; } = Local;

    internal static IK2PowProver Prover(K2PowSettings settings) => Wrap(() => CreateProver(settings));

    internal static IK2PowVerifier Verifier(K2PowSettings settings) => Wrap(() => CreateVerifier(settings));

    /// <summary>Parses --randomx-mode: true for light mode.</summary>
    internal static bool ParseLightMode(string? text) => text?.ToLowerInvariant() switch
    {
        null or "fast" => false,
        "light" => true,
        _ => throw new InvalidInputException("randomxMode", $"--randomx-mode must be 'fast' or 'light' (got '{text}')"),
    };

    private static OwnedK2Pow Local(K2PowSettings settings)
    {
        var context = RandomXContext.Create(settings.LightMode ? RandomXMode.Light : RandomXMode.Fast, null, settings.Cancellation);
        return new OwnedK2Pow(context, new K2Pow(context, settings.Threads));
    }

    private static T Wrap<T>(Func<T> create)
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

    /// <summary>A local k2pow that disposes its RandomX context with it.</summary>
    private sealed class OwnedK2Pow(RandomXContext context, K2Pow pow) : IK2PowProver, IK2PowVerifier, IK2PowMeter, IDisposable
    {
        public long? HashesDone => pow.HashesDone;

        public long GroupsDone => pow.GroupsDone;

        public ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32, ReadOnlySpan<byte> minerId32,
            CancellationToken cancellationToken = default) => pow.Prove(nonceGroup, challenge8, difficulty32, minerId32, cancellationToken);

        public Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8, ReadOnlyMemory<byte> difficulty32,
            ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default) =>
            pow.ProveManyAsync(nonceGroups, challenge8, difficulty32, minerId32, cancellationToken);

        public bool Verify(ulong powValue, byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32, ReadOnlySpan<byte> minerId32) =>
            pow.Verify(powValue, nonceGroup, challenge8, difficulty32, minerId32);

        public void Dispose() => context.Dispose();
    }
}
