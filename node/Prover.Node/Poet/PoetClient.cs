using System.Net;
using System.Net.Http.Headers;

namespace Prover.Node.Poet;

/// <summary>A PoET REST call that failed: the HTTP status and the server's message.</summary>
public sealed class PoetClientException(HttpStatusCode status, string message)
    : Exception($"PoET answered {(int)status} {status}: {message}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The server's message (grpc-gateway's <c>message</c> field, or the body).</summary>
    public string ServerMessage { get; } = message;
}

/// <summary>
/// The node's client of a PoET's REST API (go-spacemesh <c>HTTPPoetClient</c>): <c>GET /v1/info</c>,
/// <c>GET /v1/pow_params</c>, <c>POST /v1/submit</c>, <c>GET /v1/proofs/{round}</c>, with protojson bodies. It speaks
/// to the embedded PoET and equally to a spacemeshos/poet server.
/// </summary>
public sealed class PoetClient
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    /// <summary>A client over <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the PoET's address.</summary>
    public PoetClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("the HttpClient needs the PoET's address as BaseAddress", nameof(http));
        }

        _http = http;
    }

    /// <summary><c>GET /v1/info</c>.</summary>
    public async Task<PoetInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        PoetJson.ReadInfo(await SendAsync(HttpMethod.Get, "v1/info", null, cancellationToken));

    /// <summary><c>GET /v1/pow_params</c>.</summary>
    public async Task<PoetPowParams> PowParamsAsync(CancellationToken cancellationToken = default) =>
        PoetJson.ReadPowParams(await SendAsync(HttpMethod.Get, "v1/pow_params", null, cancellationToken));

    /// <summary><c>POST /v1/submit</c>.</summary>
    /// <exception cref="PoetClientException">Refused (400 bad signature/PoW or too late, 409 conflicting registration, 429 full …).</exception>
    public async Task<PoetSubmitResult> SubmitAsync(PoetSubmitRequest request, CancellationToken cancellationToken = default) =>
        PoetJson.ReadSubmitResponse(await SendAsync(HttpMethod.Post, "v1/submit", PoetJson.WriteSubmitRequest(request), cancellationToken));

    /// <summary><c>GET /v1/proofs/{round}</c>; null while the PoET answers 404 (the round's proof is not ready).</summary>
    public async Task<PoetRoundProof?> TryGetProofAsync(string roundId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(roundId);
        try
        {
            return PoetJson.ReadProofResponse(
                await SendAsync(HttpMethod.Get, "v1/proofs/" + Uri.EscapeDataString(roundId), null, cancellationToken));
        }
        catch (PoetClientException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls <c>/v1/proofs/{round}</c> every <paramref name="retryInterval"/> until the proof is served; transport
    /// errors and 5xx answers are retried too, other refusals are thrown. Cancel to give up.
    /// </summary>
    public async Task<PoetRoundProof> WaitForProofAsync(string roundId, TimeSpan retryInterval, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                if (await TryGetProofAsync(roundId, cancellationToken) is { } proof)
                {
                    return proof;
                }
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                // The PoET may be restarting.
            }
            catch (PoetClientException e) when ((int)e.Status >= 500)
            {
                // Transient server trouble.
            }

            await Task.Delay(retryInterval, cancellationToken);
        }
    }

    private async Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new PoetClientException(response.StatusCode, PoetJson.ReadErrorMessage(bytes));
        }

        return bytes;
    }
}
