namespace Prover.Core.Pow;

/// <summary>
/// One RandomX virtual machine (scratchpad + JIT code) over a <see cref="RandomXContext"/>. Not thread-safe: use one VM
/// per thread. The pipelined <see cref="HashFirst"/>/<see cref="HashNext"/>/<see cref="HashLast"/> calls compute a
/// sequence of hashes slightly faster than repeated <see cref="Hash"/> calls.
/// </summary>
public sealed class RandomXVm : IDisposable
{
    /// <summary>Size of a RandomX hash in bytes.</summary>
    public const int HashSize = 32;

    private readonly RandomXVmHandle _handle;

    internal RandomXVm(RandomXVmHandle handle, RandomXContext context)
    {
        _handle = handle;
        Context = context;
    }

    /// <summary>The context (key, mode) this VM hashes with.</summary>
    public RandomXContext Context { get; }

    /// <summary>Computes RandomX(key, <paramref name="input"/>) into the first 32 bytes of <paramref name="output"/>.</summary>
    public unsafe void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckOutput(output);
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            RandomXNative.CalculateHash(_handle, i, (nuint)input.Length, o);
        }
    }

    /// <summary>Starts a pipelined sequence with the first input (the input is consumed before this returns).</summary>
    public unsafe void HashFirst(ReadOnlySpan<byte> input)
    {
        fixed (byte* i = input)
        {
            RandomXNative.CalculateHashFirst(_handle, i, (nuint)input.Length);
        }
    }

    /// <summary>Writes the hash of the previous input to <paramref name="output"/> and starts <paramref name="nextInput"/>.</summary>
    public unsafe void HashNext(ReadOnlySpan<byte> nextInput, Span<byte> output)
    {
        CheckOutput(output);
        fixed (byte* i = nextInput)
        fixed (byte* o = output)
        {
            RandomXNative.CalculateHashNext(_handle, i, (nuint)nextInput.Length, o);
        }
    }

    /// <summary>Writes the hash of the previous input to <paramref name="output"/> and ends the sequence.</summary>
    public unsafe void HashLast(Span<byte> output)
    {
        CheckOutput(output);
        fixed (byte* o = output)
        {
            RandomXNative.CalculateHashLast(_handle, o);
        }
    }

    public void Dispose() => _handle.Dispose();

    private static void CheckOutput(Span<byte> output)
    {
        if (output.Length < HashSize)
        {
            throw new ArgumentException($"the output must hold {HashSize} bytes", nameof(output));
        }
    }
}
