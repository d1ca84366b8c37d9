namespace Riposte.Programs.Tests;

/// <summary>
/// ipset-drop: offenders are members of an ipset that one iptables (and one ip6tables) rule drops, so a thousand
/// blocks cost one rule, not a thousand.
/// </summary>
public sealed class IpsetDropTests(RiposteArBinary binary) : FirewallProgramTests(binary)
{
    protected override string Program => "ipset-drop";

    protected override string[] RequiredTools => ["ip", "ipset", "iptables", "ip6tables", "python3"];

    protected override async Task<string> StateAsync(NetnsPair net) => await SetsAsync(net) + "--\n" + await RulesAsync(net);

    /// <summary>The "SET MEMBER" of each ipset member that is the key.</summary>
    protected override async Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key) =>
        [.. (await SetsAsync(net)).Split('\n')
            .Select(line => line.Split(' '))
            .Where(fields => fields is ["add", _, var member, ..] && Addresses.Same(member, key))
            .Select(fields => $"{fields[1]} {fields[2]}")];

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task More_offenders_become_set_members_not_rules(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);
        var another = NetnsPair.RangeMembers(family)[0];

        (await rig.Program.AddAsync(offender)).ExitCode.ShouldBe(0);
        var rules = await RulesAsync(rig.Net);
        var add = await rig.Program.AddAsync(another);
        add.ExitCode.ShouldBe(0, add.ToString());

        (await RulesAsync(rig.Net)).ShouldBe(rules, "a second offender must not add a rule");
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, offender), offender);
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, another), another);
        await Task.WhenAll(
            rig.Net.ShouldBeBlockedAsync(family, offender, "(first offender)"),
            rig.Net.ShouldBeBlockedAsync(family, another, "(second offender)"));
    }

    // Remaining lifetimes ("timeout 598") tick down between two listings; what matters is which members exist.
    private static async Task<string> SetsAsync(NetnsPair net) =>
        System.Text.RegularExpressions.Regex.Replace(await net.ServerMustAsync("ipset", "save"), @"(?<=^add .*) timeout \d+", "", System.Text.RegularExpressions.RegexOptions.Multiline);

    private static async Task<string> RulesAsync(NetnsPair net) =>
        await net.ServerMustAsync("iptables", "-S") + "--\n" + await net.ServerMustAsync("ip6tables", "-S");
}
