using Prover.Node.Poet;

namespace Prover.Node.Activation;

/// <summary>
/// What the builder needs from one PoET: register a challenge, fetch a round's proof. <see cref="PoetClientRegistrar"/>
/// goes over the REST API; <see cref="InProcessPoetRegistrar"/> calls an in-process <see cref="PoetService"/>.
/// </summary>
public interface IPoetRegistrar
{
    /// <summary>The PoET's PoW parameters for the next registration.</summary>
    Task<PoetPowParams> PowParamsAsync(CancellationToken ct);

    /// <summary>Registers a challenge; returns the round it landed in.</summary>
    Task<PoetSubmitResult> SubmitAsync(PoetSubmitRequest request, CancellationToken ct);

    /// <summary>The round's proof, or <see langword="null"/> while it is not ready.</summary>
    Task<PoetRoundProof?> TryGetProofAsync(string roundId, CancellationToken ct);
}

/// <summary>A PoET reached through its REST API (<see cref="PoetClient"/>).</summary>
public sealed class PoetClientRegistrar(PoetClient client) : IPoetRegistrar
{
    /// <inheritdoc />
    public Task<PoetPowParams> PowParamsAsync(CancellationToken ct) => client.PowParamsAsync(ct);

    /// <inheritdoc />
    public Task<PoetSubmitResult> SubmitAsync(PoetSubmitRequest request, CancellationToken ct) => client.SubmitAsync(request, ct);

    /// <inheritdoc />
    public async Task<PoetRoundProof?> TryGetProofAsync(string roundId, CancellationToken ct)
    {
        try
        {
            return await client.TryGetProofAsync(roundId, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (!ct.IsCancellationRequested)
        {
            return null; // the PoET may be restarting
        }
    }
}

/// <summary>A PoET service running in this process.</summary>
public sealed class InProcessPoetRegistrar(PoetService service) : IPoetRegistrar
{
    /// <inheritdoc />
    public Task<PoetPowParams> PowParamsAsync(CancellationToken ct) => Task.FromResult(service.PowParams());

    /// <inheritdoc />
    public Task<PoetSubmitResult> SubmitAsync(PoetSubmitRequest request, CancellationToken ct) =>
        Task.FromResult(service.Submit(request));

    /// <inheritdoc />
    public Task<PoetRoundProof?> TryGetProofAsync(string roundId, CancellationToken ct)
    {
        try
        {
            return Task.FromResult<PoetRoundProof?>(service.GetProof(roundId));
        }
        catch (PoetException e) when (e.Status == PoetStatus.NotFound)
        {
            return Task.FromResult<PoetRoundProof?>(null);
        }
    }
}
