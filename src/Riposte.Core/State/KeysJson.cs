using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Riposte.State;

/// <summary>
/// Keys lists are stored as a JSON array of strings: self-describing for someone inspecting the file with
/// <c>sqlite3</c>, and queryable with SQLite's <c>json_each</c>.
/// </summary>
internal static class KeysJson
{
    public const string Empty = "[]";

    // Relaxed escaping keeps non-ASCII keys readable in the file; the text never reaches HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Encode(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return Empty;
        }

        // The usual key (an IP, a user name) needs no escaping: spare the writer on the add path.
        if (keys.Count == 1 && keys[0] is { } only && IsPlainAscii(only))
        {
            return string.Concat("[\"", only, "\"]");
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var key in keys)
            {
                if (key is null)
                {
                    throw new ArgumentException("Keys must not contain null.", nameof(keys));
                }

                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string[] Decode(string json)
    {
        if (json.Length <= 2)
        {
            return [];
        }

        // Start-up loads every entry, nearly all with one key: skip the UTF-8 round trip when the text can only
        // be one string with no escapes in it.
        if (json.Length >= 4 && json.StartsWith("[\"", StringComparison.Ordinal) && json.EndsWith("\"]", StringComparison.Ordinal) &&
            json.AsSpan(2, json.Length - 4).IndexOfAny('"', '\\') < 0)
        {
            return [json[2..^2]];
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes);
        var keys = new List<string>(1);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                keys.Add(reader.GetString()!);
            }
        }

        return [.. keys];
    }

    private static bool IsPlainAscii(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
