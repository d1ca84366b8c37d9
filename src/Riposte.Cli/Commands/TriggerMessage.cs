using Riposte.Protocol.Execd;
using Riposte.Protocol.Json;
using Riposte.Safety;
using Riposte.Sdk;

namespace Riposte.Cli.Commands;

/// <summary>
/// The execd message a manual trigger sends (what <c>agent_control -b</c> and Wazuh's <c>PUT /active-response</c> send
/// to 4.2+ agents), with its input checked: shared by <c>riposte trigger</c> and the HTTP API so both refuse the same
/// addresses and user names.
/// </summary>
internal static class TriggerMessage
{
    /// <summary>The message, or null with <paramref name="error"/> saying what was refused.</summary>
    /// <param name="arName">The AR name as in ar.conf (<c>firewall-drop600</c>), or <c>!program</c>.</param>
    /// <param name="srcip">The address to act on (<c>parameters.alert.data.srcip</c>).</param>
    /// <param name="user">The account to act on (<c>parameters.alert.data.dstuser</c>).</param>
    /// <param name="alert">A whole alert JSON object to send instead of a minimal one.</param>
    /// <param name="alertLabel">How errors name the alert (a file name, or <c>alert</c>).</param>
    /// <param name="extraArgs"><c>parameters.extra_args</c>.</param>
    /// <param name="originModule"><c>origin.module</c> (Wazuh's API sends <c>API</c>, agent_control an empty string).</param>
    /// <param name="error">Why the input was refused.</param>
    /// <param name="ipLabel">How errors name the address input.</param>
    /// <param name="userLabel">How errors name the user input.</param>
    public static byte[]? Build(string arName, string? srcip, string? user, byte[]? alert, string alertLabel, IReadOnlyList<string> extraArgs,
        string originModule, out string? error, string ipLabel = "--srcip", string userLabel = "--user")
    {
        if (srcip is not null && WazuhValidation.WhyNotTargetAddress(srcip) is { } notAddress)
        {
            error = $"{ipLabel} {DisplayText.Quote(srcip)} is refused: it {notAddress}";
            return null;
        }

        if (user is not null && WazuhValidation.WhyNotAcceptedUsername(user) is { } notUser)
        {
            error = $"{userLabel} {DisplayText.Quote(user)} is refused: it {notUser} " +
                "(letters, digits, . _ - @ and one final $; never root; no leading - + ~; no ..)";
            return null;
        }

        CJsonObject alertObject;
        if (alert is not null)
        {
            if (!CJsonNode.TryParse(alert, out var node, out var parseError) || node is not CJsonObject parsed)
            {
                error = $"{alertLabel}: not a JSON object ({parseError})";
                return null;
            }

            alertObject = parsed;
        }
        else
        {
            alertObject = new CJsonObject();
        }

        if (srcip is not null || user is not null)
        {
            if (alertObject.Get("data") is not CJsonObject data)
            {
                data = new CJsonObject();
                alertObject.Add("data", data);
            }

            Set(data, "srcip", srcip);
            Set(data, "dstuser", user);
        }

        var origin = new CJsonObject();
        origin.Add("name", "");
        origin.Add("module", originModule);
        var parameters = new CJsonObject();
        var args = new CJsonArray();
        foreach (var arg in extraArgs)
        {
            args.Add(new CJsonString(arg));
        }

        parameters.Add("extra_args", args);
        parameters.Add("alert", alertObject);
        var root = new CJsonObject();
        root.Add("version", new CJsonNumber(1));
        root.Add("origin", origin);
        root.Add("command", arName);
        root.Add("parameters", parameters);
        var body = root.ToUtf8Bytes();
        error = WhyAlertTargetsAreUnsafe(body, alertLabel);
        return error is null ? body : null;
    }

    // An alert is as hostile as any alert: check what a program would act on, resolved as programs resolve it
    // (win.eventdata.ipAddress, then destinationIp, then data.srcip, so srcip cannot hide a bad eventdata value).
    // root is left to the engine, which refuses it only for programs that act on accounts.
    private static string? WhyAlertTargetsAreUnsafe(byte[] body, string alertLabel)
    {
        if (!ExecdMessage.TryParse(body, out var message, out var parseError) || message is null)
        {
            return $"{alertLabel}: not a message execd would accept ({parseError})";
        }

        if (message.TargetIp is { } ip && WazuhValidation.WhyNotTargetAddress(ip) is { } notAddress)
        {
            return $"{alertLabel}: the address a program would act on (data.win.eventdata.ipAddress, destinationIp or data.srcip) {DisplayText.Quote(ip)} is refused: it {notAddress}";
        }

        if (message.DstUser is { Length: > 0 } dstuser && WazuhValidation.WhyNotAcceptedUsername(dstuser, allowRoot: true) is { } notUser)
        {
            return $"{alertLabel}: the alert's user name (dstuser) {DisplayText.Quote(dstuser)} is refused: it {notUser}";
        }

        return null;
    }

    private static void Set(CJsonObject data, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (!data.Replace(name, value))
        {
            data.Add(name, value);
        }
    }
}
