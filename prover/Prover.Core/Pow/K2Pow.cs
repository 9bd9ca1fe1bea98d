using System.Buffers.Binary;
using Prover.Core.Threading;

namespace Prover.Core.Pow;

/// <summary>
/// Local k2pow over RandomX (spec §5.1): prover (parallel nonce search) and verifier. The search is deterministic for
/// any number of threads: thread t tests nonces t, t+T, t+2T, … in order and stops once its next nonce is not below the
/// best valid nonce found so far, so every nonce below the returned one has been tested and the result is the smallest
/// valid pow (what post-rs returns on a 1-thread pool).
/// </summary>
public sealed class K2Pow : IK2PowProver, IK2PowVerifier, IK2PowMeter
{
    /// <summary>Size of the RandomX input.</summary>
    public const int InputSize = 48;

    /// <summary>pow candidates are 56-bit: [0, 2^56).</summary>
    public const ulong NonceSpace = 1UL << 56;

    private readonly Func<CancellationToken, RandomXContext> _context;
    private long _hashes;
    private long _groups;

    /// <summary>Creates a k2pow prover/verifier over a shared RandomX context (the context is not owned).</summary>
    /// <param name="context">RandomX state for the key <see cref="RandomXContext.SpacemeshKey"/>.</param>
    /// <param name="threads">Search threads; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    public K2Pow(RandomXContext context, int threads = 1)
        : this(Resolved(context), threads)
    {
    }

    /// <summary>
    /// A k2pow over a context obtained on first use (<see cref="K2PowBackend"/> builds it then, cancellable by the first
    /// pow's token).
    /// </summary>
    internal K2Pow(Func<CancellationToken, RandomXContext> context, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        _context = context;
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
    }

    /// <summary>The RandomX state hashed with (built now if it was not yet).</summary>
    public RandomXContext Context => _context(CancellationToken.None);

    /// <summary>Threads of the nonce search.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public long? HashesDone => Interlocked.Read(ref _hashes);

    /// <inheritdoc/>
    public long GroupsDone => Interlocked.Read(ref _groups);

    /// <summary>
    /// Builds the 48-byte RandomX input: LE64(pow)[0..7] ‖ nonceGroup ‖ challenge8 ‖ minerId (the top byte of
    /// <paramref name="pow"/> is dropped).
    /// </summary>
    public static void BuildInput(ulong pow, byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> minerId32,
        Span<byte> input)
    {
        CheckLength(challenge8, 8, nameof(challenge8));
        CheckLength(minerId32, 32, nameof(minerId32));
        CheckLength(input, InputSize, nameof(input));
        BinaryPrimitives.WriteUInt64LittleEndian(input, pow);
        input[7] = nonceGroup;
        challenge8.CopyTo(input[8..16]);
        minerId32.CopyTo(input[16..48]);
    }

    /// <summary>The RandomX hash of one pow candidate (for tests and benchmarks).</summary>
    public void Hash(ulong pow, byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> minerId32,
        Span<byte> output32)
    {
        Span<byte> input = stackalloc byte[InputSize];
        BuildInput(pow, nonceGroup, challenge8, minerId32, input);
        Context.Hash(input, output32);
    }

    /// <inheritdoc/>
    /// <exception cref="PowNotFoundException">no nonce in [0, 2^56) satisfies the difficulty.</exception>
    public ulong Prove(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32, CancellationToken cancellationToken = default) =>
        ProveRange(nonceGroup, challenge8, difficulty32, minerId32, 0, NonceSpace, cancellationToken)
        ?? throw new PowNotFoundException();

    /// <summary>
    /// Returns the smallest valid pow in [<paramref name="start"/>, <paramref name="end"/>), or null when there is none.
    /// Throws <see cref="OperationCanceledException"/> when cancelled before a valid pow was found.
    /// </summary>
    public ulong? ProveRange(byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32, ulong start, ulong end, CancellationToken cancellationToken = default)
    {
        CheckLength(difficulty32, 32, nameof(difficulty32));
        if (end > NonceSpace)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, "pow candidates are below 2^56");
        }

        var template = new byte[InputSize];
        BuildInput(0, nonceGroup, challenge8, minerId32, template);
        var context = _context(cancellationToken);
        var search = new Search(this, context, template, difficulty32.ToArray(), start, end, Threads, cancellationToken);
        var pow = search.Run();
        if (pow is not null)
        {
            Interlocked.Increment(ref _groups);
        }

        return pow;
    }

    /// <inheritdoc/>
    public Task<ulong[]> ProveManyAsync(IReadOnlyList<byte> nonceGroups, ReadOnlyMemory<byte> challenge8,
        ReadOnlyMemory<byte> difficulty32, ReadOnlyMemory<byte> minerId32, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nonceGroups);
        var groups = nonceGroups.ToArray();
        return Task.Factory.StartNew(() =>
        {
            var pows = new ulong[groups.Length];
            for (var i = 0; i < groups.Length; i++)
            {
                pows[i] = Prove(groups[i], challenge8.Span, difficulty32.Span, minerId32.Span, cancellationToken);
            }

            return pows;
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public bool Verify(ulong pow, byte nonceGroup, ReadOnlySpan<byte> challenge8, ReadOnlySpan<byte> difficulty32,
        ReadOnlySpan<byte> minerId32)
    {
        CheckLength(difficulty32, 32, nameof(difficulty32));
        Span<byte> hash = stackalloc byte[RandomXVm.HashSize];
        Hash(pow, nonceGroup, challenge8, minerId32, hash);
        return K2PowDifficulty.IsBelow(hash, difficulty32);
    }

    private static Func<CancellationToken, RandomXContext> Resolved(RandomXContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _ => context;
    }

    private static void CheckLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes (got {value.Length})", name);
        }
    }

    /// <summary>One strided, cancellable nonce search over several threads, each with its own VM.</summary>
    private sealed class Search(K2Pow owner, RandomXContext context, byte[] template, byte[] difficulty, ulong start, ulong end,
        int threads, CancellationToken cancellationToken)
    {
        private ulong _best = ulong.MaxValue;

        public ulong? Run()
        {
            if (start >= end)
            {
                return null;
            }

            var width = (ulong)threads;
            var count = (int)Math.Min(width, end - start);
            using (var workers = new WorkerGroup("k2pow"))
            {
                workers.Run(count, (t, token) => Worker((ulong)t, width, token), cancellationToken);
            }

            var best = Volatile.Read(ref _best);
            if (best != ulong.MaxValue)
            {
                return best;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }

        /// <summary>The token is the group's: cancelled by the caller or by another worker's failure.</summary>
        private bool ShouldStart(ulong nonce, CancellationToken token) =>
            nonce < end && nonce < Volatile.Read(ref _best) && !token.IsCancellationRequested;

        private void Worker(ulong offset, ulong width, CancellationToken token)
        {
            var nonce = start + offset;
            if (!ShouldStart(nonce, token))
            {
                return;
            }

            var vm = context.RentVm();
            try
            {
                Scan(vm, nonce, width, token);
            }
            finally
            {
                context.ReturnVm(vm);
            }
        }

        /// <summary>Pipelined scan: the hash of <c>nonce</c> is produced while the input of the next one is started.</summary>
        private void Scan(RandomXVm vm, ulong nonce, ulong width, CancellationToken token)
        {
            Span<byte> input = stackalloc byte[InputSize];
            Span<byte> hash = stackalloc byte[RandomXVm.HashSize];
            template.CopyTo(input);
            var group = input[7];
            SetNonce(input, nonce, group);
            vm.HashFirst(input);
            while (true)
            {
                var next = nonce + width; // no overflow: end ≤ 2^56 and width < 2^31
                var more = ShouldStart(next, token);
                if (more)
                {
                    SetNonce(input, next, group);
                    vm.HashNext(input, hash);
                }
                else
                {
                    vm.HashLast(hash);
                }

                Interlocked.Increment(ref owner._hashes);

                if (K2PowDifficulty.IsBelow(hash, difficulty))
                {
                    LowerBest(nonce);
                    return;
                }

                if (!more)
                {
                    return;
                }

                nonce = next;
            }
        }

        private static void SetNonce(Span<byte> input, ulong nonce, byte group)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(input, nonce);
            input[7] = group;
        }

        private void LowerBest(ulong nonce)
        {
            var current = Volatile.Read(ref _best);
            while (nonce < current)
            {
                var seen = Interlocked.CompareExchange(ref _best, nonce, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
