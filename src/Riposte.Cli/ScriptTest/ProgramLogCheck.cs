using System.Text;
using System.Text.RegularExpressions;

namespace Riposte.Cli.ScriptTest;

/// <summary>
/// Checks what the program appended to <c>logs/active-responses.log</c> against the format of the helper library's
/// <c>write_debug_file</c> (spec §6.1), which is what Wazuh's <c>ar_log_json</c> decoder prematches.
/// </summary>
internal static partial class ProgramLogCheck
{
    /// <summary>The log size before the test, so that only what the program writes now is judged.</summary>
    public static long SizeBefore(string logPath) => File.Exists(logPath) ? new FileInfo(logPath).Length : 0;

    /// <summary>Reads what was appended since <paramref name="sizeBefore"/> and records a warning for lines Wazuh would miss.</summary>
    public static ProgramLogReport Check(ScriptHome home, long sizeBefore, FindingList findings)
    {
        const string relative = "logs/active-responses.log";
        if (!File.Exists(home.LogPath))
        {
            return new ProgramLogReport(relative, false, 0, 0);
        }

        byte[] appended;
        using (var stream = new FileStream(home.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            // A log rotated or truncated meanwhile is read from its start.
            stream.Position = stream.Length >= sizeBefore ? sizeBefore : 0;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            appended = copy.ToArray();
        }

        if (appended.Length == 0)
        {
            return new ProgramLogReport(relative, false, 0, 0);
        }

        // Empty lines are expected: the helper logs each input line with its own newline, so an empty line follows.
        var lines = Encoding.UTF8.GetString(appended).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var expected = $"active-response/bin/{home.Name}";
        var bad = new List<string>();
        var otherName = new List<string>();
        foreach (var line in lines)
        {
            var match = Prefix().Match(line);
            if (!match.Success)
            {
                bad.Add(line);
            }
            else if (match.Groups["program"].Value != expected)
            {
                otherName.Add(match.Groups["program"].Value);
            }
        }

        if (bad.Count > 0)
        {
            findings.Add(Findings.LogFormat, 0, $"{bad.Count} of {lines.Count} lines, e.g. \"{TextShortener.Shorten(bad[0], 100)}\"");
        }
        else if (otherName.Count > 0)
        {
            // Wazuh's decoder still matches, but the lines do not say which program wrote them as execd ran it.
            findings.Add(Findings.LogFormat, 0, $"{otherName.Count} lines name '{otherName[0]}' instead of '{expected}': log argv[0] as given");
        }

        return new ProgramLogReport(relative, true, lines.Count, bad.Count + otherName.Count);
    }

    /// <summary>The decoder's prematch: <c>^\d\d\d\d/\d\d/\d\d \d\d:\d\d:\d\d active-response/bin/\S+: </c>.</summary>
    [GeneratedRegex(@"^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} (?<program>active-response/bin/\S+): ", RegexOptions.CultureInvariant)]
    private static partial Regex Prefix();
}
