using Prover.Core.Primitives;
using Prover.Service.Proving;

namespace Prover.Service.Tests;

/// <summary>
/// A controllable stand-in for the prover, used only by the state-machine tests (the integration tests use the real
/// prover and verifier): the proof is released by the test, may be made to fail, and the check accepts exactly the
/// proof it produced for the challenge it was produced for.
/// </summary>
public sealed class ScriptedProofs : IIdentityProverFactory, IProofGenerator, IProofSelfCheck
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Challenge? _challenge;
    private int _started;

    public GeneratedProof Proof { get; init; } = new(7, Enumerable.Repeat((byte)0xaa, 9).ToArray(), 1234);

    public Exception? Failure { get; set; }

    public bool RejectAll { get; set; }

    public int Started => Volatile.Read(ref _started);

    public void Release() => _gate.TrySetResult();

    public async Task<GeneratedProof> GenerateAsync(Challenge challenge, IProgress<ProverProgress> progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        _challenge = challenge;
        progress.Report(new ProverProgress(0, 0, 128, 4096, 1024, TimeSpan.FromMilliseconds(10)));
        await _gate.Task.WaitAsync(cancellationToken);
        progress.Report(new ProverProgress(1, 128, 256, 8192, 8192, TimeSpan.FromMilliseconds(20)));
        if (Failure is { } failure)
        {
            throw failure;
        }

        return Proof;
    }

    public string? Check(GeneratedProof proof, Challenge challenge) =>
        RejectAll ? "rejected by the test"
        : proof != Proof ? "not the proof that was generated"
        : _challenge != challenge ? "challenge differs from the one proven"
        : null;

    public IProofGenerator CreateGenerator(PostIdentity identity) => this;

    public IProofSelfCheck CreateSelfCheck(PostIdentity identity) => this;

    public void Dispose()
    {
    }
}
