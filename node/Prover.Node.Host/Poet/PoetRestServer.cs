using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prover.Node.Poet;

namespace Prover.Node.Host.Poet;

/// <summary>
/// The PoET's REST API as poet's grpc-gateway serves it: <c>GET /v1/info</c>, <c>GET /v1/pow_params</c>,
/// <c>POST /v1/submit</c>, <c>GET /v1/proofs/{round_id}</c>, protojson bodies (<see cref="PoetJson"/>), and refusals
/// as <c>{code, message, details}</c> with grpc-gateway's gRPC-status → HTTP-status mapping.
/// </summary>
public static class PoetRestApi
{
    private const string Json = "application/json";

    /// <summary>Maps the four endpoints onto <paramref name="routes"/>.</summary>
    public static IEndpointRouteBuilder MapPoetApi(this IEndpointRouteBuilder routes, PoetService poet)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(poet);
        routes.MapGet("/v1/info", () => Results.Bytes(PoetJson.WriteInfo(poet.Info()), Json));
        routes.MapGet("/v1/pow_params", () => Results.Bytes(PoetJson.WritePowParams(poet.PowParams()), Json));
        routes.MapPost("/v1/submit", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            PoetSubmitRequest submit;
            try
            {
                submit = PoetJson.ReadSubmitRequest(body.ToArray());
            }
            catch (FormatException e)
            {
                return Error(PoetStatus.InvalidArgument, e.Message);
            }

            try
            {
                return Results.Bytes(PoetJson.WriteSubmitResponse(poet.Submit(submit)), Json);
            }
            catch (PoetException e)
            {
                return Error(e.Status, e.Message);
            }
        });
        routes.MapGet("/v1/proofs/{roundId}", (string roundId) =>
        {
            try
            {
                return Results.Bytes(PoetJson.WriteProofResponse(poet.GetProof(roundId)), Json);
            }
            catch (PoetException e)
            {
                return Error(e.Status, e.Message);
            }
        });
        return routes;
    }

    /// <summary>grpc-gateway's <c>HTTPStatusFromCode</c> for the statuses the PoET answers with.</summary>
    public static int HttpStatus(PoetStatus status) => status switch
    {
        PoetStatus.InvalidArgument => StatusCodes.Status400BadRequest,
        PoetStatus.FailedPrecondition => StatusCodes.Status400BadRequest,
        PoetStatus.NotFound => StatusCodes.Status404NotFound,
        PoetStatus.AlreadyExists => StatusCodes.Status409Conflict,
        PoetStatus.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        PoetStatus.Unauthenticated => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static IResult Error(PoetStatus status, string message) =>
        Results.Text(System.Text.Encoding.UTF8.GetString(PoetJson.WriteError(status, message)), Json, System.Text.Encoding.UTF8, HttpStatus(status));
}

/// <summary>The PoET REST API on its own Kestrel listener (loopback in tests and devnets; port 0 picks a free one).</summary>
public sealed class PoetRestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PoetRestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="poet"/> on <paramref name="endpoint"/>.</summary>
    public static async Task<PoetRestServer> StartAsync(
        PoetService poet, IPEndPoint endpoint, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(poet);
        ArgumentNullException.ThrowIfNull(endpoint);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.WebHost.UseKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        app.MapPoetApi(poet);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.First()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        return new PoetRestServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Stops the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
