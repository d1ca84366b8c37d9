namespace Riposte.Sdk;

/// <summary>
/// Reads lines the way Wazuh's helper reads stdin with <c>fgets(buf, 65536, stdin)</c>: at most 65535 bytes, the
/// newline kept, a last line without newline returned as it is, and the C string ending at the first NUL byte.
/// Bytes read past a line stay buffered for the next call, so an execd that writes both lines at once is served.
/// </summary>
internal sealed class LineReader(Stream stream)
{
    /// <summary>What one <c>fgets</c> of Wazuh's helper returns at most.</summary>
    public const int MaxLineBytes = 65535;

    private readonly Stream _stream = stream;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next line, or null at end of input (fgets returning NULL).</summary>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var available = _end - _start;
            var window = Math.Min(available, MaxLineBytes);
            var newline = _buffer.AsSpan(_start + scanned, window - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return Take(scanned + newline + 1);
            }

            scanned = window;
            if (available >= MaxLineBytes)
            {
                return Take(MaxLineBytes);
            }

            if (_eof)
            {
                return available > 0 ? Take(available) : null;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes + 8192));
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    private byte[] Take(int count)
    {
        var line = _buffer.AsSpan(_start, count);
        _start += count;
        var nul = line.IndexOf((byte)0);
        return (nul >= 0 ? line[..nul] : line).ToArray();
    }
}
