namespace Prover.Core.Init;

/// <summary>
/// The running VRF nonce search (spec §3.3): keeps the label whose full 32-byte output is the smallest below the
/// difficulty (strict &lt;; on a tie the first index seen wins).
/// </summary>
internal sealed class VrfBest(byte[] difficulty)
{
    private readonly byte[] _difficulty = difficulty;

    public ulong? Index { get; private set; }
    public byte[]? Output { get; private set; }
    public bool Found => Index.HasValue;

    private ReadOnlySpan<byte> Bound => Output ?? _difficulty;

    public void Offer(ulong index, ReadOnlySpan<byte> output32)
    {
        var value = output32[..32];
        int c = value.SequenceCompareTo(Bound);
        if (c < 0 || (c == 0 && Output is not null && index < Index))
        {
            Index = index;
            Output = value.ToArray();
        }
    }

    public void Scan(ulong start, int count, ReadOnlySpan<byte> outputs)
    {
        for (int i = 0; i < count; i++)
        {
            var value = outputs.Slice(i * 32, 32);
            if (value.SequenceCompareTo(Bound) < 0)
            {
                Index = start + (ulong)i;
                Output = value.ToArray();
            }
        }
    }
}
