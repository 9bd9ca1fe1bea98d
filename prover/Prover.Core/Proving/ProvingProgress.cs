namespace Prover.Core.Proving;

/// <summary>Where a proof generation stands (reported through <see cref="IProgress{T}"/>).</summary>
/// <param name="Pass">0-based pass number.</param>
/// <param name="NonceStart">First nonce of the pass.</param>
/// <param name="NonceEnd">One past the last nonce of the pass.</param>
/// <param name="Stage">What the pass is doing.</param>
/// <param name="BytesScanned">Bytes of this pass scanned so far.</param>
/// <param name="TotalBytes">Bytes one pass scans.</param>
/// <param name="Position">End of the first contiguous range of scanned bytes of this pass (post-service's "position").</param>
/// <param name="Elapsed">Time spent scanning in this pass.</param>
public sealed record ProvingProgress(int Pass, uint NonceStart, uint NonceEnd, ProvingStage Stage, long BytesScanned, long TotalBytes,
    long Position, TimeSpan Elapsed)
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
