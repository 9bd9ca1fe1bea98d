using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prover.Core.Pow;

namespace Prover.Service.Tests;

/// <summary>
/// A k2pow-service worker as spec §5.3 describes it: <c>GET /job/{miner}/{group}/{challenge8}/{difficulty}</c> answers
/// 201 while the job runs (here: on the first request of a job) and then 200 with the pow, computed with RandomX.
/// </summary>
public sealed class TestK2PowService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ulong> _done = new();
    private int _requests;

    private TestK2PowService(WebApplication app) => _app = app;

    public Uri Address => new(_app.Urls.First());

    public int Requests => Volatile.Read(ref _requests);

    public int Jobs => _done.Count;

    public static async Task<TestK2PowService> StartAsync(RandomXContext randomx)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var service = new TestK2PowService(app);
        var pow = new K2Pow(randomx);
        app.MapGet("/job/{miner}/{group}/{challenge}/{difficulty}", (string miner, string group, string challenge, string difficulty) =>
        {
            Interlocked.Increment(ref service._requests);
            var key = $"{miner}/{group}/{challenge}/{difficulty}";
            if (service._done.TryGetValue(key, out var result))
            {
                return Results.Text(result.ToString(CultureInfo.InvariantCulture), statusCode: 200);
            }

            service._done[key] = pow.Prove(byte.Parse(group, CultureInfo.InvariantCulture), Convert.FromHexString(challenge),
                Convert.FromHexString(difficulty), Convert.FromHexString(miner));
            return Results.StatusCode(201);
        });
        await app.StartAsync();
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
