using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Riposte.Config.Settings;

/// <summary>Reads and validates <c>riposte.json</c>.</summary>
/// <remarks>
/// The file is JSON with <c>//</c> and <c>/* */</c> comments and trailing commas. Unknown keys, wrong types and
/// invalid values are errors at their <c>file:line:col</c>; reading carries on so every problem is reported at once.
/// </remarks>
public static partial class RiposteSettingsReader
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a settings file.</summary>
    /// <param name="path">The file; diagnostics name it as given.</param>
    /// <returns>
    /// The settings, or null when any diagnostic is an error (including a missing or unreadable file), and every
    /// diagnostic in file order.
    /// </returns>
    public static (RiposteSettings? Settings, IReadOnlyList<ConfigDiagnostic> Diagnostics) ReadFile(string path)
    {
        byte[]? bytes;
        string? refusal;
        try
        {
            bytes = BoundedFile.Read(path, out refusal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            refusal = e.Message;
            bytes = null;
        }

        if (bytes is null)
        {
            var diagnostic = new ConfigDiagnostic(DiagnosticSeverity.Error, new SourcePosition(path, 0, 0), null, $"cannot read the settings file: {refusal}");
            return (null, [diagnostic]);
        }

        return Read(bytes, path);
    }

    /// <summary>Reads settings from text.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="file">The name diagnostics use.</param>
    /// <returns>The settings, or null when any diagnostic is an error, and every diagnostic in file order.</returns>
    public static (RiposteSettings? Settings, IReadOnlyList<ConfigDiagnostic> Diagnostics) ReadText(string json, string file = "riposte.json") =>
        Read(Encoding.UTF8.GetBytes(json), file);

    internal static (RiposteSettings? Settings, IReadOnlyList<ConfigDiagnostic> Diagnostics) Read(byte[] bytes, string file)
    {
        ReadOnlyMemory<byte> utf8 = bytes;
        if (utf8.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            // Utf8JsonReader rejects a byte order mark; offsets stay consistent because the map sees the same bytes
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        var map = new SourceMap(file, utf8);
        var diagnostics = new List<ConfigDiagnostic>();
        if (utf8.Span.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, map.At(0), null, "the file is empty; write {} to use every default"));
            return (null, diagnostics);
        }

        if (FirstInvalidUtf8(utf8.Span) is { } bad)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, map.At(bad), null,
                $"invalid UTF-8 (byte 0x{utf8.Span[bad]:X2}); the file must be UTF-8 text"));
            return (null, diagnostics);
        }

        JsonPositionIndex index;
        try
        {
            index = JsonPositionIndex.Build(utf8.Span, ReaderOptions);
        }
        catch (JsonException e)
        {
            var position = map.At(e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, position, null, $"invalid JSON: {WithoutPosition(e.Message)}"));
            return (null, diagnostics);
        }

        if (index.InvalidString is { } invalid)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, map.At(invalid.Offset), null, invalid.Message));
            return (null, diagnostics);
        }

        foreach (var duplicate in index.Duplicates)
        {
            var first = map.At(duplicate.FirstOffset);
            diagnostics.Add(new ConfigDiagnostic(
                DiagnosticSeverity.Error,
                map.At(duplicate.Offset),
                null,
                $"{duplicate.Path} is given twice (first at {first.Line}:{first.Column})"));
        }

        RiposteSettings settings;
        using (var document = JsonDocument.Parse(utf8, DocumentOptions))
        {
            settings = new SettingsBinder(map, index, diagnostics).Bind(document.RootElement);
        }

        // the binder works section by section and checks references last; users read findings top to bottom
        var ordered = diagnostics.OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column).ToArray();
        bool failed = ordered.Any(d => d.Severity == DiagnosticSeverity.Error);
        return (failed ? null : settings, ordered);
    }

    /// <summary>
    /// The offset of the first byte that is not well-formed UTF-8, or null. Utf8JsonReader does not check the bytes
    /// inside strings, and decoding them later throws, so the whole file is checked first.
    /// </summary>
    private static int? FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        var offset = 0;
        while (offset < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    /// <summary>JsonException messages end with a byte-based position, which the diagnostic already gives properly.</summary>
    private static string WithoutPosition(string message) => PositionSuffix().Replace(message, "");

    [GeneratedRegex(@"\s*(Path: \S* \| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?$")]
    private static partial Regex PositionSuffix();
}
