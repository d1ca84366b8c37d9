namespace Riposte.Programs.Tests;

/// <summary>
/// The stdin lines wazuh-execd writes to a program (sample wire messages A4 add, A6 continue, A7 abort, A8
/// delete), with the alert's source IP, the target user and the program path swapped in. Editing the captured text
/// rather than building JSON keeps every other byte exactly as execd sends it.
/// </summary>
public static class ArMessages
{
    private const string SampleIp = "203.0.113.45";
    private const string SampleProgram = "\"program\":\"active-response/bin/firewall-drop\"";
    private const string SampleData = "\"srcuser\":\"user\"}";

    public static string Add(string program, string srcip, string? dstuser = null) => Edit("A4", program, srcip, dstuser);

    public static string Continue(string program, string srcip, string? dstuser = null) => Edit("A6", program, srcip, dstuser);

    public static string Abort(string program, string srcip, string? dstuser = null) => Edit("A7", program, srcip, dstuser);

    public static string Delete(string program, string srcip, string? dstuser = null) => Edit("A8", program, srcip, dstuser);

    private static string Edit(string sample, string program, string srcip, string? dstuser)
    {
        var line = Fixtures.Wire(sample);
        line = Replace(line, SampleIp, srcip);
        line = Replace(line, SampleProgram, $"\"program\":\"active-response/bin/{program}\"");
        if (dstuser is not null)
        {
            var user = System.Text.Json.JsonEncodedText.Encode(dstuser).ToString();
            line = Replace(line, SampleData, $"\"srcuser\":\"user\",\"dstuser\":\"{user}\"}}");
        }

        return line;
    }

    private static string Replace(string text, string what, string with) =>
        text.Contains(what, StringComparison.Ordinal)
            ? text.Replace(what, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"sample wire message lacks {what}");
}
