using System.Text;

namespace Riposte.Config.Settings;

/// <summary>Converts byte offsets in a UTF-8 document to 1-based line and column positions.</summary>
/// <remarks>
/// Columns count UTF-16 code units, as XmlReader does for the ossec.conf diagnostics and as most editors do,
/// so a column lines up with what the user sees even after non-ASCII text on the same line.
/// </remarks>
internal sealed class SourceMap
{
    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly int[] _lineStarts;

    public SourceMap(string file, ReadOnlyMemory<byte> utf8)
    {
        File = file;
        _utf8 = utf8;
        var starts = new List<int> { 0 };
        var span = utf8.Span;
        for (int i = 0; i < span.Length; i++)
        {
            if (span[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    /// <summary>The file name used in positions.</summary>
    public string File { get; }

    /// <summary>The position of a byte offset; offsets past the end clamp to the end.</summary>
    public SourcePosition At(long offset)
    {
        int clamped = (int)Math.Clamp(offset, 0, _utf8.Length);
        int line = Array.BinarySearch(_lineStarts, clamped);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return At(line, clamped - _lineStarts[line]);
    }

    /// <summary>The position of a 0-based line and a 0-based byte offset within it, as JsonException reports them.</summary>
    public SourcePosition At(long zeroBasedLine, long byteInLine)
    {
        int line = (int)Math.Clamp(zeroBasedLine, 0, _lineStarts.Length - 1);
        int start = _lineStarts[line];
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : _utf8.Length;
        int length = (int)Math.Clamp(byteInLine, 0, end - start);
        int column = Encoding.UTF8.GetCharCount(_utf8.Span.Slice(start, length)) + 1;
        return new SourcePosition(File, line + 1, column);
    }
}
