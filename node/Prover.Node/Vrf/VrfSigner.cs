using System.Security.Cryptography;
using Prover.Core.Primitives;
using Prover.Node.Signing;

namespace Prover.Node.Vrf;

/// <summary>
/// An identity's VRF (go-spacemesh <c>signing/vrf.go</c> <c>VRFSigner</c>): the ECVRF proof π of a message under the
/// identity's ed25519 key, with no GenesisID prefix. π is the 80-byte "VRF signature" that eligibility rules read.
/// </summary>
public sealed class VrfSigner : IDisposable
{
    private readonly byte[] _seed;
    private bool _disposed;

    /// <summary>The VRF of <paramref name="signer"/>'s key.</summary>
    public VrfSigner(EdSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        _seed = signer.ExportSeed();
        NodeId = signer.NodeId;
    }

    /// <summary>The identity (the public key Y).</summary>
    public NodeId NodeId { get; }

    /// <summary>The 80-byte proof π of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EcVrf.Prove(_seed, message);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        _disposed = true;
    }
}

/// <summary>Checks VRF signatures (go-spacemesh <c>signing/vrf.go</c> <c>VRFVerifier</c>).</summary>
public static class VrfVerifier
{
    /// <summary>True when <paramref name="signature"/> is <paramref name="nodeId"/>'s ECVRF proof of <paramref name="message"/>.</summary>
    public static bool Verify(NodeId nodeId, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        EcVrf.Verify(nodeId.Span, message, signature);
}
