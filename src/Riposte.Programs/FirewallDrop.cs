using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>firewall-drop</c>, Wazuh's Linux behaviour: <c>iptables</c> (<c>ip6tables</c> for IPv6)
/// <c>-I INPUT -s IP -j DROP</c> then <c>-I FORWARD -s IP -j DROP</c>; delete with <c>-D</c>. Unlike Wazuh it checks
/// with <c>-C</c> first and inserts only a missing rule (Wazuh stacks a duplicate per stateless run, quirk Q21), removes
/// every copy on delete (including duplicates an earlier Wazuh left), passes <c>-w</c> so a busy xtables lock is waited
/// for instead of failing, and reports a failing iptables with exit code 1 (Wazuh ignores its status).
/// </summary>
internal sealed class FirewallDrop : ResponseProgram
{
    /// <summary>Deletes per chain at most this many copies of the rule (an upper bound, not an expectation).</summary>
    private const int MaxCopies = 64;

    public override string Name => "firewall-drop";

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => [context.RequireSourceIp()];

    /// <summary>The argument vector of one iptables call (<paramref name="operation"/> is <c>-C</c>, <c>-I</c> or <c>-D</c>).</summary>
    public static string[] Arguments(string operation, string chain, string ip) => ["-w", operation, chain, "-s", ip, "-j", "DROP"];

    public override Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, add: true, cancellationToken);

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, add: false, cancellationToken);

    private static async Task<ResponseOutcome> ApplyAsync(ResponseContext context, bool add, CancellationToken cancellationToken)
    {
        var ip = context.Keys[0];
        var iptables = context.RequireTool(WazuhValidation.GetIpVersion(ip) == 6 ? "ip6tables" : "iptables", label: "iptables");
        using var held = await context.LockAsync("fw-drop", cancellationToken).ConfigureAwait(false);
        foreach (var chain in (string[])["INPUT", "FORWARD"])
        {
            var failure = add
                ? await InsertAsync(context, iptables, chain, ip, cancellationToken).ConfigureAwait(false)
                : await RemoveAsync(iptables, chain, ip, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return Tools.Failed(failure);
            }
        }

        return ResponseOutcome.Ended;
    }

    private static async Task<ToolResult?> InsertAsync(ResponseContext context, ExternalTool iptables, string chain, string ip, CancellationToken cancellationToken)
    {
        var check = await Tools.RunAsync(iptables, Arguments("-C", chain, ip), cancellationToken).ConfigureAwait(false);
        if (check.Succeeded)
        {
            context.WriteLog($"{iptables.Name}: {chain} already drops {ip}");
            return null;
        }

        var insert = await Tools.RunAsync(iptables, Arguments("-I", chain, ip), cancellationToken).ConfigureAwait(false);
        return insert.Succeeded ? null : insert;
    }

    private static async Task<ToolResult?> RemoveAsync(ExternalTool iptables, string chain, string ip, CancellationToken cancellationToken)
    {
        for (var copy = 0; copy < MaxCopies; copy++)
        {
            var delete = await Tools.RunAsync(iptables, Arguments("-D", chain, ip), cancellationToken).ConfigureAwait(false);
            if (delete.Succeeded)
            {
                continue;
            }

            // "Bad rule (does a matching rule exist in that chain?)": nothing (left) to delete.
            return IsMissingRule(delete) ? null : delete;
        }

        return null;
    }

    /// <summary>iptables' answer when the rule (or chain) to check or delete is not there.</summary>
    public static bool IsMissingRule(ToolResult result) =>
        result.ExitCode == 1 && Tools.Says(result, "does a matching rule exist", "Bad rule", "No chain/target/match by that name");
}
