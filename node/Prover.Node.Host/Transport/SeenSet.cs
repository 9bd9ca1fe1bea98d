using Prover.Core.Primitives;

namespace Prover.Node.Host.Transport;

/// <summary>
/// The message ids seen lately: bounded (the oldest leave first once <c>capacity</c> is reached) and time-limited (an
/// id is forgotten <c>ttl</c> after it was added). Thread-safe.
/// </summary>
internal sealed class SeenSet(int capacity, TimeSpan ttl, TimeProvider time)
{
    private readonly Dictionary<Hash32, long> _expiry = [];
    private readonly Queue<(Hash32 Id, long Expiry)> _order = new();
    private readonly Lock _gate = new();
    private readonly long _ttlTicks = (long)(ttl.TotalSeconds * time.TimestampFrequency);

    /// <summary>The ids held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _expiry.Count;
        }
    }

    /// <summary>Adds <paramref name="id"/>; false when it is already held (seen within the window).</summary>
    public bool TryAdd(Hash32 id)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            while (_order.Count > 0 && (_order.Peek().Expiry <= now || _expiry.Count >= capacity))
            {
                var (old, expiry) = _order.Dequeue();
                if (_expiry.TryGetValue(old, out long current) && current == expiry) _expiry.Remove(old);
            }

            if (_expiry.ContainsKey(id)) return false;
            long until = now + _ttlTicks;
            _expiry[id] = until;
            _order.Enqueue((id, until));
            return true;
        }
    }
}

/// <summary>A token bucket: <c>rate</c> tokens a second up to <c>burst</c>. Not thread-safe (callers lock).</summary>
internal sealed class TokenBucket(double rate, double burst, TimeProvider time)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    /// <summary>Takes <paramref name="amount"/> tokens if there are that many.</summary>
    public bool TryTake(double amount)
    {
        long now = time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + rate * time.GetElapsedTime(_last, now).TotalSeconds);
        _last = now;
        if (_tokens < amount) return false;
        _tokens -= amount;
        return true;
    }
}
