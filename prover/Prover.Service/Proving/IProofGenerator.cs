using Prover.Core.Primitives;

namespace Prover.Service.Proving;

/// <summary>A proof as the service sends it (spec §4.8): nonce, compressed indices, k2pow of the nonce's group.</summary>
public sealed record GeneratedProof(uint Nonce, byte[] Indices, ulong Pow);

/// <summary>Where a running proof generation stands.</summary>
/// <param name="Pass">0-based pass number.</param>
/// <param name="NonceStart">First nonce of the pass.</param>
/// <param name="NonceEnd">One past the last nonce of the pass.</param>
/// <param name="BytesScanned">Bytes of this pass scanned so far.</param>
/// <param name="Position">End of the first contiguous range of scanned bytes of this pass (post-service's "position").</param>
/// <param name="ScanTime">Time spent scanning in this pass.</param>
public sealed record ProverProgress(int Pass, uint NonceStart, uint NonceEnd, long BytesScanned, long Position, TimeSpan ScanTime);

/// <summary>Generates the proof of one identity's PoST data for a challenge.</summary>
public interface IProofGenerator
{
    /// <summary>Runs until a proof is found; throws on failure or when <paramref name="cancellationToken"/> fires.</summary>
    Task<GeneratedProof> GenerateAsync(Challenge challenge, IProgress<ProverProgress> progress, CancellationToken cancellationToken);
}

/// <summary>Checks a proof before it is sent to the node (post-service verifies its own proofs, spec §8.3).</summary>
public interface IProofSelfCheck
{
    /// <summary>Returns null when <paramref name="proof"/> is valid for <paramref name="challenge"/>, else why not.</summary>
    string? Check(GeneratedProof proof, Challenge challenge);
}

/// <summary>Makes the generator and the checker of each identity (one shared RandomX context behind them).</summary>
public interface IIdentityProverFactory : IDisposable
{
    IProofGenerator CreateGenerator(PostIdentity identity);

    IProofSelfCheck CreateSelfCheck(PostIdentity identity);
}
