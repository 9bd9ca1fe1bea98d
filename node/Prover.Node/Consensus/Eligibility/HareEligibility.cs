using Prover.Core.Primitives;
using Prover.Node.Consensus.Wire;
using Prover.Node.Types;
using Prover.Node.Vrf;

namespace Prover.Node.Consensus.Eligibility;

/// <summary>
/// Hare committee eligibility (go-spacemesh <c>hare3/eligibility/oracle.go</c>; NODE.md §2.3): the VRF proof π of
/// <see cref="VrfMessages.Hare"/> makes an identity of weight n (out of W) eligible for a count drawn from
/// B(n, committee/W), computed with spacemeshos/fixed bit for bit (<see cref="Fixed"/>).
/// </summary>
public static class HareEligibility
{
    /// <summary>The round the block certifier uses with the same oracle (<c>math.MaxUint32 &gt;&gt; 1</c>).</summary>
    public const uint CertifyRound = uint.MaxValue >> 1;

    /// <summary>The largest n (miner weight, after committee scaling) the oracle accepts: 2^30.</summary>
    public const ulong MaxSupportedN = (int.MaxValue / 2) + 1;

    /// <summary>
    /// The absolute round a VRF message and a signature carry: <c>iteration·7 + round</c> (go-spacemesh multiplies
    /// by 7 although an iteration has 8 rounds, so (1, preround) and (0, notify) share round 7).
    /// </summary>
    public static uint AbsoluteRound(uint iteration, HareRound round) => unchecked((iteration * 7) + (uint)round);

    /// <summary>The 56-bit fraction of π the oracle compares with the CDF: low 56 bits of LE u64 π[0:8].</summary>
    /// <exception cref="ArgumentException">Fewer than 8 bytes.</exception>
    public static Fixed VrfFraction(ReadOnlySpan<byte> vrfSignature)
    {
        if (vrfSignature.Length < 8)
        {
            throw new ArgumentException("a VRF signature has at least 8 bytes", nameof(vrfSignature));
        }

        return Fixed.FractionFromBytes(vrfSignature);
    }

    /// <summary>
    /// The binomial parameters of the draw: n = minerWeight and p = committee/W, both scaled by the committee first
    /// when the committee is larger than W (u64 arithmetic wraps as in Go).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Committee below 1, W = 0, or n above <see cref="MaxSupportedN"/>.</exception>
    public static (long N, Fixed P) Parameters(ulong minerWeight, ulong totalWeight, int committee)
    {
        if (!TryParameters(minerWeight, totalWeight, committee, out var n, out var p))
        {
            throw new ArgumentOutOfRangeException(
                nameof(minerWeight), minerWeight, $"miner weight exceeds the supported maximum {MaxSupportedN}");
        }

        return (n, p);
    }

    /// <summary>
    /// <see cref="Parameters"/> that answers false (instead of throwing) when n exceeds <see cref="MaxSupportedN"/>:
    /// go-spacemesh's <c>CalcEligibility</c> then returns count 0 and its <c>Validate</c> false.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Committee below 1 or W = 0 (errors in go-spacemesh too).</exception>
    public static bool TryParameters(ulong minerWeight, ulong totalWeight, int committee, out long n, out Fixed p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(committee, 1);
        ArgumentOutOfRangeException.ThrowIfZero(totalWeight);
        var scaled = minerWeight;
        if ((ulong)committee > totalWeight)
        {
            totalWeight = unchecked(totalWeight * (ulong)committee);
            scaled = unchecked(scaled * (ulong)committee);
        }

        if (scaled > MaxSupportedN)
        {
            n = 0;
            p = Fixed.Zero;
            return false;
        }

        n = (long)scaled;
        p = Fixed.DivUInt64((ulong)committee, totalWeight);
        return true;
    }

    /// <summary>
    /// The eligibility count of π: the smallest x in [0, n) with BinCDF(n, p, x) &gt; frac(π), else n (cast to u16 as
    /// go-spacemesh does). Does not check π; see <see cref="Verify"/>.
    /// </summary>
    public static ushort CalcEligibility(ReadOnlySpan<byte> vrfSignature, ulong minerWeight, ulong totalWeight, int committee)
    {
        var (n, p) = Parameters(minerWeight, totalWeight, committee);
        var frac = VrfFraction(vrfSignature);
        for (long x = 0; x < n; x++)
        {
            if (Fixed.BinCdf(n, p, x).GreaterThan(frac))
            {
                return unchecked((ushort)x);
            }
        }

        return unchecked((ushort)n);
    }

    /// <summary>
    /// The oracle's <c>Validate</c>: <paramref name="count"/> is right for π when
    /// <c>!(BinCDF(n, p, count−1) &gt; frac) &amp;&amp; frac &lt; BinCDF(n, p, count)</c>. Does not check π.
    /// </summary>
    public static bool ValidateCount(ReadOnlySpan<byte> vrfSignature, ulong minerWeight, ulong totalWeight, int committee, ushort count)
    {
        var (n, p) = Parameters(minerWeight, totalWeight, committee);
        var frac = VrfFraction(vrfSignature);
        return !Fixed.BinCdf(n, p, count - 1L).GreaterThan(frac) && frac.LessThan(Fixed.BinCdf(n, p, count));
    }

    /// <summary>The identity's proof π for (beacon, round, layer): its VRF over <see cref="VrfMessages.Hare"/>.</summary>
    public static byte[] Prove(VrfSigner signer, Beacon beacon, uint round, LayerId layer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.Sign(VrfMessages.Hare(beacon, round, layer));
    }

    /// <summary>
    /// The eligibility count of <paramref name="nodeId"/>'s proof, or 0 when π is not its VRF proof of the hare
    /// message or n exceeds <see cref="MaxSupportedN"/> (the oracle's <c>CalcEligibility</c>, VRF check first).
    /// </summary>
    public static ushort Verify(
        NodeId nodeId,
        ReadOnlySpan<byte> proof,
        Beacon beacon,
        uint round,
        LayerId layer,
        ulong minerWeight,
        ulong totalWeight,
        int committee)
    {
        if (proof.Length != EcVrf.ProofSize || !VrfVerifier.Verify(nodeId, VrfMessages.Hare(beacon, round, layer), proof))
        {
            return 0;
        }

        return TryParameters(minerWeight, totalWeight, committee, out _, out _)
            ? CalcEligibility(proof, minerWeight, totalWeight, committee)
            : (ushort)0;
    }

    /// <summary>
    /// The oracle's <c>Validate</c> with the VRF check: true when π is <paramref name="nodeId"/>'s proof and
    /// <paramref name="count"/> is the count it gives.
    /// </summary>
    public static bool VerifyCount(
        NodeId nodeId,
        ReadOnlySpan<byte> proof,
        Beacon beacon,
        uint round,
        LayerId layer,
        ulong minerWeight,
        ulong totalWeight,
        int committee,
        ushort count) =>
        proof.Length == EcVrf.ProofSize
        && VrfVerifier.Verify(nodeId, VrfMessages.Hare(beacon, round, layer), proof)
        && TryParameters(minerWeight, totalWeight, committee, out _, out _)
        && ValidateCount(proof, minerWeight, totalWeight, committee, count);
}
