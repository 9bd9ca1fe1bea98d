using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>The verdict on a PoET proof: valid, or the first rule it broke (poet <c>verifier.Validate</c>'s wording).</summary>
public readonly record struct PoswVerdict(bool IsValid, string? Error)
{
    /// <summary>A valid proof.</summary>
    public static PoswVerdict Valid => new(true, null);

    /// <summary>An invalid proof with the reason.</summary>
    public static PoswVerdict Invalid(string error) => new(false, error);
}

/// <summary>
/// The node-side check of a PoET's proof of sequential work (poet <c>verifier/verifier.go</c>, called by go-spacemesh's
/// <c>PoetDb.Validate</c>): exactly T proven leaves; the Fiat–Shamir ids of the root over the leaf count, sorted; the
/// partial tree with those ids, leaves and proof nodes hashes to the root under <c>sha256(statement ‖ L ‖ R)</c>; and
/// every proven leaf is the label of its id over the left siblings the tree had when it was appended.
/// </summary>
public static class PoswVerifier
{
    /// <summary>Checks <paramref name="proof"/> against <paramref name="statement"/> (the membership root).</summary>
    public static PoswVerdict Verify(PoetProof proof, Hash32 statement, int securityParam = PoswHash.SecurityParam)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.ProvenLeaves.Count != securityParam)
        {
            return PoswVerdict.Invalid(
                $"number of proven leaves ({proof.ProvenLeaves.Count}) must be equal to security param ({securityParam})");
        }

        var ids = PoswHash.FiatShamir(proof.Root.Span, proof.LeafCount, securityParam);
        var statementBytes = statement.ToArray();
        bool valid;
        IReadOnlyList<IReadOnlyList<byte[]?>> snapshots;
        try
        {
            valid = MerkleValidator.ValidatePartialTreeWithParkingSnapshots(
                ids,
                [.. proof.ProvenLeaves.Select(l => l.ToArray())],
                [.. proof.ProofNodes.Select(n => n.ToArray())],
                proof.Root.Span,
                PoswHash.NodeHash(statementBytes),
                out snapshots);
        }
        catch (MerkleValidationException e)
        {
            return PoswVerdict.Invalid($"error while validating merkle proof: {e.Message}");
        }

        if (!valid)
        {
            return PoswVerdict.Invalid("merkle proof not valid");
        }

        Span<byte> expected = stackalloc byte[PoswHash.NodeSize];
        for (var k = 0; k < ids.Length; k++)
        {
            PoswHash.Label(statementBytes, PoswHash.LabelData(ids[k], snapshots[k]), expected);
            if (!expected.SequenceEqual(proof.ProvenLeaves[k].Span))
            {
                return PoswVerdict.Invalid(
                    $"label at index {k} incorrect - expected: {Convert.ToHexStringLower(expected)} actual: {proof.ProvenLeaves[k]}");
            }
        }

        return PoswVerdict.Valid;
    }
}
