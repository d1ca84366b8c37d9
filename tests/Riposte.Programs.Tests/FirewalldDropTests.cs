namespace Riposte.Programs.Tests;

/// <summary>
/// firewalld-drop against a real firewalld: <c>firewall-cmd --add-rich-rule='rule family="ipv4" source
/// address="IP" drop'</c> (runtime, default zone), removed with <c>--remove-rich-rule</c>. Each test starts its own
/// firewalld (nftables backend, default zone <c>trusted</c> so the listener is reachable before the add) with a
/// private D-Bus system bus, confined to the test's server network namespace and a private mount namespace (see
/// <see cref="PrivateFirewalld"/>); the program runs in those same namespaces with that bus. The host's firewall,
/// firewalld and system bus are never involved.
/// </summary>
public sealed class FirewalldDropTests(RiposteArBinary binary) : FirewallProgramTests(binary)
{
    private PrivateFirewalld? _firewalld;

    protected override string Program => "firewalld-drop";

    protected override string[] RequiredTools => ["ip", "nft", "python3", .. PrivateFirewalld.Tools];

    private PrivateFirewalld Firewalld => _firewalld ?? throw new InvalidOperationException("firewalld is not started");

    protected override async Task<(IReadOnlyList<string> Launcher, IAsyncDisposable? Service)> StartServerSideAsync(NetnsPair net)
    {
        _firewalld = await PrivateFirewalld.StartAsync(net);
        return (_firewalld.Launcher, _firewalld);
    }

    /// <summary>firewalld's runtime view of the default zone and the ruleset it made of it (no counters).</summary>
    protected override async Task<string> StateAsync(NetnsPair net) =>
        await Firewalld.MustAsync("firewall-cmd", "--list-all") + "--\n" + await net.ServerMustAsync("nft", "-s", "list", "ruleset");

    /// <summary>The runtime rich rules (of the default zone) whose source is the key.</summary>
    protected override async Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key) =>
        [.. (await RichRulesAsync()).Where(rule => rule.Contains($"source address=\"{key}\"", StringComparison.Ordinal))];

    protected override void ShouldBeOneBlock(IReadOnlyList<string> entries, string key) =>
        string.Join('\n', entries).ShouldBe(
            $"rule family=\"{(key.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4")}\" source address=\"{key}\" drop",
            "one rich rule dropping the key's family and source");

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task The_block_is_a_runtime_rule_only_as_in_Wazuh(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);

        var add = await rig.Program.AddAsync(offender);
        add.ExitCode.ShouldBe(0, add.ToString());
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, offender), offender);
        (await Firewalld.MustAsync("firewall-cmd", "--permanent", "--list-rich-rules")).Trim()
            .ShouldBeEmpty("firewalld-drop changes the runtime configuration only; a reload or restart forgets the block");
        // firewalld turned the rich rule into its own nftables rule, in the namespace: that rule is what drops.
        var table = await rig.Net.ServerMustAsync("nft", "list", "table", "inet", "firewalld");
        table.ShouldContain($"{(family == IpFamily.V4 ? "ip" : "ip6")} saddr {offender} drop");

        var delete = await rig.Program.DeleteAsync(offender);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await rig.Net.ServerMustAsync("nft", "list", "table", "inet", "firewalld")).ShouldNotContain($"saddr {offender}");
    }

    private async Task<IReadOnlyList<string>> RichRulesAsync() =>
        (await Firewalld.MustAsync("firewall-cmd", "--list-rich-rules")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
