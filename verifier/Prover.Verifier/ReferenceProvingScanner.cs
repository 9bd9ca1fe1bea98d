using System.Buffers.Binary;
using Prover.Core.Proving;

namespace Prover.Verifier;

/// <summary>
/// The 8/56 label evaluation written as plainly as spec §4.4 states it, on the FIPS-197 reference AES. It is the oracle
/// the fast scanners of Prover.Kernels are compared with (same hits, same order) and is far too slow for real data.
/// </summary>
public sealed class ReferenceProvingScanner : IProvingScanner
{
    private readonly ProvingPass _pass;
    private readonly byte[][] _groupRoundKeys;
    private readonly byte[][] _lazyRoundKeys;

    public ReferenceProvingScanner(ProvingPass pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        _pass = pass;
        _groupRoundKeys = Expand(pass.GroupKeys, pass.GroupCount);
        _lazyRoundKeys = Expand(pass.LazyKeys, pass.NonceCount);
    }

    public bool Scan(ReadOnlySpan<byte> labels, ulong firstLabelIndex, ILabelHitSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        byte msb = _pass.DifficultyMsb;
        ulong lsb = _pass.DifficultyLsb;
        Span<byte> output = stackalloc byte[ProvingConstants.ChunkSize];
        Span<byte> lazy = stackalloc byte[16];
        int chunks = labels.Length / ProvingConstants.ChunkSize;
        for (int c = 0; c < chunks; c++)
        {
            ReadOnlySpan<byte> chunk = labels.Slice(c * ProvingConstants.ChunkSize, ProvingConstants.ChunkSize);
            ulong baseIndex = firstLabelIndex + ((ulong)c * 8);
            for (int g = 0; g < _pass.GroupCount; g++)
            {
                Aes128.EncryptEcb(_groupRoundKeys[g], chunk, output);
                for (int offset = 0; offset < ProvingConstants.ChunkSize; offset++)
                {
                    int nonceInPass = (g * ProvingConstants.NoncesPerGroup) + (offset % 16);
                    uint nonce = _pass.FirstNonce + (uint)nonceInPass;
                    ulong index = baseIndex + (ulong)(offset / 16);
                    bool good = output[offset] < msb;
                    if (output[offset] == msb)
                    {
                        Aes128.EncryptBlock(_lazyRoundKeys[nonceInPass], chunk.Slice(16 * (offset / 16), 16), lazy);
                        good = (BinaryPrimitives.ReadUInt64LittleEndian(lazy) & ProvingDifficulty.LsbMask) < lsb;
                    }

                    if (good && sink.OnGoodLabel(nonce, index))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static byte[][] Expand(ReadOnlySpan<byte> keys, int count)
    {
        var expanded = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            expanded[i] = new byte[Aes128.ExpandedKeySize];
            Aes128.ExpandKey(keys.Slice(i * 16, 16), expanded[i]);
        }

        return expanded;
    }
}

/// <summary>Creates <see cref="ReferenceProvingScanner"/>s.</summary>
public sealed class ReferenceProvingScannerFactory : IProvingScannerFactory
{
    public string Name => "8/56 reference scan (FIPS-197 software AES)";

    public IProvingScanner Create(ProvingPass pass) => new ReferenceProvingScanner(pass);
}
