using Prover.Core.Crypto;
using Prover.Core.Primitives;
using Prover.Node.Codec;

namespace Prover.Node.Atx;

/// <summary>
/// The PoET challenge of a NIPoST challenge (V1 or V2), which is what the node registers at the PoET (the membership
/// leaf): <c>blake3(0x00 ‖ scale(challenge))</c>.
/// </summary>
internal static class PoetChallengeHash
{
    /// <summary><c>blake3(0x00 ‖ scale(<paramref name="challenge"/>))</c>.</summary>
    public static Hash32 Of<T>(T challenge)
        where T : IScaleEncodable
    {
        var writer = new ScaleWriter(stackalloc byte[512]);
        try
        {
            writer.WriteByte(0x00);
            challenge.Encode(ref writer);
            Span<byte> hash = stackalloc byte[32];
            Blake3.Hash(writer.WrittenSpan, hash);
            return new Hash32(hash);
        }
        finally
        {
            writer.Dispose();
        }
    }
}
