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

        try
        {
            using var reader = XmlReader.Create(new StringReader(WrapperOpen + text + "</riposte-wrapper>"), ReaderSettings);
            var doc = XDocument.Load(reader, LoadOptions.SetLineInfo | LoadOptions.PreserveWhitespace);
            return doc.Root;
        }
        catch (XmlException ex)
        {
            var col = ex.LineNumber == 1 ? Math.Max(1, ex.LinePosition - WrapperOpen.Length) : ex.LinePosition;
            diagnostics.Add(new ConfigDiagnostic(
                DiagnosticSeverity.Error,
                new SourcePosition(file, ex.LineNumber, col),
                WazuhMessages.XmlReadError,
                WazuhMessages.XmlRead(file, StripPosition(ex.Message))));
            return null;
        }
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

    public static SourcePosition PositionOf(XObject node, string file)
    {
        if (node is IXmlLineInfo info && info.HasLineInfo())
        {
            var col = info.LineNumber == 1 ? info.LinePosition - WrapperOpen.Length : info.LinePosition;

            // XmlReader reports the column of the name, one past the '<'.
            if (node is XElement)
            {
                col--;
            }

            return new SourcePosition(file, info.LineNumber, Math.Max(1, col));
        }

        return new SourcePosition(file, 0, 0);
    }

    private static string StripPosition(string message)
    {
        var i = message.IndexOf(" Line ", StringComparison.Ordinal);
        return i > 0 ? message[..i].TrimEnd() : message;
    }

    [GeneratedRegex(@"^\uFEFF?\s*<\?xml[^>]*\?>")]
    private static partial Regex XmlDeclaration();
}
