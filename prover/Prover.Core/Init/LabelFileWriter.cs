using Prover.Core.Data;

namespace Prover.Core.Init;

/// <summary>
/// Writes the 16-byte halves of label outputs to the postdata files in label order, opening the next file when one is
/// full. Appending (the default) cuts a file back to where the labels start; in place, existing bytes before and after
/// the written labels are left as they are (the repair of damaged blocks).
/// </summary>
internal sealed class LabelFileWriter : IDisposable
{
    private readonly string _dataDir;
    private readonly PostDataLayout _layout;
    private FileStream? _file;
    private int _fileIndex = -1;
    private ulong _position;
    private readonly bool _inPlace;
    private byte[] _buffer = [];

    public LabelFileWriter(string dataDir, PostDataLayout layout, ulong position, bool inPlace = false)
    {
        _dataDir = dataDir;
        _layout = layout;
        _position = position;
        _inPlace = inPlace;
    }

    /// <summary>Writes labels [start, start+count); returns true when a file was completed (and closed durably).</summary>
    public bool Write(ulong start, int count, ReadOnlySpan<byte> outputs32)
    {
        if (start != _position)
        {
            throw new InvalidOperationException($"labels must be written in order: expected {_position}, got {start}");
        }

        if (_buffer.Length < count * PostDataLayout.LabelSize)
        {
            _buffer = new byte[count * PostDataLayout.LabelSize];
        }

        for (int i = 0; i < count; i++)
        {
            outputs32.Slice(i * 32, PostDataLayout.LabelSize).CopyTo(_buffer.AsSpan(i * PostDataLayout.LabelSize));
        }

        bool completed = false;
        int done = 0;
        while (done < count)
        {
            int file = _layout.FileOf(_position);
            EnsureFile(file);
            ulong endOfFile = _layout.FirstLabel(file) + _layout.LabelsInFile(file);
            int take = (int)Math.Min((ulong)(count - done), endOfFile - _position);
            _file!.Write(_buffer.AsSpan(done * PostDataLayout.LabelSize, take * PostDataLayout.LabelSize));
            done += take;
            _position += (ulong)take;
            if (_position == endOfFile)
            {
                CloseFile();
                completed = true;
            }
        }

        return completed;
    }

    /// <summary>Makes everything written so far durable (fsync).</summary>
    public void Flush() => _file?.Flush(flushToDisk: true);

    private void EnsureFile(int file)
    {
        if (_fileIndex == file && _file is not null)
        {
            return;
        }

        CloseFile();
        var path = Path.Combine(_dataDir, PostDataLayout.FileName(file));
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 20);
        long offset = (long)((_position - _layout.FirstLabel(file)) * PostDataLayout.LabelSize);
        if (!_inPlace && _file.Length != offset)
        {
            _file.SetLength(offset);
        }

        _file.Position = offset;
        _fileIndex = file;
    }

    /// <summary>Closes the current file durably (fsync).</summary>
    public void Close() => CloseFile();

    private void CloseFile()
    {
        if (_file is null)
        {
            return;
        }

        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _file = null;
        _fileIndex = -1;
    }

    public void Dispose() => CloseFile();
}
