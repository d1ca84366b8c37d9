using System.Text;

namespace Riposte;

/// <summary>Paths and helpers for the Wazuh fixtures copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "wazuh", name);

    public static string ManagerConfig => Path("sample-manager-ossec-ar.xml");

    public static string AgentConfig => Path("sample-agent-ossec-ar.xml");

    public static string Alerts => Path("sample-alerts.jsonl");

    public static string[] AlertLines => File.ReadAllText(Path("sample-alerts.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The wire message that follows the <c>### ID</c> label line in sample-ar-wire-messages.txt.</summary>
    public static string Wire(string id)
    {
        var lines = File.ReadAllLines(Path("sample-ar-wire-messages.txt"), Encoding.UTF8);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].StartsWith($"### {id} ", StringComparison.Ordinal))
            {
                return lines[i + 1];
            }
        }

        throw new InvalidOperationException($"no wire message {id}");
    }

    /// <summary>The wire messages after a label (some labels have several).</summary>
    public static string[] WireAll(string id)
    {
        var lines = File.ReadAllLines(Path("sample-ar-wire-messages.txt"), Encoding.UTF8);
        var start = Array.FindIndex(lines, l => l.StartsWith($"### {id} ", StringComparison.Ordinal));
        return [.. lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("###", StringComparison.Ordinal))];
    }

    /// <summary>The JSON body of the <paramref name="index"/>-th wire message after a label (its queue header removed).</summary>
    public static string WireBody(string id, int index = 0)
    {
        var line = WireAll(id)[index];
        return line[line.IndexOf('{', StringComparison.Ordinal)..];
    }

    /// <summary>Wraps blocks in an ossec_config root.</summary>
    public static string Conf(string inner) => $"<ossec_config>\n{inner}\n</ossec_config>\n";

    public const string FirewallDropCommand = """
        <command>
          <name>firewall-drop</name>
          <executable>firewall-drop</executable>
          <timeout_allowed>yes</timeout_allowed>
        </command>
        """;
}
