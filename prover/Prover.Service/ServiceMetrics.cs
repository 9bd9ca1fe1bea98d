using System.Globalization;
using System.Text;

namespace Prover.Service;

/// <summary>Counters of one identity, rendered by <see cref="MetricsText"/> in the Prometheus text format.</summary>
public sealed class IdentityMetrics
{
    private readonly object _gate = new();
    private int _lastPass = -1;
    private long _lastPassBytes;
    private long _bytesScanned;
    private long _passes;
    private double _gibPerSecond;

    public IdentityMetrics(string nodeIdHex) => NodeIdHex = nodeIdHex;

    public string NodeIdHex { get; }

    public long BytesScanned => Interlocked.Read(ref _bytesScanned);

    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Scan throughput of the latest pass.</summary>
    public double GiBPerSecond
    {
        get
        {
            lock (_gate)
            {
                return _gibPerSecond;
            }
        }
    }

    public long ProofsSent => Interlocked.Read(ref _proofsSent);

    public long ProvingErrors => Interlocked.Read(ref _provingErrors);

    public long RequestErrors => Interlocked.Read(ref _requestErrors);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Connected => Interlocked.Read(ref _connected);

    private long _proofsSent;
    private long _provingErrors;
    private long _requestErrors;
    private long _reconnects;
    private long _connected;

    /// <summary>A new proof generation starts: the next progress report begins a new pass.</summary>
    public void ProofStarted()
    {
        lock (_gate)
        {
            _lastPass = -1;
            _lastPassBytes = 0;
        }
    }

    /// <summary>Accounts a progress report (bytes are cumulative within a pass).</summary>
    public void Progress(int pass, long passBytes, TimeSpan scanTime)
    {
        lock (_gate)
        {
            if (pass != _lastPass)
            {
                _lastPass = pass;
                _lastPassBytes = 0;
                _passes++;
            }

            if (passBytes > _lastPassBytes)
            {
                _bytesScanned += passBytes - _lastPassBytes;
                _lastPassBytes = passBytes;
            }

            if (scanTime > TimeSpan.Zero)
            {
                _gibPerSecond = passBytes / scanTime.TotalSeconds / (1 << 30);
            }
        }
    }

    public void ProofSent() => Interlocked.Increment(ref _proofsSent);

    public void ProvingError() => Interlocked.Increment(ref _provingErrors);

    public void RequestError() => Interlocked.Increment(ref _requestErrors);

    public void Reconnect() => Interlocked.Increment(ref _reconnects);

    public void SetConnected(bool connected) => Interlocked.Exchange(ref _connected, connected ? 1 : 0);
}

/// <summary>Renders the metrics of every identity in the Prometheus text exposition format (version 0.0.4).</summary>
public static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(IReadOnlyList<(IdentityMetrics Metrics, ServiceState State)> identities)
    {
        var sb = new StringBuilder();
        Family(sb, "post_service_state", "gauge", "What the identity does: 0 idle, 1 proving, 2 done proving (proof not yet collected).",
            identities, x => x.State.Code);
        Family(sb, "post_service_connected", "gauge", "1 while the Register stream to the node is open.",
            identities, x => x.Metrics.Connected);
        Family(sb, "post_service_bytes_scanned_total", "counter", "PoST data bytes scanned by proof generation.",
            identities, x => x.Metrics.BytesScanned);
        Family(sb, "post_service_scan_gib_per_second", "gauge", "Scan throughput of the latest pass, GiB/s.",
            identities, x => x.Metrics.GiBPerSecond);
        Family(sb, "post_service_passes_total", "counter", "Proving passes started (one per nonce range).",
            identities, x => x.Metrics.Passes);
        Family(sb, "post_service_proofs_total", "counter", "Verified proofs sent to the node.",
            identities, x => x.Metrics.ProofsSent);
        Family(sb, "post_service_proving_errors_total", "counter", "Proof generations that failed or did not verify.",
            identities, x => x.Metrics.ProvingErrors);
        Family(sb, "post_service_request_errors_total", "counter", "Requests answered with GEN_PROOF_STATUS_ERROR.",
            identities, x => x.Metrics.RequestErrors);
        Family(sb, "post_service_reconnects_total", "counter", "Times the connection to the node was lost or could not be made.",
            identities, x => x.Metrics.Reconnects);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help,
        IReadOnlyList<(IdentityMetrics Metrics, ServiceState State)> identities, Func<(IdentityMetrics Metrics, ServiceState State), double> value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var identity in identities)
        {
            sb.Append(name).Append("{node_id=\"").Append(identity.Metrics.NodeIdHex).Append("\"} ")
                .Append(Format(value(identity))).Append('\n');
        }
    }

    private static string Format(double v) => double.IsFinite(v)
        ? v.ToString("R", CultureInfo.InvariantCulture)
        : double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}
