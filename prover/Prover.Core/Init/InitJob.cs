using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// Everything an init run decides before it writes anything: the layout, the file range and its label range, the
/// commitment and VRF difficulty, the existing metadata and checkpoint it continues, and the repair plan of what is on
/// disk. Made by <see cref="Initializer"/> (which refuses bad or conflicting input while making it); executed by the
/// ordered chunk pipeline (<see cref="ChunkPipeline"/>) that writes the planned segments and checkpoints this job's state.
/// </summary>
/// <param name="Options">The run's options.</param>
/// <param name="Layout">Labels and files of the whole data set.</param>
/// <param name="FromFile">First file of this run (inclusive).</param>
/// <param name="ToFile">Last file of this run (inclusive).</param>
/// <param name="Commitment">BLAKE3(node id ‖ commitment ATX id).</param>
/// <param name="Difficulty">The VRF nonce difficulty.</param>
/// <param name="Metadata">The metadata already in the directory; null when the run creates it.</param>
/// <param name="State">The checkpoint of an earlier run of the same job; null when there is none.</param>
/// <param name="Plan">What is on disk, file by file, and what the run writes.</param>
internal sealed record InitJob(
    InitOptions Options,
    PostDataLayout Layout,
    int FromFile,
    int ToFile,
    byte[] Commitment,
    byte[] Difficulty,
    PostMetadata? Metadata,
    InitState? State,
    RepairPlan Plan)
{
    /// <summary>First label of <see cref="FromFile"/>.</summary>
    public ulong RangeStart => Layout.FirstLabel(FromFile);

    /// <summary>One past the last label of <see cref="ToFile"/>.</summary>
    public ulong RangeEnd => Layout.FirstLabel(ToFile) + Layout.LabelsInFile(ToFile);

    /// <summary>True when the run includes the last file, and so owes the VRF nonce.</summary>
    public bool CoversLastFile => ToFile == Layout.NumFiles - 1;

    /// <summary>Where this job's checkpoint lives (<see cref="InitState.PathFor"/>).</summary>
    public string StatePath => InitState.PathFor(Options.DataDir, FromFile, ToFile);

    /// <summary>Writes the checkpoint: labels before <paramref name="next"/> are on disk, plus the VRF search so far.</summary>
    public void SaveState(ulong next, VrfBest best, ulong? searchedBeyond, bool complete)
    {
        ArgumentNullException.ThrowIfNull(best);
        new InitState
        {
            Commitment = Hex.Format(Commitment),
            ScryptN = Options.ScryptN,
            LabelsPerFile = Layout.LabelsPerFile,
            TotalLabels = Layout.TotalLabels,
            FromFile = FromFile,
            ToFile = ToFile,
            VrfDifficulty = Hex.Format(Difficulty),
            Next = next,
            BestIndex = best.Index,
            BestOutput = best.Output is { } b ? Hex.Format(b) : null,
            SearchedBeyond = searchedBeyond,
            Complete = complete,
        }.Save(StatePath);
    }
}
