namespace Riposte.Programs.Tests;

/// <summary>route-null: a blackhole route for the source, so no reply (not even the SYN-ACK) can reach it.</summary>
public sealed class RouteNullTests(RiposteArBinary binary) : FirewallProgramTests(binary)
{
    protected override string Program => "route-null";

    protected override string[] RequiredTools => ["ip", "python3"];

    protected override async Task<string> StateAsync(NetnsPair net) =>
        await net.ServerMustAsync("ip", "-4", "route", "show", "table", "all") + "--\n" + await net.ServerMustAsync("ip", "-6", "route", "show", "table", "all");

    protected override async Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key)
    {
        var routes = await net.ServerMustAsync("ip", family == IpFamily.V4 ? "-4" : "-6", "route", "show", "table", "all");
        return [.. routes.Split('\n').Where(line => line.Split(' ') is ["blackhole", var target, ..] && Addresses.Same(target, key))];
    }
}
