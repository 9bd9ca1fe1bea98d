using System.Globalization;
using System.Net;

namespace Prover.Core.Pow;

/// <summary>Settings of <see cref="RemoteK2Pow"/> (post-service <c>--remote-k2pow-parallelism</c>/<c>-backoff</c>).</summary>
public sealed record RemoteK2PowOptions
{
    /// <summary>How many nonce-group jobs may be outstanding at once (default 5).</summary>
    public int Parallelism { get; init; } = 5;

    /// <summary>Wait between polls of a job that is in progress (201), refused because the worker is busy (429), or
    /// failed at the transport level (default 5 s).</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Transport failures in a row (connection refused, timeout: no HTTP answer at all) after which a job fails with
    /// <see cref="RemoteK2PowException"/>; null = retry forever (post-service). Any HTTP answer resets the count;
    /// 201/429 are not failures.
    /// </summary>
    public int? MaxRetries { get; init; }

    /// <summary>Told about each transport failure before the wait that precedes its retry (for a log line).</summary>
    public Action<RemoteK2PowRetry>? OnRetry { get; init; }
}

/// <summary>A transport failure of a k2pow job that will be retried.</summary>
/// <param name="Job">The job URL.</param>
/// <param name="Attempt">1 for the first failed request of the job (in a row).</param>
/// <param name="MaxRetries">The retry limit (null: none).</param>
/// <param name="Delay">Wait before the next request.</param>
/// <param name="Reason">What failed.</param>
public sealed record RemoteK2PowRetry(Uri Job, int Attempt, int? MaxRetries, TimeSpan Delay, string Reason);

/// <summary>An error reported by, or an unexpected answer from, a k2pow service.</summary>
public sealed class RemoteK2PowException : Exception
{
    public RemoteK2PowException()
    {
    }

    public RemoteK2PowException(string message)
        : base(message)
    {
    }

    public RemoteK2PowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RemoteK2PowException(string message, HttpStatusCode statusCode, string body)
        : base(message)
    {
        StatusCode = statusCode;
        Body = body;
    }

    /// <summary>The HTTP status of the answer that caused the error, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The body of that answer.</summary>
    public string? Body { get; }
}

/// <summary>
/// k2pow delegated to a k2pow-service over HTTP (spec §5.2):
/// <c>GET {base}/job/{hex(minerId)}/{nonceGroup}/{hex(challenge8)}/{hex(difficulty)}</c>;
/// 200 → decimal pow, 201/429 → wait and poll again, 500 → the body is the error, other → "unknown status code
/// returned", transport error → wait and retry. Jobs of one pass run concurrently, limited by
/// <see cref="RemoteK2PowOptions.Parallelism"/>.
/// </summary>
public sealed class RemoteK2Pow : IK2PowProver, IK2PowMeter, IDisposable
{
    private readonly string _base;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SemaphoreSlim _slots;
    private long _groups;

    public RemoteK2Pow(Uri baseAddress, RemoteK2PowOptions? options = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"the k2pow service address must be an absolute http(s) URL (got '{baseAddress}')",
                nameof(baseAddress));
        }

        Options = options ?? new RemoteK2PowOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Parallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Backoff, TimeSpan.Zero, nameof(options));
        if (Options.MaxRetries is { } retries)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(retries, nameof(options));
        }

        _base = baseAddress.OriginalString.TrimEnd('/');
        _http = httpClient ?? new HttpClient();
        _ownsHttp = httpClient is null;
        _slots = new SemaphoreSlim(Options.Parallelism, Options.Parallelism);
    }

    public RemoteK2PowOptions Options { get; }

    /// <summary>The service computes the hashes and does not say how many: null.</summary>
    public long? HashesDone => null;

    /// <inheritdoc/>
    public long GroupsDone => Interlocked.Read(ref _groups);

    /// <summary>The job path of spec §5.2 (lower-case hex, decimal nonce group), starting with <c>/job/</c>.</summary>
    public static string JobPath(ReadOnlySpan<byte> minerId32, byte nonceGroup, ReadOnlySpan<byte> challenge8,
        ReadOnlySpan<byte> difficulty32)
    {
        CheckLength(minerId32, 32, nameof(minerId32));
        CheckLength(challenge8, 8, nameof(challenge8));
        CheckLength(difficulty32, 32, nameof(difficulty32));
        return string.Create(CultureInfo.InvariantCulture,
            $"/job/{Convert.ToHexStringLower(minerId32)}/{nonceGroup}/{Convert.ToHexStringLower(challenge8)}/{Convert.ToHexStringLower(difficulty32)}");
    }

    /// <summary>The full job URL for this service.</summary>
    public Uri JobUri(ReadOnlySpan<byte> minerId32, byte nonceGroup, ReadOnlySpan<byte> challenge8,
        ReadOnlySpan<byte> difficulty32) =>
        new(_base + JobPath(minerId32, nonceGroup, challenge8, difficulty32));

    /// <inheritdoc/>
    public ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32, CancellationToken cancellationToken = default)
    {
        var uri = JobUri(minerId32, nonceGroup, challenge8, difficulty32);
        return RunLimitedAsync(uri, cancellationToken).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public async Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8,
        ReadOnlyMemory<byte> difficulty32, ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nonceGroups);
        var uris = new Uri[nonceGroups.Count];
        for (var i = 0; i < uris.Length; i++)
        {
            uris[i] = JobUri(minerId32.Span, nonceGroups[i], challenge8.Span, difficulty32.Span);
        }

        // The first failure ends the pass: the other jobs are cancelled instead of being polled forever.
        using var pass = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = new Task<ulong>[uris.Length];
        for (var i = 0; i < jobs.Length; i++)
        {
            jobs[i] = RunAndCancelPassOnFailureAsync(uris[i], pass);
        }

        // Task.WhenAll reports the faulted jobs (the real error) rather than the siblings cancelled because of it.
        return await Task.WhenAll(jobs).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _slots.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<ulong> RunAndCancelPassOnFailureAsync(Uri uri, CancellationTokenSource pass)
    {
        try
        {
            return await RunLimitedAsync(uri, pass.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await pass.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ulong> RunLimitedAsync(Uri uri, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PollAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<ulong> PollAsync(Uri uri, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            HttpStatusCode status;
            string body;
            string? transportError;
            try
            {
                using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                transportError = null;
            }
            catch (HttpRequestException e)
            {
                (status, body, transportError) = (default, string.Empty, e.Message);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // HttpClient.Timeout elapsed: a transport problem like any other.
                (status, body, transportError) = (default, string.Empty, "no answer before the HTTP timeout");
            }

            if (transportError is not null)
            {
                failures++;
                if (failures > Options.MaxRetries)
                {
                    throw new RemoteK2PowException(string.Create(CultureInfo.InvariantCulture,
                        $"k2pow service {_base} unreachable: {transportError} ({failures} attempts, giving up after {Options.MaxRetries} retries)"));
                }

                Options.OnRetry?.Invoke(new RemoteK2PowRetry(uri, failures, Options.MaxRetries, Options.Backoff, transportError));
                await Task.Delay(Options.Backoff, cancellationToken).ConfigureAwait(false);
                continue;
            }

            failures = 0;
            switch (status)
            {
                case HttpStatusCode.OK:
                    if (!ulong.TryParse(body.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pow))
                    {
                        throw new RemoteK2PowException($"k2pow service returned an invalid pow '{body}' for {uri}",
                            status, body);
                    }

                    Interlocked.Increment(ref _groups);
                    return pow;
                case HttpStatusCode.Created:
                case HttpStatusCode.TooManyRequests:
                    await Task.Delay(Options.Backoff, cancellationToken).ConfigureAwait(false);
                    break;
                case HttpStatusCode.InternalServerError:
                    throw new RemoteK2PowException($"k2pow service failed for {uri}: {body}", status, body);
                default:
                    throw new RemoteK2PowException(
                        $"unknown status code returned: {(int)status} ({status}) for {uri}", status, body);
            }
        }
    }

    private static void CheckLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes (got {value.Length})", name);
        }
    }
}
