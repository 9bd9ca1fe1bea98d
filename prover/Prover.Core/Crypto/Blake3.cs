extern alias Blake3Package;

using Package = Blake3Package::Blake3;

namespace Prover.Core.Crypto;

/// <summary>
/// BLAKE3 (unkeyed hash mode) with an extendable output of any length, for the fast paths: PoST commitments, the
/// proving AES keys and the node's hashing. A thin wrapper over the Blake3 package (managed SIMD, BSD-2-Clause); the
/// verifier keeps its own scalar BLAKE3 (<c>Prover.Verifier.Blake3Reference</c>) as the oracle, and
/// <c>Blake3PackageTests</c> holds the two equal on the official vectors and random inputs.
/// </summary>
public static class Blake3
{
    /// <summary>Hashes <paramref name="input"/> and writes <paramref name="output"/>.Length bytes (32 for the default hash).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // Not `using var`: the package's Hasher is a mutable struct, and a using variable is read-only.
        var hasher = Package.Hasher.New();
        try
        {
            hasher.Update(input);
            hasher.Finalize(output);
        }
        finally
        {
            hasher.Dispose();
        }
    }

    /// <summary>Returns the default 32-byte hash of the concatenation of <paramref name="parts"/>.</summary>
    public static byte[] HashParts(params ReadOnlySpan<byte[]> parts)
    {
        var output = new byte[32];
        var hasher = Package.Hasher.New();
        try
        {
            foreach (var part in parts)
            {
                hasher.Update(part);
            }

            hasher.Finalize(output);
        }
        finally
        {
            hasher.Dispose();
        }

        return output;
    }

    /// <summary>Starts an incremental hash; dispose it when done.</summary>
    public static Hasher CreateHasher() => new();

    /// <summary>Incremental BLAKE3 hasher. Update any number of times, then Finalize (XOF: any output length).</summary>
    public sealed class Hasher : IDisposable
    {
        private Package.Hasher _inner = Package.Hasher.New();

        internal Hasher()
        {
        }

        /// <summary>Appends <paramref name="input"/> to the hashed message.</summary>
        public void Update(ReadOnlySpan<byte> input) => _inner.Update(input);

        /// <summary>Writes the first <paramref name="output"/>.Length bytes of the extendable output.</summary>
        public void Finalize(Span<byte> output) => _inner.Finalize(output);

        /// <summary>Returns the package hasher's state to its pool.</summary>
        public void Dispose() => _inner.Dispose();
    }
}
