using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prover.Core.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 (System.Net.HttpListener) for the remote k2pow client tests. Each request is
/// answered by <c>handler</c>; every request path and answered status is recorded.
/// </summary>
public sealed class PowTestHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<string, (int Status, string Body)> _handler;
    private readonly Task _loop;

    public PowTestHttpServer(Func<string, (int Status, string Body)> handler, int port = 0)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            Port = port != 0 ? port : FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (port == 0 && attempt < 5)
            {
                _listener.Close(); // the port was taken between probing and binding: try another
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public ConcurrentQueue<string> Paths { get; } = new();

    public ConcurrentQueue<int> Statuses { get; } = new();

    /// <summary>A TCP port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port below the kernel's ephemeral range, for a test that dials a port before anything listens on it:
    /// ports from the ephemeral range can be handed to other sockets as their local port meanwhile (or, rarely, let
    /// a connect to a port with no listener connect to itself), which ports outside the range never are.
    /// </summary>
    public static int PortOutsideEphemeralRange()
    {
        int low = 32768;
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            low = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // not Linux: keep the common default
        }

        for (int attempt = 0; attempt < 100; attempt++)
        {
            int port = Random.Shared.Next(Math.Max(1025, low - 12000), low);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        return FreePort();
    }

    public void Dispose()
    {
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // The managed Linux HttpListener looks its endpoint up again while closing and may try to bind the port
            // anew; when another process has taken the port meanwhile that fails, with nothing left to clean up.
        }

        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the accept loop ends with an exception when the listener is closed
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        Paths.Enqueue(path);
        int status;
        string body;
        try
        {
            (status, body) = _handler(path);
        }
        catch (Exception e)
        {
            (status, body) = (599, e.Message);
        }

        Statuses.Enqueue(status);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }
}

/// <summary>
/// The job semantics of k2pow-service (spec §5.3) in front of a job function: one job at a time; the first request of a
/// job starts it and answers 201; the same job while running → 201; another job while busy → 429 (empty body); a
/// finished job → 200 with the decimal pow (kept for the server's lifetime) or 500 with the error text.
/// </summary>
public sealed class K2PowServiceSemantics
{
    private readonly Func<byte[], byte, byte[], byte[], ulong> _job;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (bool Ok, string Text)> _results = [];
    private string? _running;

    /// <param name="job">(miner, group, challenge8, difficulty) → pow; an exception becomes a 500.</param>
    public K2PowServiceSemantics(Func<byte[], byte, byte[], byte[], ulong> job) => _job = job;

    public (int Status, string Body) Handle(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5 || parts[0] != "job" || !byte.TryParse(parts[2], out var group))
        {
            return (400, "bad path");
        }

        byte[] miner, challenge, difficulty;
        try
        {
            (miner, challenge, difficulty) = (Convert.FromHexString(parts[1]), Convert.FromHexString(parts[3]),
                Convert.FromHexString(parts[4]));
        }
        catch (FormatException)
        {
            return (400, "bad hex");
        }

        if (miner.Length != 32 || challenge.Length != 8 || difficulty.Length != 32)
        {
            return (400, "bad length");
        }

        var key = path;
        lock (_gate)
        {
            if (_results.TryGetValue(key, out var result))
            {
                return result.Ok ? (200, result.Text) : (500, result.Text);
            }

            if (_running is not null)
            {
                return _running == key ? (201, string.Empty) : (429, string.Empty);
            }

            _running = key;
        }

        _ = Task.Run(() =>
        {
            (bool, string) outcome;
            try
            {
                outcome = (true, _job(miner, group, challenge, difficulty).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e)
            {
                outcome = (false, e.Message);
            }

            lock (_gate)
            {
                _results[key] = outcome;
                _running = null;
            }
        });
        return (201, string.Empty);
    }
}
