namespace Prover.Core.Proving;

/// <summary>Where a proof generation stands (reported through <see cref="IProgress{T}"/>).</summary>
/// <param name="Pass">0-based pass number.</param>
/// <param name="NonceStart">First nonce of the pass.</param>
/// <param name="NonceEnd">One past the last nonce of the pass.</param>
/// <param name="Stage">What the pass is doing.</param>
/// <param name="BytesScanned">Bytes of this pass scanned so far.</param>
/// <param name="TotalBytes">Bytes one pass scans.</param>
/// <param name="Position">End of the first contiguous range of scanned bytes of this pass (post-service's "position").</param>
/// <param name="Elapsed">Time spent scanning in this pass (in the <see cref="ProvingStage.K2Pow"/> stage: computing the k2pows).</param>
/// <param name="Pow">In the <see cref="ProvingStage.K2Pow"/> stage: how far the k2pows of the pass are (null when unknown).</param>
public sealed record ProvingProgress(int Pass, uint NonceStart, uint NonceEnd, ProvingStage Stage, long BytesScanned, long TotalBytes,
    long Position, TimeSpan Elapsed, K2PowProgress? Pow = null)
{
    /// <summary>Scan throughput of this pass in GiB/s.</summary>
    public double GiBPerSecond => Elapsed.TotalSeconds > 0 ? BytesScanned / Elapsed.TotalSeconds / (1 << 30) : 0;
}

/// <summary>Stage of a proving pass.</summary>
public enum ProvingStage
{
    /// <summary>Computing the k2pows of the pass's nonce groups.</summary>
    K2Pow,

    /// <summary>Reading and scanning the data.</summary>
    Scanning,

    /// <summary>The pass ended without a proof; the next pass takes the next nonce range.</summary>
    PassFailed,

    /// <summary>A nonce collected k2 good labels.</summary>
    Found,
}

/// <summary>The k2pow stage of a pass: pows found, hashes computed and what is still expected.</summary>
/// <param name="GroupsDone">Nonce groups of the pass whose pow was found.</param>
/// <param name="Groups">Nonce groups of the pass.</param>
/// <param name="Hashes">RandomX hashes computed in this pass (null when the prover cannot tell, e.g. a remote service).</param>
/// <param name="ExpectedHashesPerGroup">2^256 / scaled difficulty: the mean number of hashes one pow takes.</param>
public sealed record K2PowProgress(long GroupsDone, long Groups, long? Hashes, double ExpectedHashesPerGroup)
{
    /// <summary>Hashes per second over <paramref name="elapsed"/>.</summary>
    public double HashesPerSecond(TimeSpan elapsed) => elapsed.TotalSeconds > 0 && Hashes is { } hashes ? hashes / elapsed.TotalSeconds : 0;

    /// <summary>
    /// Expected time left: the search is memoryless, so each group not yet found (the current one included) still needs
    /// <see cref="ExpectedHashesPerGroup"/> hashes on average. Null while the rate is unknown.
    /// </summary>
    public TimeSpan? Remaining(TimeSpan elapsed)
    {
        double rate = HashesPerSecond(elapsed);
        if (rate <= 0)
        {
            return null;
        }

        double seconds = (Groups - GroupsDone) * ExpectedHashesPerGroup / rate;
        return seconds < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : TimeSpan.MaxValue;
    }
}
