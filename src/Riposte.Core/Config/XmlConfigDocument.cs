using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Riposte.Config;

/// <summary>
/// Loads an ossec.conf-style file: several top-level roots are allowed, so the text is wrapped in a synthetic
/// root before parsing; positions are mapped back to the original file.
/// </summary>
internal static partial class XmlConfigDocument
{
    private const string WrapperOpen = "<riposte-wrapper>";
    private const string WrapperClose = "</riposte-wrapper>";
    private static readonly System.Buffers.SearchValues<char> NameEnd = System.Buffers.SearchValues.Create(">/ \t\r\n");

    public static XElement? Load(string text, string file, ICollection<ConfigDiagnostic> diagnostics)
    {
        // An XML declaration may only start a document; blank it out (same length) so positions stay put.
        text = XmlDeclaration().Replace(text, m => new string(' ', m.Length));
        if (XmlStructureGuard.Check(text) is { } violation)
        {
            diagnostics.Add(new ConfigDiagnostic(
                DiagnosticSeverity.Error,
                PositionAt(text, violation.Offset, file),
                WazuhMessages.XmlReadError,
                WazuhMessages.XmlRead(file, violation.Reason + ".")));
            return null;
        }

        var wrapped = WrapperOpen + text + WrapperClose;
        try
        {
            using var reader = XmlReader.Create(new StringReader(wrapped), ReaderSettings);
            var doc = XDocument.Load(reader, LoadOptions.SetLineInfo | LoadOptions.PreserveWhitespace);
            return doc.Root;
        }
        catch (XmlException ex)
        {
            diagnostics.Add(Unclosed(wrapped, text.Length, ex, file) ?? new ConfigDiagnostic(
                DiagnosticSeverity.Error,
                FromReader(file, ex.LineNumber, ex.LinePosition, isElement: false),
                WazuhMessages.XmlReadError,
                WazuhMessages.XmlRead(file, StripPosition(ex.Message) + NotXmlHint(text))));
            return null;
        }
    }

    /// <summary>
    /// An end tag that does not match its start tag, or the end of the file with an element still open, reported at
    /// the start tag that was never closed. XmlReader puts the error at the end tag, and a file that ends early
    /// surfaces as a mismatch with the synthetic wrapper's end tag: at the end of the file, naming 'riposte-wrapper'.
    /// Null for any other error.
    /// </summary>
    private static ConfigDiagnostic? Unclosed(string wrapped, int textLength, XmlException ex, string file)
    {
        var offset = OffsetOf(wrapped, ex.LineNumber, ex.LinePosition);
        if (offset is < 2 || offset > wrapped.Length || wrapped[offset - 2] != '<' || wrapped[offset - 1] != '/')
        {
            return null;
        }

        var open = OpenElementsAt(wrapped);
        if (open is null || open.Count < 2)
        {
            // Only the wrapper is open: a stray end tag, which XmlReader's own message explains.
            return null;
        }

        var (name, line, position) = open[^1];
        var start = FromReader(file, line, position, isElement: true);
        string reason;
        if (offset >= WrapperOpen.Length + textLength)
        {
            reason = $"The '{name}' start tag on line {start.Line} position {start.Column} is not closed before the end of the file.";
        }
        else
        {
            var end = FromReader(file, ex.LineNumber, ex.LinePosition - 2, isElement: false);
            var rest = wrapped.AsSpan(offset);
            var stop = rest.IndexOfAny(NameEnd);
            var endName = (stop < 0 ? rest : rest[..stop]).ToString();
            reason = $"The '{name}' start tag on line {start.Line} position {start.Column} does not match the end tag of '{endName}' (line {end.Line} position {end.Column}).";
        }

        return new ConfigDiagnostic(DiagnosticSeverity.Error, start, WazuhMessages.XmlReadError, WazuhMessages.XmlRead(file, reason));
    }

    /// <summary>The elements still open (name, XmlReader's line and position) when XmlReader fails on the text; null if it does not.</summary>
    private static List<(string Name, int Line, int Position)>? OpenElementsAt(string wrapped)
    {
        var open = new List<(string, int, int)>();
        using var reader = XmlReader.Create(new StringReader(wrapped), ReaderSettings);
        var info = (IXmlLineInfo)reader;
        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && !reader.IsEmptyElement)
                {
                    open.Add((reader.Name, info.LineNumber, info.LinePosition));
                }
                else if (reader.NodeType == XmlNodeType.EndElement && open.Count > 0)
                {
                    open.RemoveAt(open.Count - 1);
                }
            }
        }
        catch (XmlException)
        {
            return open;
        }

        return null;
    }

    /// <summary>The index in the text of XmlReader's 1-based line and position (line breaks counted as '\n').</summary>
    private static int OffsetOf(string text, int line, int position)
    {
        var start = 0;
        for (var i = 1; i < line; i++)
        {
            var next = text.IndexOf('\n', start);
            if (next < 0)
            {
                return -1;
            }

            start = next + 1;
        }

        return start + position - 1;
    }

    /// <summary>A position XmlReader gives in the wrapped text, in the file; an element's is moved from its name to its '&lt;'.</summary>
    private static SourcePosition FromReader(string file, int line, int position, bool isElement)
    {
        var col = line == 1 ? position - WrapperOpen.Length : position;
        return new SourcePosition(file, line, Math.Max(1, isElement ? col - 1 : col));
    }

    /// <summary>
    /// A hint for a file that does not even start like XML (a binary, a script, JSON), where XmlReader's message about
    /// a character says little.
    /// </summary>
    private static string NotXmlHint(string text)
    {
        var first = text.AsSpan().TrimStart(" \t\r\n\uFEFF");
        return first.IsEmpty || first[0] == '<'
            ? ""
            : " The file does not look like XML: an ossec.conf is made of <ossec_config> elements.";
    }

    /// <summary>
    /// XDocument.Parse's settings except for DTDs: os_xml has no DTD support, and entity expansion is a way to blow a
    /// small file up to megabytes of text.
    /// </summary>
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
    };

    /// <summary>The 1-based line and column (in UTF-16 units, as XmlReader counts) of an offset in the text.</summary>
    private static SourcePosition PositionAt(string text, int offset, string file)
    {
        var before = text.AsSpan(0, offset);
        var line = before.Count('\n') + 1;
        var column = offset - before.LastIndexOf('\n');
        return new SourcePosition(file, line, column);
    }

    public static SourcePosition PositionOf(XObject node, string file) =>
        node is IXmlLineInfo info && info.HasLineInfo()
            // XmlReader reports an element at the column of its name, one past the '<'.
            ? FromReader(file, info.LineNumber, info.LinePosition, node is XElement)
            : new SourcePosition(file, 0, 0);

    private static string StripPosition(string message)
    {
        var i = message.IndexOf(" Line ", StringComparison.Ordinal);
        return i > 0 ? message[..i].TrimEnd() : message;
    }

    [GeneratedRegex(@"^\uFEFF?\s*<\?xml[^>]*\?>")]
    private static partial Regex XmlDeclaration();
}
