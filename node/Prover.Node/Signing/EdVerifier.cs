using System.Buffers;
using Prover.Core.Primitives;
using Prover.Node.Genesis;

namespace Prover.Node.Signing;

/// <summary>
/// Verifies go-spacemesh signatures of one network: <c>ed25519(GenesisID ‖ domain ‖ message)</c> under
/// curve25519-voi's default rule unless other <see cref="Ed25519VerifyOptions"/> are given
/// (<c>signing/verifier.go</c>).
/// </summary>
/// <param name="prefix">The network's GenesisID.</param>
/// <param name="options">The edge-case rule; null for <see cref="Ed25519VerifyOptions.Default"/>.</param>
public sealed class EdVerifier(GenesisId prefix, Ed25519VerifyOptions? options = null)
{
    /// <summary>The GenesisID that prefixes every message.</summary>
    public GenesisId Prefix { get; } = prefix;

    /// <summary>The edge-case rule.</summary>
    public Ed25519VerifyOptions Options { get; } = options ?? Ed25519VerifyOptions.Default;

    /// <summary>True when <paramref name="signature"/> is <paramref name="nodeId"/>'s signature of the message in the domain.</summary>
    public bool Verify(SignatureDomain domain, NodeId nodeId, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var length = GenesisId.Length + 1 + message.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var signed = rented.AsSpan(0, length);
            EdSigner.WriteSignedBytes(Prefix, domain, message, signed);
            return Ed25519.Verify(nodeId.Span, signed, signature, Options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
