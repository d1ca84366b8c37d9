using System.Text;

namespace Riposte;

internal static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "wazuh", name);

    public static string ManagerConfig => Path("sample-manager-ossec-ar.xml");

    public static string Alerts => Path("sample-alerts.jsonl");

    public static string Wire(string id)
    {
        var lines = File.ReadAllLines(Path("sample-ar-wire-messages.txt"), Encoding.UTF8);
        var start = Array.FindIndex(lines, l => l.StartsWith($"### {id} ", StringComparison.Ordinal));
        return lines[start + 1];
    }

    public static string WireBody(string id, int index = 0)
    {
        var lines = File.ReadAllLines(Path("sample-ar-wire-messages.txt"), Encoding.UTF8);
        var start = Array.FindIndex(lines, l => l.StartsWith($"### {id} ", StringComparison.Ordinal));
        var line = lines[start + 1 + index];
        return line[line.IndexOf('{', StringComparison.Ordinal)..];
    }
}
