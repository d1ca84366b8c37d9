using System.Text;

namespace Riposte.Sdk;

/// <summary>The program's side of the handshake, byte for byte as Wazuh's <c>build_json_keys_message</c> prints it.</summary>
public static class ControlMessage
{
    /// <summary>
    /// <c>{"version":1,"origin":{"name":"&lt;name&gt;","module":"active-response"},"command":"check_keys","parameters":{"keys":[...]}}</c>,
    /// compact, with cJSON's string escapes, without the newline.
    /// </summary>
    public static string CheckKeys(string programName, IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(programName);
        ArgumentNullException.ThrowIfNull(keys);
        var json = new StringBuilder(128);
        json.Append("{\"version\":1,\"origin\":{\"name\":");
        CJson.WriteString(json, programName);
        json.Append(",\"module\":\"active-response\"},\"command\":\"check_keys\",\"parameters\":{\"keys\":[");
        var first = true;
        foreach (var key in keys)
        {
            if (!first)
            {
                json.Append(',');
            }

            CJson.WriteString(json, key ?? string.Empty);
            first = false;
        }

        return json.Append("]}}").ToString();
    }
}
