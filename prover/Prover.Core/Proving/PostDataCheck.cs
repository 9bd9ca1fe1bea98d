using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Prover.Core.Data;
using Prover.Core.Init;

namespace Prover.Core.Proving;

/// <summary>
/// What proving checks of a data directory before it reads it: the postdata files the metadata describes, and where a
/// label lives on disk (to name the file and offset of a label a proof uses).
/// </summary>
public static class PostDataCheck
{
    /// <summary>
    /// Checks that the files of <paramref name="dataDir"/> are exactly those <paramref name="metadata"/> describes
    /// (spec §3.4): each <c>postdata_k.bin</c> present, a regular file, and of its layout size, and no file beyond them.
    /// A directory in place of a file, a missing or short file (say NumUnits raised without growing the data) would make
    /// the reader shift or skip labels and every pass fail or, worse, end in a proof the network rejects.
    /// </summary>
    /// <exception cref="InvalidInputException">the first file that does not match, with the sizes.</exception>
    public static void CheckFiles(string dataDir, PostMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        PostDataLayout layout = metadata.Layout;
        if (layout.LabelsPerFile == 0)
        {
            throw new InvalidInputException(InputField.File, string.Create(CultureInfo.InvariantCulture,
                $"{PostMetadata.FileName}: MaxFileSize {metadata.MaxFileSize} holds no label (labels are {PostDataLayout.LabelSize} bytes)"));
        }

        string describe = string.Create(CultureInfo.InvariantCulture,
            $"{PostMetadata.FileName} describes {metadata.NumUnits} unit(s) of {metadata.LabelsPerUnit} labels in {layout.NumFiles} file(s) of at most {metadata.MaxFileSize} bytes");
        for (int file = 0; file < layout.NumFiles; file++)
        {
            string path = Path.Combine(dataDir, PostDataLayout.FileName(file));
            long expected = (long)(layout.LabelsInFile(file) * PostDataLayout.LabelSize);
            if (Directory.Exists(path))
            {
                throw new InvalidInputException(InputField.File, $"{path} is a directory, not a file of labels ({describe})");
            }

            if (!File.Exists(path))
            {
                throw new InvalidInputException(InputField.File, string.Create(CultureInfo.InvariantCulture,
                    $"{path} is missing: {describe}; run 'post init' with the same parameters to complete the data"));
            }

            long size = new FileInfo(path).Length;
            if (size != expected)
            {
                throw new InvalidInputException(InputField.File, string.Create(CultureInfo.InvariantCulture,
                    $"{path} is {size} bytes, expected {expected} ({expected / PostDataLayout.LabelSize} labels): {describe}; run 'post init' with the same parameters to repair the data"));
            }
        }

        foreach ((int index, string path) in PostDataLayout.ListFiles(dataDir))
        {
            if (index >= layout.NumFiles)
            {
                throw new InvalidInputException(InputField.File,
                    $"{path} is not part of the data ({describe}): the prover would read it as labels past the end; move it away");
            }
        }
    }

    /// <summary>The file and byte offset of label <paramref name="labelIndex"/>.</summary>
    public static (string Path, long Offset) Locate(string dataDir, PostMetadata metadata, ulong labelIndex)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        PostDataLayout layout = metadata.Layout;
        int file = layout.FileOf(labelIndex);
        long offset = (long)((labelIndex - layout.FirstLabel(file)) * PostDataLayout.LabelSize);
        return (Path.Combine(dataDir, PostDataLayout.FileName(file)), offset);
    }

    /// <summary>Reads the 16 bytes of label <paramref name="labelIndex"/> from its file.</summary>
    public static byte[] ReadLabel(string dataDir, PostMetadata metadata, ulong labelIndex)
    {
        (string path, long offset) = Locate(dataDir, metadata, labelIndex);
        var label = new byte[PostDataLayout.LabelSize];
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            int read = 0;
            while (read < label.Length)
            {
                int n = RandomAccess.Read(handle, label.AsSpan(read), offset + read);
                if (n == 0)
                {
                    throw new InvalidInputException(InputField.File, string.Create(CultureInfo.InvariantCulture,
                        $"{path} ends before label {labelIndex} (byte {offset})"));
                }

                read += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(InputField.File, $"cannot read label {labelIndex} from {path}: {e.Message}", e);
        }

        return label;
    }

    /// <summary>
    /// The scrypt N recorded by <c>post init</c> in the resume points (<c>.post-init-F-T.json</c>) of
    /// <paramref name="dataDir"/>, or null when there is none, one is unreadable, or they disagree.
    /// </summary>
    public static ulong? RecordedScryptN(string dataDir)
    {
        ulong? n = null;
        IEnumerable<string> states;
        try
        {
            states = Directory.EnumerateFiles(dataDir, ".post-init-*.json").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (string path in states)
        {
            InitState? state;
            try
            {
                state = InitState.TryLoad(path);
            }
            catch (Exception e) when (e is InvalidInputException or IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (state is null || (n is { } seen && seen != state.ScryptN))
            {
                return null;
            }

            n = state.ScryptN;
        }

        return n;
    }
}
