using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Prover.Contracts.Spacemesh.V1;
using Prover.Core.Primitives;
using Prover.Service.Proving;

namespace Prover.Service;

/// <summary>
/// The GenProofRequest state machine of one identity (spec §8.3, post-service <c>service.rs</c>):
/// <list type="bullet">
/// <item>idle: a 32-byte challenge starts proving in the background → OK (no proof); any other length → ERROR;</item>
/// <item>proving: the same challenge → OK (no proof); a different challenge → ERROR, the running proof is untouched;</item>
/// <item>done: the proof is verified with our own verifier for the request's challenge, the machine goes back to idle,
/// and the answer is OK with proof and metadata, or ERROR when proving failed or the proof does not verify.</item>
/// </list>
/// The state outlives connections: a proof started before a reconnection is delivered after it.
/// </summary>
public sealed class ProofStateMachine : IDisposable
{
    public const int ChallengeSize = 32;

    private readonly PostIdentity _identity;
    private readonly IProofGenerator _generator;
    private readonly IProofSelfCheck _selfCheck;
    private readonly IdentityMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;
    private readonly object _gate = new();
    private Job? _job;

    public ProofStateMachine(PostIdentity identity, IProofGenerator generator, IProofSelfCheck selfCheck, IdentityMetrics metrics,
        ILogger logger, CancellationToken shutdown)
    {
        _identity = identity;
        _generator = generator;
        _selfCheck = selfCheck;
        _metrics = metrics;
        _logger = logger;
        _shutdown = shutdown;
    }

    /// <summary>The state for the operator API.</summary>
    public ServiceState State
    {
        get
        {
            var job = Volatile.Read(ref _job);
            if (job is null)
            {
                return ServiceState.Idle;
            }

            if (job.Task.IsCompleted)
            {
                return ServiceState.DoneProving;
            }

            var p = job.Progress;
            return p is null
                ? new ServiceState.Proving(0, 0, 0)
                : new ServiceState.Proving(p.NonceStart, p.NonceEnd, (ulong)Math.Max(0, p.Position));
        }
    }

    /// <summary>Answers one GenProofRequest.</summary>
    public GenProofResponse Handle(ByteString challenge)
    {
        Job? finished = null;
        lock (_gate)
        {
            if (_job is { } job)
            {
                if (!job.Task.IsCompleted)
                {
                    if (challenge.Span.SequenceEqual(job.Challenge.Span))
                    {
                        return Ok();
                    }

                    return Refuse(
                        $"a proof for challenge {Hex(job.Challenge.Span)} is in progress; challenge {Hex(challenge.Span)} must wait");
                }

                // Done: take the result; whatever it is, the machine is idle again.
                finished = job;
                _job = null;
            }
            else
            {
                if (challenge.Length != ChallengeSize)
                {
                    return Refuse($"the challenge must be {ChallengeSize} bytes, got {challenge.Length}");
                }

                Start(new Challenge(challenge.Span));
                return Ok();
            }
        }

        return Finish(finished, challenge);
    }

    /// <summary>Cancels a running proof (service shutdown).</summary>
    public void Dispose()
    {
        Job? job;
        lock (_gate)
        {
            job = _job;
            _job = null;
        }

        if (job is not null)
        {
            job.Cancel.Cancel();
            job.Task.ContinueWith(_ => job.Cancel.Dispose(), TaskScheduler.Default);
        }
    }

    private void Start(Challenge challenge)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        var job = new Job(challenge, cancel);
        var progress = new InlineProgress(p =>
        {
            var previous = job.Progress;
            job.Progress = p;
            _metrics.Progress(p.Pass, p.BytesScanned, p.ScanTime);
            if (previous is null || previous.Pass != p.Pass)
            {
                _logger.Pass(_identity.ShortId, p.Pass, p.NonceStart, p.NonceEnd);
            }
        });
        _metrics.ProofStarted();
        _logger.ProvingStarted(_identity.ShortId, challenge.ToString());
        // The generator may do heavy synchronous work before its first await: never run it on the caller's thread.
        job.Task = Task.Run(() => _generator.GenerateAsync(challenge, progress, cancel.Token), cancel.Token);
        _job = job;
    }

    private GenProofResponse Finish(Job job, ByteString requested)
    {
        job.Cancel.Dispose();
        GeneratedProof proof;
        try
        {
            proof = job.Task.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // any failure of the prover becomes GEN_PROOF_STATUS_ERROR, as in post-service
        catch (Exception e)
#pragma warning restore CA1031
        {
            _metrics.ProvingError();
            _metrics.RequestError();
            _logger.ProvingFailed(_identity.ShortId, ServeFlagNames.Describe(e), e is OperationCanceledException ? null : e);
            return Error();
        }

        string? problem = requested.Length != ChallengeSize
            ? $"the challenge must be {ChallengeSize} bytes, got {requested.Length}"
            : _selfCheck.Check(proof, new Challenge(requested.Span));
        if (problem is not null)
        {
            _metrics.ProvingError();
            _metrics.RequestError();
            _logger.SelfCheckFailed(_identity.ShortId, problem);
            return Error();
        }

        _metrics.ProofSent();
        _logger.ProofSent(_identity.ShortId, proof.Nonce, proof.Pow, job.Elapsed);
        return new GenProofResponse
        {
            Status = GenProofStatus.Ok,
            Proof = new Contracts.Spacemesh.V1.Proof
            {
                Nonce = proof.Nonce,
                Indices = ByteString.CopyFrom(proof.Indices),
                Pow = proof.Pow,
            },
            Metadata = new ProofMetadata
            {
                Challenge = requested,
                Meta = _identity.ProtoMetadata.Clone(),
            },
        };
    }

    private GenProofResponse Refuse(string reason)
    {
        _metrics.RequestError();
        _logger.Refused(_identity.ShortId, reason);
        return Error();
    }

    private static GenProofResponse Ok() => new() { Status = GenProofStatus.Ok };

    internal static GenProofResponse Error() => new() { Status = GenProofStatus.Error };

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 40 ? Convert.ToHexStringLower(bytes) : Convert.ToHexStringLower(bytes[..40]) + "…";

    private sealed class Job(Challenge challenge, CancellationTokenSource cancel)
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        public Challenge Challenge { get; } = challenge;

        public CancellationTokenSource Cancel { get; } = cancel;

        public Task<GeneratedProof> Task { get; set; } = null!;

        public volatile ProverProgress? Progress;

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);
    }

    /// <summary>Reports synchronously on the reporting thread (no SynchronizationContext hop).</summary>
    private sealed class InlineProgress(Action<ProverProgress> report) : IProgress<ProverProgress>
    {
        public void Report(ProverProgress value) => report(value);
    }
}
