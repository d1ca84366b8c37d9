namespace Riposte.Support;

/// <summary>Protocol lines for tests: the fixture's wire messages and small hand-made ones.</summary>
internal static class Messages
{
    /// <summary>A message as execd sends it to a program, with the given alert (JSON) and extra_args.</summary>
    public static string Execd(string command, string alert, string extraArgs = "[]", string program = "active-response/bin/test") =>
        "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},\"command\":\"" + command +
        "\",\"parameters\":{\"extra_args\":" + extraArgs + ",\"alert\":" + alert + ",\"program\":\"" + program + "\"}}";

    /// <summary>A message whose alert has <c>data.srcip</c>.</summary>
    public static string WithSrcIp(string command, string srcip, string extraArgs = "[]") =>
        Execd(command, "{\"rule\":{\"level\":10,\"description\":\"Test.\",\"id\":\"5712\"},\"data\":{\"srcip\":\"" + srcip + "\"}}", extraArgs);

    /// <summary>A message whose alert has <c>data.dstuser</c>.</summary>
    public static string WithUser(string command, string user) =>
        Execd(command, "{\"rule\":{\"level\":10,\"description\":\"Test.\",\"id\":\"5763\"},\"data\":{\"srcip\":\"198.51.100.23\",\"dstuser\":\"" + user + "\"}}");

    /// <summary>The continue/abort answer execd gives to a message (the message with only command changed).</summary>
    public static string Answer(string message, string command) =>
        message.Replace("\"command\":\"add\"", $"\"command\":\"{command}\"", StringComparison.Ordinal);
}
