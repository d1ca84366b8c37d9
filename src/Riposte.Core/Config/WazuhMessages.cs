namespace Riposte.Config;

/// <summary>Wazuh's configuration message catalogue (codes and exact texts, without the "(code): " prefix).</summary>
internal static class WazuhMessages
{
    public const int XmlReadError = 1226;
    public const int InvalidElement = 1230;
    public const int NullContent = 1234;
    public const int InvalidValue = 1235;
    public const int InvalidIp = 1237;
    public const int MissingCommandOptions = 1280;
    public const int MissingArOptions = 1281;
    public const int InvalidLocation = 1302;
    public const int InvalidCommand = 1303;
    public const int NoAgentDefined = 1304;
    public const int TimeoutNotAllowed = 1305;
    public const int InvalidAgentId = 1306;
    public const int TooManyCommands = 1307;
    public const int InvalidIpAddress = 1271;
    public const int InvalidUserName = 1272;

    public static string XmlRead(string file, string reason) => $"Error reading XML file '{file}': {reason}";
    public static string Element(string element) => $"Invalid element in the configuration: '{element}'.";
    public static string Null(string element) => $"Invalid NULL content for element: {element}.";
    public static string Value(string element, string value) => $"Invalid value for element '{element}': {value}.";
    public static string Ip(string value) => $"Invalid ip address: '{value}'.";
    public const string CommandOptions = "Missing command options. You must specify a 'name' and 'executable'.";
    public const string ArOptions = "Missing options in the active response configuration. ";
    public static string Location(string value) => $"Invalid active response location: '{value}'.";
    public static string Command(string value) => $"Invalid command '{value}' in the active response.";
    public const string NoAgent = "No agent defined for response.";
    public static string NoTimeout(string command) => $"Timeout not allowed for command: '{command}'.";
    public const string AgentId = "Invalid agent ID. Use location=server to run AR on the manager.";
    public static string Exceeded(int count, int max, string file) =>
        $"Defined {count} active response commands, more than the maximum of {max}. The exceeding entries of '{file}' may not be loaded by the agents.";
    public static string BadIp(string ip) => $"Invalid IP Address '{ip}'. Possible logging attack.";
    public static string BadUser(string user) => $"Invalid username '{user}'. Possible logging attack.";
}
