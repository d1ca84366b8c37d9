using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>route-null</c> with iproute2: <c>ip -4 route replace blackhole IP/32</c> (<c>ip -6 ... IP/128</c>), deleted with
/// <c>ip -4 route del blackhole IP/32</c>. <c>replace</c> makes a repeated add harmless; a route already gone is not an
/// error. Wazuh's Linux route-null runs the legacy <c>route add IP reject</c> and has no IPv6 (quirk Q20). A blackhole
/// route drops what this host sends to the address (so TCP handshakes fail); with strict reverse-path filtering the
/// address's packets are dropped on the way in too.
/// </summary>
internal sealed class RouteNull : ResponseProgram
{
    public override string Name => "route-null";

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => [context.RequireSourceIp(WazuhMessages.SourceIpMissingShort)];

    /// <summary>The argument vector for <c>ip</c> (<paramref name="operation"/> <c>replace</c> or <c>del</c>).</summary>
    public static string[] Arguments(string operation, string ip) => WazuhValidation.GetIpVersion(ip) == 6
        ? ["-6", "route", operation, "blackhole", $"{ip}/128"]
        : ["-4", "route", operation, "blackhole", $"{ip}/32"];

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var ip = context.RequireTool("ip");
        var result = await Tools.RunAsync(ip, Arguments("replace", context.Keys[0]), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? ResponseOutcome.Ended : Tools.Failed(result);
    }

    public override async Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var ip = context.RequireTool("ip");
        var result = await Tools.RunAsync(ip, Arguments("del", context.Keys[0]), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return ResponseOutcome.Ended;
        }

        // RTNETLINK answers: No such process (ESRCH): there is no such route.
        return Tools.Says(result, "No such process")
            ? ResponseOutcome.EndedWith($"ip: no blackhole route for {context.Keys[0]}")
            : Tools.Failed(result);
    }
}
