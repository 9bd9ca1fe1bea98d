using Microsoft.Extensions.Logging;

namespace Prover.Core.Init;

/// <summary>
/// Every log line of initialization (<see cref="Initializer"/> and its repair plan), as compile-time generated
/// <see cref="ILogger"/> calls. Event ids 100–199 belong to initialization.
/// </summary>
internal static partial class InitLog
{
    [LoggerMessage(100, LogLevel.Information,
        "growing the data from {FromUnits} to {ToUnits} units: the labels on disk are kept and the VRF nonce is searched again for the larger size")]
    public static partial void GrowingData(this ILogger logger, uint fromUnits, uint toUnits);

    [LoggerMessage(101, LogLevel.Information,
        "resuming at label {Frontier} ({Done} of {Total} labels of files {FromFile}..{ToFile} already on disk and verified)")]
    public static partial void Resuming(this ILogger logger, ulong frontier, ulong done, ulong total, int fromFile, int toFile);

    [LoggerMessage(102, LogLevel.Information,
        "no label below the VRF difficulty in the data; searching labels from {Beyond} on (past the {TotalLabels} stored ones, not written), as postcli does")]
    public static partial void SearchingNonceBeyondData(this ILogger logger, ulong beyond, ulong totalLabels);

    [LoggerMessage(103, LogLevel.Information, "scanning the {Labels} labels already on disk for the VRF nonce")]
    public static partial void ScanningStoredLabels(this ILogger logger, ulong labels);

    [LoggerMessage(110, LogLevel.Warning, "{Path} is missing: recomputing it; the other files are kept")]
    public static partial void FileMissing(this ILogger logger, string path);

    [LoggerMessage(111, LogLevel.Warning,
        "{Path} is shorter than it should be ({Size} of {Expected} bytes): recomputing its missing labels; the other files are kept")]
    public static partial void FileShort(this ILogger logger, string path, long size, long expected);

    [LoggerMessage(112, LogLevel.Warning, "{Path}: written after the last durable checkpoint; recomputing it")]
    public static partial void FileAfterCheckpoint(this ILogger logger, string path);

    [LoggerMessage(113, LogLevel.Warning,
        "{Path}: {Damaged} of {Blocks} blocks of {BlockMiB} MiB differ from their checksums or are missing; recomputing only those, the rest of the data is intact")]
    public static partial void BlocksDamaged(this ILogger logger, string path, int damaged, int blocks, int blockMiB);

    [LoggerMessage(114, LogLevel.Information, "{Path}: discarding {Bytes} bytes past the last durable checkpoint")]
    public static partial void DiscardingPastCheckpoint(this ILogger logger, string path, long bytes);

    [LoggerMessage(115, LogLevel.Information, "{Path}: discarding its {Bytes} bytes, written after the last durable checkpoint")]
    public static partial void DiscardingWholeFile(this ILogger logger, string path, long bytes);

    [LoggerMessage(116, LogLevel.Information, "{Path}: dropping the {Bytes} bytes of a partial label at its end")]
    public static partial void DroppingPartialLabel(this ILogger logger, string path, long bytes);
}
