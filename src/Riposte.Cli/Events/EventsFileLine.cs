using System.Text.Json;
using System.Text.Json.Nodes;
using Riposte.Events;

namespace Riposte.Cli.Events;

/// <summary>
/// The shape of a line of <c>logs/riposte-events.json</c>: <c>{"integration":"riposte","riposte":{...}}</c>, the
/// convention of Wazuh's own integrations (aws, gcp, ...), so logcollector's <c>json</c> format and analysisd's JSON
/// decoder give rules <c>integration</c> and <c>riposte.*</c> fields without a decoder of ours.
/// </summary>
internal static class EventsFileLine
{
    /// <summary>The value of the top-level <c>integration</c> field.</summary>
    public const string Integration = "riposte";

    /// <summary>
    /// Longest detail written: logcollector cuts lines at 64 KiB (OS_MAXSTR) and a cut line is no longer JSON, so a
    /// long program error is shortened here instead.
    /// </summary>
    public const int MaxDetail = 4096;

    /// <summary>One line, ending in a newline, UTF-8 without a byte-order mark.</summary>
    public static byte[] Format(ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Detail is { Length: > MaxDetail } detail)
        {
            e = e with { Detail = detail[..MaxDetail] + "..." };
        }

        var riposte = JsonSerializer.SerializeToNode(e, EventJson.Compact.ResponseEvent)!.AsObject();
        if (e.Target is { } target)
        {
            // A scalar for rule descriptions: keys is an array, which Wazuh renders awkwardly in $(...).
            riposte["target"] = target;
        }

        var line = new JsonObject { ["integration"] = Integration, ["riposte"] = riposte };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CliJson.Relaxed))
        {
            line.WriteTo(writer);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The lines of <paramref name="events"/>, concatenated (one write per batch).</summary>
    public static byte[] Format(IReadOnlyList<ResponseEvent> events)
    {
        using var all = new MemoryStream();
        foreach (var e in events)
        {
            all.Write(Format(e));
        }

        return all.ToArray();
    }
}
