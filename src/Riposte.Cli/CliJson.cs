using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Riposte.Cli;

/// <summary>How commands print JSON and times: raw UTF-8 (no \u escapes for non-ASCII), UTC ISO 8601 to the second.</summary>
internal static class CliJson
{
    public static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
