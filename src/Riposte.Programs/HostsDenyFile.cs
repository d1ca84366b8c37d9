using System.Text;

namespace Riposte.Programs;

/// <summary>
/// The text edits of <c>host-deny</c>, kept apart from the file system. Lines are compared whole (surrounding blanks
/// and a CR ignored), never as substrings: Wazuh's substring test (quirk Q19) refuses to add <c>10.0.0.1</c> when
/// <c>10.0.0.10</c> is listed and deleting <c>10.0.0.1</c> also removes <c>10.0.0.10</c>. Everything else in the file is
/// kept byte for byte (the text is handled as Latin-1, which maps every byte to one character and back).
/// </summary>
internal static class HostsDenyFile
{
    /// <summary>The encoding that round-trips any bytes.</summary>
    public static Encoding Bytes => Encoding.Latin1;

    /// <summary>
    /// The TCP wrappers entry for an address: <c>ALL:203.0.113.5</c>; IPv6 in brackets, <c>ALL:[2001:db8::1]</c>, the
    /// form hosts_access(5) matches (Wazuh writes it unbracketed, which TCP wrappers do not match).
    /// </summary>
    public static string Entry(string ip, int version) => version == 6 ? $"ALL:[{ip}]" : $"ALL:{ip}";

    /// <summary>Every line a delete removes: the entry, and for IPv6 also the unbracketed form Wazuh wrote.</summary>
    public static string[] EntriesToRemove(string ip, int version) => version == 6 ? [Entry(ip, 6), $"ALL:{ip}"] : [Entry(ip, 4)];

    /// <summary>True when a line is exactly <paramref name="entry"/>.</summary>
    public static bool Contains(string content, string entry) => Lines(content).Any(line => IsEntry(line, entry));

    /// <summary>The content with <paramref name="entry"/> appended on its own line, or null when it is already there.</summary>
    public static string? Add(string content, string entry)
    {
        if (Contains(content, entry))
        {
            return null;
        }

        var separator = content.Length > 0 && content[^1] != '\n' ? "\n" : string.Empty;
        return content + separator + entry + "\n";
    }

    /// <summary>The content without the lines that are exactly one of <paramref name="entries"/>, or null when there is none.</summary>
    public static string? Remove(string content, IReadOnlyCollection<string> entries)
    {
        var kept = new StringBuilder(content.Length);
        var removed = false;
        var start = 0;
        while (start < content.Length)
        {
            var newline = content.IndexOf('\n', start);
            var end = newline < 0 ? content.Length : newline + 1;
            var line = content[start..end];
            if (entries.Any(entry => IsEntry(line, entry)))
            {
                removed = true;
            }
            else
            {
                kept.Append(line);
            }

            start = end;
        }

        return removed ? kept.ToString() : null;
    }

    private static string[] Lines(string content) => content.Split('\n');

    private static bool IsEntry(string line, string entry) => line.AsSpan().Trim().SequenceEqual(entry);
}
