using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>firewalld-drop</c>, Wazuh's behaviour: <c>firewall-cmd --add-rich-rule=rule family="ipv4" source address="IP" drop</c>
/// (runtime only, <c>ipv6</c> for IPv6), removed with <c>--remove-rich-rule=</c>; a missing <c>firewall-cmd</c> is logged
/// and exits 255; a failing call is retried up to five times, 1, 2, 3 and 4 s apart, then
/// <c>Unable to run firewall-cmd, action: '...', rule: '...'</c> (exit 1 here; Wazuh goes on to <c>Ended</c>). firewalld
/// answers an existing rule with ALREADY_ENABLED and a missing one with NOT_ENABLED, both accepted. The lock is shared
/// with firewall-drop (<c>fw-drop</c>), as in Wazuh.
/// </summary>
internal sealed class FirewalldDrop : ResponseProgram
{
    private const int Attempts = 5;

    /// <summary>firewall-cmd's exit status for ALREADY_ENABLED.</summary>
    private const int AlreadyEnabled = 11;

    /// <summary>firewall-cmd's exit status for NOT_ENABLED.</summary>
    private const int NotEnabled = 12;

    public override string Name => "firewalld-drop";

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => [context.RequireSourceIp()];

    /// <summary>The rich rule for an address.</summary>
    public static string Rule(string ip) =>
        $"rule family=\"{(WazuhValidation.GetIpVersion(ip) == 6 ? "ipv6" : "ipv4")}\" source address=\"{ip}\" drop";

    /// <summary>The firewall-cmd argument vector.</summary>
    public static string[] Arguments(bool add, string ip) => [$"{Action(add)}={Rule(ip)}"];

    public override Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, add: true, cancellationToken);

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, add: false, cancellationToken);

    private static string Action(bool add) => add ? "--add-rich-rule" : "--remove-rich-rule";

    private static async Task<ResponseOutcome> ApplyAsync(ResponseContext context, bool add, CancellationToken cancellationToken)
    {
        var ip = context.Keys[0];
        var firewallCmd = context.RequireTool("firewall-cmd", exitCode: InvalidExitCode);
        using var held = await context.LockAsync("fw-drop", cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var result = await Tools.RunAsync(firewallCmd, Arguments(add, ip), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || (result.Started && !result.TimedOut && result.ExitCode == (add ? AlreadyEnabled : NotEnabled)))
            {
                return ResponseOutcome.Ended;
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), context.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                context.WriteLog(result.Describe());
            }
        }

        return ResponseOutcome.Failed($"Unable to run firewall-cmd, action: '{Action(add)}', rule: '{Rule(ip)}'", 1);
    }
}
