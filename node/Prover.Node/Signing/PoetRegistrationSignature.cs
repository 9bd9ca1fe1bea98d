using Prover.Node.Genesis;

namespace Prover.Node.Signing;

/// <summary>
/// The signature on a PoET registration. The node signs <c>Sign(POET, challenge)</c> and sends
/// <c>prefix = GenesisID ‖ 0x04</c> (go-spacemesh <c>activation/nipost.go</c>); the PoET checks
/// <c>ed25519.Verify(pubkey, prefix ‖ challenge, signature)</c> with Go's standard library (poet
/// <c>rpc/rpcserver.go</c>), whose edge cases differ from go-spacemesh's own rule: cofactorless, small-order and
/// non-canonical keys accepted (<see cref="Ed25519VerifyOptions.GoStdlib"/>).
/// </summary>
public static class PoetRegistrationSignature
{
    /// <summary>The <c>prefix</c> field of a Submit: GenesisID ‖ the POET domain byte.</summary>
    public static byte[] Prefix(GenesisId genesisId) => [.. genesisId.Span, (byte)SignatureDomain.Poet];

    /// <summary>The node's signature of <paramref name="challenge"/> for a Submit.</summary>
    public static byte[] Sign(EdSigner signer, ReadOnlySpan<byte> challenge)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.Sign(SignatureDomain.Poet, challenge);
    }

    /// <summary>The PoET's check of a Submit: Go stdlib ed25519 over <c>prefix ‖ challenge</c>.</summary>
    public static bool Verify(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> prefix,
        ReadOnlySpan<byte> challenge,
        ReadOnlySpan<byte> signature)
    {
        var message = new byte[prefix.Length + challenge.Length];
        prefix.CopyTo(message);
        challenge.CopyTo(message.AsSpan(prefix.Length));
        return Ed25519.Verify(publicKey, message, signature, Ed25519VerifyOptions.GoStdlib);
    }
}
