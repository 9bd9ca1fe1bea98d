namespace Prover.Core.Pow;

/// <summary>
/// The k2pow of one nonce group (spec §5): find a 56-bit <c>pow</c> such that
/// RandomX("spacemesh-randomx-cache-key", LE64(pow)[0..7] ‖ nonceGroup ‖ challenge[0..8] ‖ minerId) &lt; difficulty
/// (big-endian compare). The difficulty is already scaled by the number of units.
/// </summary>
public interface IK2PowProver
{
    /// <summary>Finds a valid pow for one nonce group. With one thread it returns the smallest valid pow.</summary>
    ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the pows of several nonce groups of one pass (a remote k2pow service runs them concurrently; a local prover
    /// runs them one after the other). Returns one pow per group, in the order given.
    /// </summary>
    Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8,
        ReadOnlyMemory<byte> difficulty32, ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default);
}

/// <summary>Checks a k2pow (spec §5.1, verifier side: the top byte of <c>pow</c> is ignored).</summary>
public interface IK2PowVerifier
{
    bool Verify(ulong pow, byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32);
}

/// <summary>Counts the work of a k2pow prover so a progress display can show hashes, a rate and an ETA.</summary>
public interface IK2PowMeter
{
    /// <summary>RandomX hashes computed so far by this prover (null when it cannot know, e.g. a remote service).</summary>
    long? HashesDone { get; }

    /// <summary>Nonce groups whose pow this prover has found so far.</summary>
    long GroupsDone { get; }
}
