using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NSec.Cryptography;
using Prover.Core.Primitives;

namespace Prover.Node.Poet;

/// <summary>PoW parameters of a registration (poet's deprecated authorization): leading zero bits and the challenge.</summary>
public sealed record PoetPowParams(uint Difficulty, byte[] Challenge)
{
    /// <summary>Same difficulty and challenge bytes.</summary>
    public bool Matches(PoetPowParams? other) =>
        other is not null && other.Difficulty == Difficulty && other.Challenge.AsSpan().SequenceEqual(Challenge);
}

/// <summary>A registration (poet's <c>SubmitRequest</c>; certificates are not supported).</summary>
public sealed record PoetSubmitRequest(
    ulong Nonce, PoetPowParams? PowParams, byte[] Prefix, byte[] Challenge, byte[] Pubkey, byte[] Signature, DateTimeOffset? Deadline);

/// <summary>The round a registration landed in and the time left until that round ends.</summary>
public sealed record PoetSubmitResult(string RoundId, TimeSpan RoundEnd);

/// <summary>The service identity and the two timing values nodes check (<c>/v1/info</c>).</summary>
public sealed record PoetInfo(byte[] ServicePubkey, TimeSpan PhaseShift, TimeSpan CycleGap);

/// <summary>A finished round as served on <c>/v1/proofs/{round}</c>: the proof, the members in tree order, the service key.</summary>
public sealed record PoetRoundProof(PoetProof Proof, IReadOnlyList<Hash32> Members, byte[] Pubkey);

/// <summary>Configuration of the in-process PoET.</summary>
public sealed class PoetServiceOptions
{
    /// <summary>Where rounds, proofs and the service key are kept.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Genesis, epoch duration, phase shift and cycle gap.</summary>
    public required PoetRoundTiming Timing { get; init; }

    /// <summary>Members accepted per round (poet <c>max-round-members</c>).</summary>
    public int MaxRoundMembers { get; init; } = int.MaxValue;

    /// <summary>PoW difficulty; only 0 is supported (RIPEMD-256 PoW is not implemented).</summary>
    public uint PowDifficulty { get; init; }

    /// <summary>The work continues past the round end until it has at least this many leaves (T).</summary>
    public ulong MinLeaves { get; init; } = PoswHash.SecurityParam;

    /// <summary>Stops a round's work at this many leaves even before the round end (tests, tiny devnets).</summary>
    public ulong? MaxLeaves { get; init; }

    /// <summary>Leaves between checkpoints of the sequential work.</summary>
    public ulong CheckpointEvery { get; init; } = 1UL << 22;

    /// <summary>The registration signature check.</summary>
    public IPoetSignatureCheck SignatureCheck { get; init; } = new NSecPoetSignatureCheck();
}

/// <summary>
/// The in-process PoET (spacemeshos/poet's registration + worker): collects registrations for the open round, closes it
/// at its start time, builds the membership tree (members ordered by node ID), runs the sequential work keyed on the
/// root until the round end and serves the proof. Registrations are appended to a per-round file and flushed before the
/// submit returns; a round whose work was interrupted resumes from its last checkpoint on restart; proofs are written
/// atomically. Call <see cref="Start"/> to run the round clock; <see cref="CloseDueRounds"/> does one step of it.
/// </summary>
public sealed partial class PoetService : IAsyncDisposable
{
    private const int RecordSize = 64;
    private readonly PoetServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Key _key;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<ulong, PoetRoundProof> _proofs = new();
    private readonly ConcurrentDictionary<ulong, Task> _executing = new();
    private readonly CancellationTokenSource _stopping = new();
    private PoetPowParams _pow;
    private PoetPowParams? _previousPow;
    private OpenRound _open;
    private Task? _clock;

    /// <summary>Opens (or creates) the PoET in <see cref="PoetServiceOptions.DataDirectory"/>.</summary>
    public PoetService(PoetServiceOptions options, TimeProvider? time = null, ILogger<PoetService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Timing.Validate();
        if (options.PowDifficulty != 0)
        {
            throw new ArgumentException("PoW difficulty must be 0: the RIPEMD-256 PoW is not implemented");
        }

        if (options.MaxLeaves is { } max && max < options.MinLeaves)
        {
            throw new ArgumentException($"MaxLeaves ({max}) must be at least MinLeaves ({options.MinLeaves})");
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Directory.CreateDirectory(RoundsDirectory);
        Directory.CreateDirectory(ProofsDirectory);
        _key = LoadOrCreateKey(Path.Combine(options.DataDirectory, "key.bin"));
        _pow = new PoetPowParams(options.PowDifficulty, LoadOrCreate(Path.Combine(options.DataDirectory, "pow_challenge.bin")));
        foreach (var file in Directory.EnumerateFiles(ProofsDirectory, "*.json"))
        {
            if (ulong.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var round))
            {
                _proofs[round] = ReadProof(file);
            }
        }

        _open = LoadRound(options.Timing.OpenRound(_time.GetUtcNow()));
    }

    /// <summary>The service's ed25519 public key (its PoET service ID).</summary>
    public byte[] PublicKey => _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>The round timing.</summary>
    public PoetRoundTiming Timing => _options.Timing;

    /// <summary>The id of the round open for registration.</summary>
    public ulong OpenRoundId
    {
        get
        {
            lock (_gate)
            {
                return _open.Id;
            }
        }
    }

    /// <summary>Runs the round clock in the background: closes each round at its start, resumes interrupted work.</summary>
    public void Start()
    {
        if (_clock is not null)
        {
            return;
        }

        ResumeInterrupted();
        _clock = Task.Run(() => ClockAsync(_stopping.Token));
    }

    /// <summary><c>/v1/info</c>.</summary>
    public PoetInfo Info() => new(PublicKey, _options.Timing.PhaseShift, _options.Timing.CycleGap);

    /// <summary><c>/v1/pow_params</c>.</summary>
    public PoetPowParams PowParams()
    {
        lock (_gate)
        {
            return _pow;
        }
    }

    /// <summary>
    /// <c>/v1/submit</c>: checks the public key, the signature over <c>prefix ‖ challenge</c>, the PoW parameters
    /// and the deadline, then registers the challenge in the open round (again with the same challenge is a no-op).
    /// </summary>
    /// <exception cref="PoetException">The registration is refused; the status says why.</exception>
    public PoetSubmitResult Submit(PoetSubmitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Pubkey is not { Length: 32 })
        {
            throw new PoetException(PoetStatus.InvalidArgument, "invalid public key");
        }

        var message = new byte[request.Prefix.Length + request.Challenge.Length];
        request.Prefix.CopyTo(message, 0);
        request.Challenge.CopyTo(message, request.Prefix.Length);
        if (!_options.SignatureCheck.Verify(request.Pubkey, message, request.Signature))
        {
            throw new PoetException(PoetStatus.InvalidArgument, "invalid signature");
        }

        if (request.Challenge.Length != 32)
        {
            throw new PoetException(PoetStatus.InvalidArgument, $"challenge must be 32 bytes, got {request.Challenge.Length}");
        }

        lock (_gate)
        {
            // Difficulty 0: any nonce passes once the parameters are the current or previous ones.
            if (!_pow.Matches(request.PowParams) && !(_previousPow?.Matches(request.PowParams) ?? false))
            {
                throw new PoetException(PoetStatus.InvalidArgument, "invalid proof of work parameters");
            }

            var now = _time.GetUtcNow();
            CloseDueRoundsLocked(now);
            var round = _open;
            var end = _options.Timing.RoundEnd(round.Id);
            if (request.Deadline is { } deadline && end > deadline)
            {
                throw new PoetException(PoetStatus.FailedPrecondition, "too late to register for the desired round");
            }

            if (round.Members.Count >= _options.MaxRoundMembers)
            {
                throw new PoetException(PoetStatus.ResourceExhausted, "maximum number of round members reached");
            }

            var nodeId = new Hash32(request.Pubkey);
            var challenge = new Hash32(request.Challenge);
            if (round.Members.TryGetValue(nodeId, out var registered))
            {
                return registered == challenge
                    ? new PoetSubmitResult(RoundIdText(round.Id), end - now)
                    : throw new PoetException(PoetStatus.AlreadyExists, "conflicting registration");
            }

            round.Append(nodeId, challenge);
            Log.Registered(_logger, nodeId, round.Id, round.Members.Count);
            return new PoetSubmitResult(RoundIdText(round.Id), end - now);
        }
    }

    /// <summary><c>/v1/proofs/{round}</c>.</summary>
    /// <exception cref="PoetException"><see cref="PoetStatus.NotFound"/> until the round's proof exists.</exception>
    public PoetRoundProof GetProof(string roundId)
    {
        if (ulong.TryParse(roundId, NumberStyles.None, CultureInfo.InvariantCulture, out var round)
            && _proofs.TryGetValue(round, out var proof))
        {
            return proof;
        }

        throw new PoetException(PoetStatus.NotFound, "proof not found");
    }

    /// <summary>
    /// Closes every round whose start time has passed: its members become the membership tree, and the sequential work
    /// starts in the background. Returns the closed round ids.
    /// </summary>
    public IReadOnlyList<ulong> CloseDueRounds()
    {
        lock (_gate)
        {
            return CloseDueRoundsLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Waits until round <paramref name="round"/>'s work (if any) has finished.</summary>
    public Task WaitForRoundAsync(ulong round) => _executing.TryGetValue(round, out var task) ? task : Task.CompletedTask;

    /// <summary>Stops the clock and the work (checkpointed), and closes the open round's file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_clock is not null)
        {
            await _clock.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var task in _executing.Values)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        lock (_gate)
        {
            _open.Dispose();
        }

        _key.Dispose();
        _stopping.Dispose();
    }

    private string RoundsDirectory => Path.Combine(_options.DataDirectory, "rounds");

    private string ProofsDirectory => Path.Combine(_options.DataDirectory, "proofs");

    private static string RoundIdText(ulong round) => round.ToString(CultureInfo.InvariantCulture);

    private string RoundDirectory(ulong round) => Path.Combine(RoundsDirectory, RoundIdText(round));

    private async Task ClockAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            lock (_gate)
            {
                CloseDueRoundsLocked(_time.GetUtcNow());
                wait = _options.Timing.RoundStart(_open.Id) - _time.GetUtcNow();
            }

            try
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<ulong> CloseDueRoundsLocked(DateTimeOffset now)
    {
        var closed = new List<ulong>();
        while (now >= _options.Timing.RoundStart(_open.Id))
        {
            var round = _open;
            round.Dispose();
            closed.Add(round.Id);
            if (round.Members.Count > 0)
            {
                var members = round.Members.OrderBy(m => m.Key).Select(m => m.Value).ToArray();
                var statement = MembershipTree.Root(members);
                File.WriteAllBytes(Path.Combine(RoundDirectory(round.Id), "executing"), statement.ToArray());
                Execute(round.Id, members, statement);
            }

            _open = LoadRound(Math.Max(round.Id + 1, _options.Timing.OpenRound(now)));
        }

        return closed;
    }

    // Rounds closed (an "executing" marker) but without a proof: their work was cut by a stop or crash.
    private void ResumeInterrupted()
    {
        foreach (var directory in Directory.EnumerateDirectories(RoundsDirectory))
        {
            if (!ulong.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var round)
                || _proofs.ContainsKey(round) || _executing.ContainsKey(round)
                || !File.Exists(Path.Combine(directory, "executing")))
            {
                continue;
            }

            var members = ReadMembers(directory).OrderBy(m => m.Key).Select(m => m.Value).ToArray();
            Execute(round, members, MembershipTree.Root(members));
        }
    }

    private void Execute(ulong round, Hash32[] members, Hash32 statement)
    {
        var token = _stopping.Token;
        _executing[round] = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    RunWork(round, members, statement, token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: the checkpoint is written, the next start resumes.
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.WorkFailed(_logger, round, e.Message);
                }
            },
            CancellationToken.None, // always start: a stop before the first leaf still leaves a checkpoint to resume
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private void RunWork(ulong round, Hash32[] members, Hash32 statement, CancellationToken cancellationToken)
    {
        var end = _options.Timing.RoundEnd(round);
        var workDirectory = Path.Combine(RoundDirectory(round), "posw");
        using (var prover = PoswProver.Resume(workDirectory, statement))
        {
            Log.WorkStarted(_logger, round, members.Length, prover.LeafCount, end);
            try
            {
                prover.Run(
                    leaves => leaves >= _options.MinLeaves
                        && ((_options.MaxLeaves is { } max && leaves >= max) || _time.GetUtcNow() >= end),
                    _options.CheckpointEvery,
                    cancellationToken);
            }
            catch (OperationCanceledException)
            {
                prover.Checkpoint();
                throw;
            }

            var proof = prover.GenerateProof();
            var served = new PoetRoundProof(proof, members, PublicKey);
            WriteProof(Path.Combine(ProofsDirectory, RoundIdText(round) + ".json"), served);
            _proofs[round] = served;
            lock (_gate)
            {
                // Rotate the PoW challenge to the latest root (poet onNewProof), keeping the previous one valid.
                _previousPow = _pow;
                _pow = _pow with { Challenge = proof.Root.ToArray() };
            }

            Log.ProofReady(_logger, round, proof.LeafCount);
        }

        Directory.Delete(workDirectory, recursive: true);
    }

    private OpenRound LoadRound(ulong round)
    {
        var directory = RoundDirectory(round);
        Directory.CreateDirectory(directory);
        var members = ReadMembers(directory);
        var stream = new FileStream(Path.Combine(directory, "members.bin"), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);

        // A torn last record (a crash mid-append) is dropped: its submit never returned.
        stream.SetLength((long)members.Count * RecordSize);
        stream.Seek(0, SeekOrigin.End);
        return new OpenRound(round, members, stream);
    }

    private static Dictionary<Hash32, Hash32> ReadMembers(string directory)
    {
        var members = new Dictionary<Hash32, Hash32>();
        var path = Path.Combine(directory, "members.bin");
        if (!File.Exists(path))
        {
            return members;
        }

        var bytes = File.ReadAllBytes(path);
        for (var offset = 0; offset + RecordSize <= bytes.Length; offset += RecordSize)
        {
            members.TryAdd(new Hash32(bytes.AsSpan(offset, 32)), new Hash32(bytes.AsSpan(offset + 32, 32)));
        }

        return members;
    }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        var bytes = RandomNumberGenerator.GetBytes(32);
        AtomicFile.Write(path, bytes);
        return bytes;
    }

    private static Key LoadOrCreateKey(string path)
    {
        var seed = LoadOrCreate(path);
        return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
    }

    private static void WriteProof(string path, PoetRoundProof served)
    {
        var document = new StoredProof(
            served.Proof.Root.ToString(),
            [.. served.Proof.ProvenLeaves.Select(l => l.ToString())],
            [.. served.Proof.ProofNodes.Select(n => n.ToString())],
            served.Proof.LeafCount,
            [.. served.Members.Select(m => m.ToString())],
            Convert.ToHexStringLower(served.Pubkey));
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(document));
    }

    private static PoetRoundProof ReadProof(string path)
    {
        var document = JsonSerializer.Deserialize<StoredProof>(File.ReadAllBytes(path))
            ?? throw new InvalidDataException($"{path}: empty proof file");
        var proof = new PoetProof(
            Hash32.Parse(document.Root),
            [.. document.ProvenLeaves.Select(Hash32.Parse)],
            [.. document.ProofNodes.Select(Hash32.Parse)],
            document.Leaves);
        return new PoetRoundProof(proof, [.. document.Members.Select(Hash32.Parse)], Convert.FromHexString(document.Pubkey));
    }

    private sealed record StoredProof(
        string Root, string[] ProvenLeaves, string[] ProofNodes, ulong Leaves, string[] Members, string Pubkey);

    private sealed class OpenRound(ulong id, Dictionary<Hash32, Hash32> members, FileStream file) : IDisposable
    {
        public ulong Id { get; } = id;

        public Dictionary<Hash32, Hash32> Members { get; } = members;

        public void Append(Hash32 nodeId, Hash32 challenge)
        {
            Span<byte> record = stackalloc byte[RecordSize];
            nodeId.CopyTo(record);
            challenge.CopyTo(record[32..]);
            file.Write(record);
            file.Flush(flushToDisk: true);
            Members[nodeId] = challenge;
        }

        public void Dispose() => file.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "PoET: registered {NodeId} in round {Round} ({Members} members)")]
        public static partial void Registered(ILogger logger, Hash32 nodeId, ulong round, int members);

        [LoggerMessage(Level = LogLevel.Information, Message = "PoET: round {Round} work with {Members} members from leaf {Leaves} until {End}")]
        public static partial void WorkStarted(ILogger logger, ulong round, int members, ulong leaves, DateTimeOffset end);

        [LoggerMessage(Level = LogLevel.Information, Message = "PoET: round {Round} proof ready with {Leaves} leaves")]
        public static partial void ProofReady(ILogger logger, ulong round, ulong leaves);

        [LoggerMessage(Level = LogLevel.Error, Message = "PoET: round {Round} work failed: {Reason}")]
        public static partial void WorkFailed(ILogger logger, ulong round, string reason);
    }
}
