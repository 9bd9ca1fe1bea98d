using Prover.Core.Primitives;
namespace Prover.Core.Init;

/// <summary>What to initialize: the identity, the size and layout of the data, scrypt N and the file range.</summary>
public sealed record InitOptions
{
    /// <summary>The largest scrypt N accepted: 128 MiB of scratch per label computed at once.</summary>
    public const ulong MaxScryptN = 1UL << 20;

    public required string DataDir { get; init; }
    /// <summary>The smesher's identity.</summary>
    public required NodeId NodeId { get; init; }

    /// <summary>The ATX the data is committed to.</summary>
    public required AtxId CommitmentAtxId { get; init; }

    public required uint NumUnits { get; init; }
    public required ulong LabelsPerUnit { get; init; }
    public required ulong MaxFileSize { get; init; }
    public required ulong ScryptN { get; init; }

    /// <summary>First file of this run (inclusive); null = 0. Label indices stay global (postcli's -fromFile).</summary>
    public int? FromFile { get; init; }

    /// <summary>Last file of this run (inclusive); null = the last file (postcli's -toFile).</summary>
    public int? ToFile { get; init; }

    /// <summary>
    /// This run is one shard of a job split across workers that may write into the same directory at once: its files
    /// follow from the shard (<see cref="ShardPlan.FileRange"/>, not <see cref="FromFile"/>/<see cref="ToFile"/>), it
    /// locks only them, records its results in its own <see cref="ShardRecord"/> and its progress in its own
    /// <see cref="ShardProgress"/> file, and leaves <c>postdata_metadata.json</c> to <see cref="ShardMerge"/>. Null: not
    /// sharded.
    /// </summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>VRF difficulty (32 bytes BE); null = go-spacemesh's PowDifficulty(numLabels).</summary>
    public byte[]? VrfDifficulty { get; init; }

    /// <summary>Start even when the file system has less free space than the data still needs.</summary>
    public bool AllowOvercommit { get; init; }

    /// <summary>How often written labels are made durable (fsync) and recorded as the resume point.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Lets tests verify that the resume point is consistent with the data: after each checkpoint the run
    /// calls this with the number of labels made durable (null in production).
    /// </summary>
    public Action<ulong>? AfterCheckpoint { get; init; }
}

/// <summary>Progress of an initialization run, reported after each chunk is written.</summary>
public readonly record struct InitProgress(
    ulong LabelsDone,
    ulong LabelsTotal,
    ulong LabelsThisRun,
    TimeSpan Elapsed,
    bool SearchingNonceBeyondData);

/// <summary>The outcome of <see cref="Initializer.Run"/>.</summary>
public sealed record InitResult
{
    public required bool AlreadyComplete { get; init; }
    public required int FromFile { get; init; }
    public required int ToFile { get; init; }
    public required ulong FirstLabel { get; init; }
    public required ulong EndLabel { get; init; }

    /// <summary>Where this run started (labels before it were already on disk and verified).</summary>
    public required ulong ResumedFrom { get; init; }

    /// <summary>Labels computed by this run (including any computed past the data for the VRF nonce).</summary>
    public required ulong LabelsComputed { get; init; }

    public required TimeSpan Elapsed { get; init; }
    public ulong? Nonce { get; init; }
    public byte[]? NonceOutput { get; init; }
    public required string Providers { get; init; }

    /// <summary>Files of the range that were damaged (cut short, missing, altered) and were repaired by this run.</summary>
    public IReadOnlyList<string> Repaired { get; init; } = [];

    /// <summary>True when the data was complete and this run only recorded the VRF nonce in the metadata.</summary>
    public bool NonceRecorded { get; init; }

    public double LabelsPerSecond => Elapsed.TotalSeconds > 0 ? LabelsComputed / Elapsed.TotalSeconds : 0;
}
