using System.Text.RegularExpressions;

namespace Riposte.Programs.Tests;

/// <summary>firewall-drop: a DROP rule for the source in INPUT and in FORWARD, iptables for IPv4, ip6tables for IPv6.</summary>
public sealed class FirewallDropTests(RiposteArBinary binary) : FirewallProgramTests(binary)
{
    protected override string Program => "firewall-drop";

    protected override string[] RequiredTools => ["ip", "iptables", "ip6tables", "python3"];

    // -S prints the rules without packet counters, which probes change.
    protected override async Task<string> StateAsync(NetnsPair net) =>
        await net.ServerMustAsync("iptables", "-S") + "--\n" + await net.ServerMustAsync("ip6tables", "-S");

    /// <summary>The chain of each rule that matches the key as its source.</summary>
    protected override async Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key)
    {
        var rules = await net.ServerMustAsync(family == IpFamily.V4 ? "iptables" : "ip6tables", "-S");
        var source = new Regex(@"^-A (\S+) .*-s " + Regex.Escape(key) + @"(/32|/128)?( |$)");
        return [.. rules.Split('\n').Select(line => source.Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value)];
    }

    protected override void ShouldBeOneBlock(IReadOnlyList<string> entries, string key) =>
        string.Join(' ', entries.Order(StringComparer.Ordinal)).ShouldBe("FORWARD INPUT", $"one rule for {key} in INPUT and one in FORWARD");
}
