using System.Globalization;
using System.Text.RegularExpressions;

namespace Riposte.Programs.Tests;

/// <summary>
/// Checks <c>logs/active-responses.log</c> against what Wazuh's own programs write (<c>write_debug_file</c>):
/// <c>YYYY/MM/DD HH:MM:SS active-response/bin/NAME: MESSAGE</c>, every run opening with <c>Starting</c>. Wazuh's
/// <c>ar_log_json</c> decoder and existing dashboards parse these lines, so the format is a contract.
/// </summary>
public static class ActiveResponsesLog
{
    /// <summary>
    /// Every line has Wazuh's format for <paramref name="program"/> and the log holds exactly the given runs in
    /// order; each entry of <paramref name="lastMessages"/> is the message that ends that run (null: any).
    /// </summary>
    public static void ShouldHaveRuns(WazuhHome home, string program, params string?[] lastMessages)
    {
        var lines = home.LogLines();
        var format = new Regex(@"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) " + Regex.Escape($"active-response/bin/{program}") + ": (.*)$");
        var messages = new List<string>();
        var previous = "";
        foreach (var line in lines)
        {
            // Wazuh logs each stdin line as fgets returned it, newline included, so an empty line follows the
            // echoed message: allowed there, nowhere else.
            if (line.Length == 0 && previous.EndsWith('}'))
            {
                previous = line;
                continue;
            }

            previous = line;
            var match = format.Match(line);
            match.Success.ShouldBeTrue($"log line not in Wazuh's format for {program}: '{line}'\nwhole log:\n{string.Join('\n', lines)}");
            var stamp = DateTime.ParseExact(match.Groups[1].Value, "yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
            // Local time, like Wazuh; the bound only catches a garbled or epoch timestamp, whatever the time zone.
            (stamp - TimeProvider.System.GetUtcNow().UtcDateTime).Duration().ShouldBeLessThan(TimeSpan.FromHours(27), line);
            messages.Add(match.Groups[2].Value);
        }

        var runs = new List<List<string>>();
        foreach (var message in messages)
        {
            if (message == "Starting" || runs.Count == 0)
            {
                runs.Add([]);
            }

            runs[^1].Add(message);
        }

        var log = string.Join('\n', lines);
        runs.Count.ShouldBe(lastMessages.Length, $"expected {lastMessages.Length} runs of {program} in the log:\n{log}");
        for (var i = 0; i < runs.Count; i++)
        {
            runs[i][0].ShouldBe("Starting", $"run {i + 1} does not open with 'Starting':\n{log}");
            if (lastMessages[i] is { } last)
            {
                runs[i][^1].ShouldBe(last, $"run {i + 1} should end with '{last}':\n{log}");
            }
        }
    }
}
