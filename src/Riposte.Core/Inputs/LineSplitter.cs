using Riposte.Alerts;

namespace Riposte.Inputs;

/// <summary>
/// Cuts a byte stream that arrives in pieces into JSON lines. The caller reads into <see cref="GetReadBuffer"/>, calls
/// <see cref="Advance"/>, then takes complete lines; an incomplete last line stays buffered until its newline comes
/// (or the caller gives up on it with <see cref="TakePartialLine"/>). Lines longer than the limit are reported and
/// skipped without being buffered, so memory stays bounded by the limit.
/// </summary>
internal sealed class LineSplitter
{
    private const int InitialSize = 64 * 1024;

    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[InitialSize];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private long _lineNumber;
    private bool _skipping;
    private long _skippedLine;
    private long _skippedOffset;

    public LineSplitter(int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxLineBytes, Array.MaxLength);
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>Stream offset just after the last line taken: where a reader that handled every taken line resumes.</summary>
    public long ConsumedOffset => _bufferOffset + _start;

    /// <summary>Stream offset of the next byte to read.</summary>
    public long ReadOffset => _bufferOffset + _end;

    /// <summary>Forgets everything buffered and continues at <paramref name="offset"/>, after <paramref name="linesBefore"/> lines.</summary>
    public void Reset(long offset, long linesBefore)
    {
        _bufferOffset = offset;
        _start = _end = 0;
        _skipping = false;
        _lineNumber = linesBefore;
        if (_buffer.Length > InitialSize)
        {
            _buffer = new byte[InitialSize];
        }
    }

    /// <summary>Free space to read into (never empty); call after every complete line has been taken.</summary>
    public Memory<byte> GetReadBuffer()
    {
        if (_skipping)
        {
            Discard();
            return _buffer;
        }

        var pending = _end - _start;
        if (pending > _maxLineBytes)
        {
            _lineNumber++;
            _skipping = true;
            _skippedLine = _lineNumber;
            _skippedOffset = _bufferOffset + _start;
            Discard();
            if (_buffer.Length > InitialSize)
            {
                _buffer = new byte[InitialSize];
            }

            return _buffer;
        }

        if (_buffer.Length > InitialSize && pending <= InitialSize / 2)
        {
            // Give back the memory of a past long line.
            var smaller = new byte[InitialSize];
            _buffer.AsSpan(_start, pending).CopyTo(smaller);
            _buffer = smaller;
            _bufferOffset += _start;
            _start = 0;
            _end = pending;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = pending;
        }

        if (_end == _buffer.Length)
        {
            // pending <= max here, so the buffer is at most max bytes and can grow to max + 1.
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, _maxLineBytes + 1L));
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were read into the last <see cref="GetReadBuffer"/>.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>
    /// Takes the next complete line, if any. <paramref name="line"/> is null for a blank line, which is consumed but
    /// has nothing to report.
    /// </summary>
    public bool TryTakeLine(out AlertLine? line)
    {
        line = null;
        var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }

        if (_skipping)
        {
            _skipping = false;
            _start += newline + 1;
            line = Counted(Oversized(_skippedLine, _skippedOffset));
            return true;
        }

        line = Take(newline);
        _start++;
        return true;
    }

    /// <summary>Takes whatever is buffered as a final line without its newline (end of input, or a file left behind).</summary>
    public AlertLine? TakePartialLine()
    {
        if (_skipping)
        {
            _skipping = false;
            Discard();
            return Counted(Oversized(_skippedLine, _skippedOffset));
        }

        return _end > _start ? Take(_end - _start) : null;
    }

    private AlertLine? Take(int length)
    {
        _lineNumber++;
        var offset = _bufferOffset + _start;
        var bytes = _buffer.AsSpan(_start, length);
        _start += length;
        return Counted(length > _maxLineBytes ? Oversized(_lineNumber, offset) : JsonLinesReader.ParseLine(bytes, _lineNumber, offset));
    }

    /// <summary>Every line the daemon's inputs read passes here (blank ones are null and not counted).</summary>
    private static AlertLine? Counted(AlertLine? line)
    {
        if (line is not null)
        {
            Telemetry.RiposteMetrics.AlertLineRead(malformed: line.Alert is null);
        }

        return line;
    }

    private void Discard()
    {
        _bufferOffset += _end;
        _start = _end = 0;
    }

    private AlertLine Oversized(long lineNumber, long offset) =>
        new(lineNumber, offset, null, $"line longer than {_maxLineBytes} bytes");
}
