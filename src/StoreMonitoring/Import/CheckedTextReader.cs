using System.Buffers;
using System.Text.Unicode;

namespace StoreMonitoring.Import;

/// <summary>
/// Decodes an input file as strict UTF-8 for the CSV reader, and refuses, with the line number,
/// what would otherwise pass silently: bytes that are not UTF-8 (a lenient decoder turns two
/// different ids into the same replacement character) and a line too long to be a row.
/// </summary>
internal sealed class CheckedTextReader(Stream stream, long maxLineChars) : TextReader
{
    private readonly byte[] _bytes = new byte[1 << 16];
    private int _pending;
    private int _pendingStart;
    private bool _ended;
    private long _newlines;
    private long _lineChars;
    private bool _checkedBom;

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Whether what has been read so far stops inside a line (at the end of the file: no final newline).</summary>
    public bool EndsInsideLine => _lineChars > 0;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (true)
        {
            if (_pending == 0 && !_ended)
            {
                Fill();
            }

            if (_pending == 0 && _ended)
            {
                return 0;
            }

            var source = _bytes.AsSpan(_pendingStart, _pending);
            var status = Utf8.ToUtf16(source, buffer, out var consumed, out var written, replaceInvalidSequences: false, isFinalBlock: _ended);
            if (status == OperationStatus.InvalidData)
            {
                // What decoded before the bad byte counts towards the line number.
                Track(buffer[..written]);
                throw new InvalidInputFileException($"line {_newlines + 1}: bytes that are not valid UTF-8 (the file must be UTF-8); nothing of this file was applied");
            }

            _pendingStart += consumed;
            _pending -= consumed;
            if (written > 0)
            {
                Track(buffer[..written]);
                return written;
            }

            if (status == OperationStatus.NeedMoreData && !_ended)
            {
                // A multi-byte character split across reads: keep its start and read on.
                _bytes.AsSpan(_pendingStart, _pending).CopyTo(_bytes);
                _pendingStart = 0;
                Fill();
                continue;
            }

            if (status == OperationStatus.DestinationTooSmall)
            {
                return 0;
            }
        }
    }

    public override int Peek() => throw new NotSupportedException();

    public override int Read() => throw new NotSupportedException();

    private void Fill()
    {
        if (_pendingStart > 0 && _pending > 0)
        {
            _bytes.AsSpan(_pendingStart, _pending).CopyTo(_bytes);
        }

        _pendingStart = 0;
        var read = stream.Read(_bytes, _pending, _bytes.Length - _pending);
        if (read == 0)
        {
            _ended = true;
            return;
        }

        BytesRead += read;
        _pending += read;
        if (!_checkedBom && _pending >= 3)
        {
            _checkedBom = true;
            if (_bytes.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
            {
                _pendingStart = 3;
                _pending -= 3;
            }
        }
    }

    private void Track(ReadOnlySpan<char> text)
    {
        var first = text.IndexOf('\n');
        if (first < 0)
        {
            _lineChars += text.Length;
            CheckLineLength();
            return;
        }

        _lineChars += first;
        CheckLineLength();
        _newlines += text.Count('\n');
        _lineChars = text.Length - 1 - text.LastIndexOf('\n');
        // Lines wholly inside one decoded block are shorter than the block, far below the limit.
    }

    private void CheckLineLength()
    {
        if (_lineChars > maxLineChars)
        {
            throw new InvalidInputFileException($"line {_newlines + 1}: longer than {maxLineChars / 1024:N0} KiB, which no row of this file can be; nothing of this file was applied");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stream.Dispose();
        }

        base.Dispose(disposing);
    }
}
