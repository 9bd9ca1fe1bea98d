namespace Prover.Core.Proving;

/// <summary>
/// Collects good labels per nonce for one pass (post-rs <c>generate_proof</c>'s consume closure, spec §4.4): the first
/// nonce to collect k2 indices wins and every later hit is ignored. Thread-safe.
/// </summary>
public sealed class K2Collector : ILabelHitSink
{
    private readonly Lock _lock = new();
    private readonly int _k2;
    private readonly uint _firstNonce;
    private readonly List<ulong>?[] _indices;
    private (uint Nonce, ulong[] Indices)? _winner;

    public K2Collector(uint firstNonce, int nonceCount, int k2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nonceCount);
        _k2 = k2;
        _firstNonce = firstNonce;
        _indices = new List<ulong>?[nonceCount];
    }

    /// <summary>The winning nonce and its k2 indices, once one nonce has them.</summary>
    public (uint Nonce, ulong[] Indices)? Winner
    {
        get
        {
            lock (_lock)
            {
                return _winner;
            }
        }
    }

    /// <summary>Number of good labels recorded so far (all nonces).</summary>
    public long GoodLabels { get; private set; }

    public bool OnGoodLabel(uint nonce, ulong index)
    {
        lock (_lock)
        {
            if (_winner is not null)
            {
                return true;
            }

            uint slot = nonce - _firstNonce;
            if (slot >= (uint)_indices.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(nonce), nonce, "The nonce is outside this pass.");
            }

            var list = _indices[slot] ??= new List<ulong>(_k2);
            list.Add(index);
            GoodLabels++;
            if (list.Count >= _k2)
            {
                _winner = (nonce, list.ToArray());
                return true;
            }

            return false;
        }
    }
}
