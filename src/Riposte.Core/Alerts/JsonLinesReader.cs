using System.Globalization;

namespace Riposte.Alerts;

/// <summary>
/// Streams alerts from JSON-lines input (alerts.json). Malformed lines are reported with their line number, byte
/// offset and reason, and reading goes on; blank lines are skipped. Memory stays flat in the input size.
/// </summary>
public sealed class JsonLinesReader
{
    /// <summary>Lines longer than this are reported and skipped rather than buffered (Wazuh caps messages at 64 KiB; alerts can be larger).</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;

    /// <summary>Reads from <paramref name="stream"/>; the caller owns it.</summary>
    public JsonLinesReader(Stream stream, int maxLineBytes = DefaultMaxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>Every non-blank line, in order.</summary>
    public IEnumerable<AlertLine> ReadAll()
    {
        var buffer = new byte[64 * 1024];
        var start = 0;
        var end = 0;
        long lineNumber = 0;
        long bufferOffset = 0;
        var skippingOversized = false;
        long oversizedLine = 0, oversizedOffset = 0;

        while (true)
        {
            var read = _stream.Read(buffer, end, buffer.Length - end);
            var eof = read == 0;
            end += read;

            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline < 0)
                {
                    break;
                }

                if (skippingOversized)
                {
                    skippingOversized = false;
                    yield return new AlertLine(oversizedLine, oversizedOffset, null, $"line longer than {_maxLineBytes} bytes");
                }
                else
                {
                    lineNumber++;
                    var line = ParseLine(buffer.AsSpan(start, newline - start), lineNumber, bufferOffset + start);
                    if (line is not null)
                    {
                        yield return line;
                    }
                }

                start = newline + 1;
            }

            if (eof)
            {
                if (skippingOversized)
                {
                    yield return new AlertLine(oversizedLine, oversizedOffset, null, $"line longer than {_maxLineBytes} bytes");
                }
                else if (end > start)
                {
                    lineNumber++;
                    var last = ParseLine(buffer.AsSpan(start, end - start), lineNumber, bufferOffset + start);
                    if (last is not null)
                    {
                        yield return last;
                    }
                }

                yield break;
            }

            // Keep the partial line: move it to the front, or grow when one line fills the buffer.
            var pending = end - start;
            if (skippingOversized)
            {
                bufferOffset += end;
                start = end = 0;
                continue;
            }

            if (pending >= _maxLineBytes)
            {
                lineNumber++;
                skippingOversized = true;
                oversizedLine = lineNumber;
                oversizedOffset = bufferOffset + start;
                bufferOffset += end;
                start = end = 0;
                continue;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, pending);
                bufferOffset += start;
                start = 0;
                end = pending;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _maxLineBytes + 1));
            }
        }
    }

    /// <summary>Parses one line's bytes (without its newline); null for a blank line.</summary>
    public static AlertLine? ParseLine(ReadOnlySpan<byte> bytes, long lineNumber, long byteOffset)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        var trimmed = bytes.Trim(" \t\r"u8);
        if (trimmed.IsEmpty)
        {
            return null;
        }

        var copy = trimmed.ToArray();
        if (AlertParser.TryParse(copy, out var alert, out var error, out var errorOffset))
        {
            return new AlertLine(lineNumber, byteOffset, alert, null);
        }

        // The reason names the byte within the line, so the line's offset, which every caller reports, locates it.
        var inLine = bytes.Length - bytes.TrimStart(" \t\r"u8).Length + Math.Clamp(errorOffset, 0, trimmed.Length);
        return new AlertLine(lineNumber, byteOffset, null, string.Create(CultureInfo.InvariantCulture, $"{error} (byte {inLine} of the line)"))
        {
            ErrorOffset = byteOffset + inLine,
        };
    }
}
