using NSec.Cryptography;

namespace Prover.Node.Poet;

/// <summary>
/// PoET round times (poet <c>config/round_config</c>, NODE.md §2.2): round k starts at
/// <c>genesis + PhaseShift + k·EpochDuration</c> and ends <c>EpochDuration − CycleGap</c> later; registrations go to
/// the open round, the first whose start is still ahead.
/// </summary>
public sealed record PoetRoundTiming(DateTimeOffset Genesis, TimeSpan EpochDuration, TimeSpan PhaseShift, TimeSpan CycleGap)
{
    /// <summary>Throws when the durations cannot make rounds (epoch not positive, cycle gap not inside the epoch).</summary>
    public void Validate()
    {
        if (EpochDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"PoET epoch duration must be positive, got {EpochDuration}");
        }

        if (PhaseShift < TimeSpan.Zero || CycleGap < TimeSpan.Zero || CycleGap >= EpochDuration)
        {
            throw new ArgumentException(
                $"PoET phase shift ({PhaseShift}) must be ≥ 0 and cycle gap ({CycleGap}) in [0, epoch duration {EpochDuration})");
        }
    }

    /// <summary>When round <paramref name="round"/> closes registration and starts its work.</summary>
    public DateTimeOffset RoundStart(ulong round) => Genesis + PhaseShift + EpochDuration * round;

    /// <summary>When round <paramref name="round"/>'s work ends.</summary>
    public DateTimeOffset RoundEnd(ulong round) => RoundStart(round) + EpochDuration - CycleGap;

    /// <summary>The round open for registration at <paramref name="now"/>.</summary>
    public ulong OpenRound(DateTimeOffset now)
    {
        var sinceGenesis = now - Genesis;
        if (sinceGenesis < PhaseShift)
        {
            return 0;
        }

        return (ulong)((sinceGenesis - PhaseShift).Ticks / EpochDuration.Ticks) + 1;
    }
}

/// <summary>
/// The registration signature check: <c>ed25519(pubkey, prefix ‖ challenge, signature)</c>. Upstream poet uses Go's
/// standard-library verifier (cofactorless, accepts a non-canonical A); the node-identity helper builds that exact
/// verifier, and this interface is where it plugs in.
/// </summary>
public interface IPoetSignatureCheck
{
    /// <summary>True when <paramref name="signature"/> is <paramref name="publicKey"/>'s over <paramref name="message"/>.</summary>
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}

/// <summary>
/// Stand-in registration check on NSec (libsodium): cofactorless like Go's, but stricter on non-canonical keys and
/// small-order points, so it rejects a few edge-case signatures Go accepts. Honest signatures verify the same.
/// </summary>
public sealed class NSecPoetSignatureCheck : IPoetSignatureCheck
{
    /// <inheritdoc/>
    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
        {
            return false;
        }

        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && SignatureAlgorithm.Ed25519.Verify(key!, message, signature);
    }
}

/// <summary>gRPC status codes the PoET answers with; the REST gateway maps each to an HTTP status.</summary>
public enum PoetStatus
{
    /// <summary>Bad signature, public key, PoW or PoW parameters.</summary>
    InvalidArgument = 3,

    /// <summary>No such proof (yet).</summary>
    NotFound = 5,

    /// <summary>The node already registered another challenge in this round.</summary>
    AlreadyExists = 6,

    /// <summary>The round is full.</summary>
    ResourceExhausted = 8,

    /// <summary>Too late to register: the open round ends after the caller's deadline.</summary>
    FailedPrecondition = 9,

    /// <summary>Anything else.</summary>
    Internal = 13,

    /// <summary>The certificate was rejected.</summary>
    Unauthenticated = 16,
}

/// <summary>A PoET request refused with a gRPC status and poet's message.</summary>
public sealed class PoetException(PoetStatus status, string message) : Exception(message)
{
    /// <summary>The gRPC status code.</summary>
    public PoetStatus Status { get; } = status;
}
