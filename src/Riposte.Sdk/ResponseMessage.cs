using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Riposte.Sdk;

/// <summary>
/// One message of the active-response protocol, validated as Wazuh's <c>get_json_from_input</c> does (JSON;
/// <c>version</c> a number; <c>origin</c> an object; <c>command</c> a string; <c>parameters</c> an object), with the
/// accessors of Wazuh's helper library. Member names are matched as cJSON matches them: ignoring ASCII case, first
/// match wins; string values end at an embedded NUL.
/// </summary>
public sealed class ResponseMessage : IDisposable
{
    /// <summary>The most bytes <see cref="ExtraArgsText"/> holds (Wazuh's 4096-byte buffer, NUL included).</summary>
    public const int MaxExtraArgsBytes = 4095;

    private readonly JsonDocument _document;

    private ResponseMessage(JsonDocument document, string command)
    {
        _document = document;
        Command = command;
    }

    /// <summary>The whole message.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary><c>command</c>: <c>add</c>, <c>delete</c>, <c>continue</c>, <c>abort</c>, <c>check_keys</c>...</summary>
    public string Command { get; }

    /// <summary><c>parameters</c> (always an object).</summary>
    public JsonElement Parameters => Member(Root, "parameters");

    /// <summary><c>origin.name</c> when it is a string.</summary>
    public string? OriginName => GetString("origin", "name");

    /// <summary><c>origin.module</c> when it is a string.</summary>
    public string? OriginModule => GetString("origin", "module");

    /// <summary><c>parameters.program</c> (execd adds it: <c>active-response/bin/&lt;exe&gt;</c>).</summary>
    public string? Program => GetString("parameters", "program");

    /// <summary><c>parameters.alert</c> when it is an object (<c>get_alert_from_json</c>).</summary>
    public JsonElement? Alert => Find("parameters", "alert") is { ValueKind: JsonValueKind.Object } alert ? alert : null;

    /// <summary>The alert exactly as it appears in the message, or null.</summary>
    public string? AlertJson => Alert?.GetRawText();

    /// <summary>The string items of <c>parameters.extra_args</c>, in order (non-strings are skipped, as in Wazuh).</summary>
    public IReadOnlyList<string> ExtraArgs
    {
        get
        {
            if (Find("parameters", "extra_args") is not { ValueKind: JsonValueKind.Array } array)
            {
                return [];
            }

            var items = new List<string>();
            foreach (var item in array.EnumerateArray())
            {
                if (CJson.CString(item) is { } text)
                {
                    items.Add(text);
                }
            }

            return items;
        }
    }

    /// <summary>
    /// <c>get_extra_args_from_json</c>: the string items joined with single spaces, stopping before the item that would
    /// not fit in 4095 bytes; null when that leaves nothing.
    /// </summary>
    public string? ExtraArgsText
    {
        get
        {
            var joined = new StringBuilder();
            var bytes = 0;
            foreach (var item in ExtraArgs)
            {
                var length = Encoding.UTF8.GetByteCount(item);
                if (bytes + length + 2 > MaxExtraArgsBytes + 1)
                {
                    break;
                }

                if (joined.Length > 0)
                {
                    joined.Append(' ');
                    bytes++;
                }

                joined.Append(item);
                bytes += length;
            }

            return joined.Length > 0 ? joined.ToString() : null;
        }
    }

    /// <summary>
    /// The source IP as <c>get_srcip_from_json</c> finds it: <c>parameters.alert.data.win.eventdata.ipAddress</c> if it is
    /// a string, else <c>...eventdata.destinationIp</c> if it is a string, else <c>parameters.alert.data.srcip</c>; then it
    /// must be a numeric IP literal or it counts as absent. Once an eventdata string exists, an invalid value there is
    /// not replaced by <c>data.srcip</c> (Wazuh's behaviour).
    /// </summary>
    public string? SourceIp => WazuhValidation.IsNumericIp(RawSourceIp) ? RawSourceIp : null;

    /// <summary>The value <see cref="SourceIp"/> is taken from, before validation.</summary>
    public string? RawSourceIp
    {
        get
        {
            if (Find("parameters", "alert", "data") is not { ValueKind: JsonValueKind.Object } data)
            {
                return null;
            }

            if (FindFrom(data, "win", "eventdata") is { ValueKind: JsonValueKind.Object } eventData)
            {
                foreach (var name in (ReadOnlySpan<string>)["ipAddress", "destinationIp"])
                {
                    if (CJson.TryGetMember(eventData, name, out var ip) && CJson.CString(ip) is { } text)
                    {
                        return text;
                    }
                }
            }

            return CJson.TryGetMember(data, "srcip", out var srcip) ? CJson.CString(srcip) : null;
        }
    }

    /// <summary>4 or 6 for <see cref="SourceIp"/>; null when there is none.</summary>
    public int? SourceIpVersion => WazuhValidation.GetIpVersion(SourceIp);

    /// <summary><c>parameters.alert.data.dstuser</c> when <see cref="WazuhValidation.IsValidUsername"/> accepts it.</summary>
    public string? DestinationUser => RawDestinationUser is { } user && WazuhValidation.IsValidUsername(user) ? user : null;

    /// <summary><c>parameters.alert.data.dstuser</c> before validation.</summary>
    public string? RawDestinationUser => GetString("parameters", "alert", "data", "dstuser");

    /// <summary>
    /// Parses and validates one line. False for what Wazuh logs as <c>Invalid input format</c>. Only the first JSON
    /// value is read; trailing bytes (the newline, or anything else) are ignored, as cJSON does.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out ResponseMessage? message)
    {
        message = null;
        var document = CJson.Parse(utf8);
        if (document is null)
        {
            return false;
        }

        var root = document.RootElement;
        if (Member(root, "version").ValueKind != JsonValueKind.Number ||
            Member(root, "origin").ValueKind != JsonValueKind.Object ||
            CJson.CString(Member(root, "command")) is not { } command ||
            Member(root, "parameters").ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return false;
        }

        message = new ResponseMessage(document, command);
        return true;
    }

    /// <summary>Parses and validates a message given as text.</summary>
    /// <exception cref="FormatException">Not a valid message.</exception>
    public static ResponseMessage Parse(string json) =>
        TryParse(Encoding.UTF8.GetBytes(json ?? string.Empty), out var message) ? message : throw new FormatException("Invalid input format");

    /// <summary>The value at a path of member names from the root (cJSON lookup rules), or null.</summary>
    public JsonElement? Find(params ReadOnlySpan<string> path) => FindFrom(Root, path);

    /// <summary>The string at a path of member names from the root (cut at an embedded NUL), or null when absent or not a string.</summary>
    public string? GetString(params ReadOnlySpan<string> path) => Find(path) is { } value ? CJson.CString(value) : null;

    /// <summary>Releases the parsed document.</summary>
    public void Dispose() => _document.Dispose();

    private static JsonElement? FindFrom(JsonElement from, params ReadOnlySpan<string> path) =>
        CJson.TryGetPath(from, path, out var value) ? value : null;

    private static JsonElement Member(JsonElement element, string name) =>
        CJson.TryGetMember(element, name, out var value) ? value : default;
}
