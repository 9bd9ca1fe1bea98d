using Prover.Core.Primitives;
namespace Prover.Core.Proving;

/// <summary>
/// Everything one proving pass needs to evaluate labels (spec §4.3–4.4): the nonce range, the raw 16-byte group keys
/// (one per 16 nonces) and lazy keys (one per nonce), and the difficulty. Scanners expand the keys themselves.
/// </summary>
public sealed class ProvingPass
{
    private readonly byte[] _groupKeys;
    private readonly byte[] _lazyKeys;
    private readonly ulong[] _pows;

    /// <summary>A pass from raw keys (<paramref name="groupKeys"/>: 16 bytes per group, <paramref name="lazyKeys"/>: 16 bytes per nonce).</summary>
    public ProvingPass(uint firstNonce, int nonceCount, ulong difficulty, ReadOnlySpan<ulong> pows, ReadOnlySpan<byte> groupKeys, ReadOnlySpan<byte> lazyKeys)
    {
        ValidateRange(firstNonce, nonceCount);
        int groups = nonceCount / ProvingConstants.NoncesPerGroup;
        if (pows.Length != groups || groupKeys.Length != groups * 16 || lazyKeys.Length != nonceCount * 16)
        {
            throw new ArgumentException("A pass needs one pow and one 16-byte key per group and one 16-byte lazy key per nonce.");
        }

        FirstNonce = firstNonce;
        NonceCount = nonceCount;
        Difficulty = difficulty;
        _pows = pows.ToArray();
        _groupKeys = groupKeys.ToArray();
        _lazyKeys = lazyKeys.ToArray();
    }

    /// <summary>Derives the keys of nonces [firstNonce, firstNonce + nonceCount) from the challenge and the groups' k2pows.</summary>
    public static ProvingPass Create(in Challenge challenge, uint firstNonce, int nonceCount, ReadOnlySpan<ulong> pows, ulong difficulty)
    {
        ValidateRange(firstNonce, nonceCount);
        int groups = nonceCount / ProvingConstants.NoncesPerGroup;
        if (pows.Length != groups)
        {
            throw new ArgumentException($"Expected {groups} k2pows, got {pows.Length}.", nameof(pows));
        }

        var groupKeys = new byte[groups * 16];
        var lazyKeys = new byte[nonceCount * 16];
        uint firstGroup = firstNonce / ProvingConstants.NoncesPerGroup;
        for (int g = 0; g < groups; g++)
        {
            ProvingKeys.GroupKey(challenge, firstGroup + (uint)g, pows[g], groupKeys.AsSpan(g * 16, 16));
        }

        for (int n = 0; n < nonceCount; n++)
        {
            ProvingKeys.LazyKey(challenge, firstNonce + (uint)n, pows[n / ProvingConstants.NoncesPerGroup], lazyKeys.AsSpan(n * 16, 16));
        }

        return new ProvingPass(firstNonce, nonceCount, difficulty, pows, groupKeys, lazyKeys);
    }

    public uint FirstNonce { get; }

    public int NonceCount { get; }

    public int GroupCount => NonceCount / ProvingConstants.NoncesPerGroup;

    public uint FirstGroup => FirstNonce / ProvingConstants.NoncesPerGroup;

    public ulong Difficulty { get; }

    public byte DifficultyMsb => ProvingDifficulty.Msb(Difficulty);

    public ulong DifficultyLsb => ProvingDifficulty.Lsb(Difficulty);

    /// <summary>16 bytes per group, in group order.</summary>
    public ReadOnlySpan<byte> GroupKeys => _groupKeys;

    /// <summary>16 bytes per nonce, in nonce order.</summary>
    public ReadOnlySpan<byte> LazyKeys => _lazyKeys;

    /// <summary>The k2pow of each group of the pass.</summary>
    public ReadOnlySpan<ulong> Pows => _pows;

    /// <summary>The k2pow of the group that <paramref name="nonce"/> belongs to.</summary>
    public ulong PowOf(uint nonce) => _pows[(int)((nonce - FirstNonce) / ProvingConstants.NoncesPerGroup)];

    private static void ValidateRange(uint firstNonce, int nonceCount)
    {
        if (nonceCount <= 0 || nonceCount % ProvingConstants.NoncesPerGroup != 0 || firstNonce % ProvingConstants.NoncesPerGroup != 0)
        {
            throw new ArgumentException("Nonce ranges start at a multiple of 16 and hold a positive multiple of 16 nonces.");
        }

        if ((ulong)firstNonce + (ulong)nonceCount > ProvingConstants.MaxNonces)
        {
            throw new ArgumentException($"Nonces end at {ProvingConstants.MaxNonces} (the nonce group is one byte of the k2pow input).");
        }
    }
}

/// <summary>Receives good (nonce, label index) pairs in scan order. Implementations used by several threads must be thread-safe.</summary>
public interface ILabelHitSink
{
    /// <summary>Records a good label for a nonce; returns true to stop the scan (a nonce reached k2).</summary>
    bool OnGoodLabel(uint nonce, ulong index);
}

/// <summary>
/// Evaluates labels for one pass (the hot loop, implemented in Prover.Kernels). <see cref="Scan"/> may be called from
/// several threads at once on different data.
/// </summary>
public interface IProvingScanner
{
    /// <summary>
    /// Scans whole 128-byte chunks of <paramref name="labels"/> (a trailing partial chunk is skipped, like post-rs)
    /// whose first label has global index <paramref name="firstLabelIndex"/>. Good labels are reported in the order
    /// post-rs finds them: chunk by chunk, nonce group ascending, label then nonce within the chunk. Returns true when
    /// the sink asked to stop.
    /// </summary>
    bool Scan(ReadOnlySpan<byte> labels, ulong firstLabelIndex, ILabelHitSink sink);
}

/// <summary>Creates scanners for passes; the CLI supplies the Kernels implementation.</summary>
public interface IProvingScannerFactory
{
    /// <summary>Human-readable description (e.g. the AES implementation).</summary>
    string Name { get; }

    IProvingScanner Create(ProvingPass pass);
}
