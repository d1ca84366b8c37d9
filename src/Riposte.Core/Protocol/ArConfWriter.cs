using System.Globalization;
using System.Text;
using Riposte.Config;

namespace Riposte.Protocol;

/// <summary>Writes the <c>etc/shared/ar.conf</c> analysisd generates at start.</summary>
public static class ArConfWriter
{
    private static readonly string[] FixedLines =
    [
        "restart-ossec0 - restart-ossec.sh - 0",
        "restart-ossec0 - restart-ossec.cmd - 0",
        "restart-wazuh0 - restart-ossec.sh - 0",
        "restart-wazuh0 - restart-ossec.cmd - 0",
        "restart-wazuh0 - restart-wazuh - 0",
        "restart-wazuh0 - restart-wazuh.exe - 0",
    ];

    /// <summary>The six fixed lines, then one line per accepted block in document order; each line ends with <c>\n</c>.</summary>
    public static string Write(WazuhConfig config)
    {
        var builder = new StringBuilder();
        foreach (var line in FixedLines)
        {
            builder.Append(line).Append('\n');
        }

        foreach (var response in config.ActiveResponses)
        {
            builder.Append(response.Name).Append(" - ").Append(response.Executable).Append(" - ")
                .Append(response.Timeout.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return builder.ToString();
    }
}
