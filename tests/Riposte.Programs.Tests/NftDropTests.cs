using System.Text.Json;

namespace Riposte.Programs.Tests;

/// <summary>
/// nft-drop: the table <c>inet riposte</c> with interval + timeout sets, so one element blocks an address or a
/// whole network and huge block lists stay one lookup.
/// </summary>
public sealed class NftDropTests(RiposteArBinary binary) : FirewallProgramTests(binary)
{
    protected override string Program => "nft-drop";

    protected override string[] RequiredTools => ["ip", "nft", "python3"];

    // -s (stateless) leaves out counters and the elements' remaining lifetimes.
    protected override Task<string> StateAsync(NetnsPair net) => net.ServerMustAsync("nft", "-s", "list", "ruleset");

    protected override async Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key) =>
        [.. (await SetsAsync(net)).SelectMany(set => set.Elements.Where(e => Addresses.Same(e, key)).Select(e => $"{set.Name}: {e}"))];

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task The_set_has_interval_and_timeout_flags_and_room_for_far_more_than_65535_entries(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);

        var add = await rig.Program.AddAsync(offender);
        add.ExitCode.ShouldBe(0, add.ToString());

        var sets = await SetsAsync(rig.Net);
        var holding = sets.Where(set => set.Elements.Any(e => Addresses.Same(e, offender))).ToList();
        holding.Count.ShouldBe(1, $"sets of inet riposte holding {offender}: [{string.Join(", ", holding.Select(s => s.Name))}]");
        var blocklist = holding[0];
        blocklist.Type.ShouldBe(family == IpFamily.V4 ? "ipv4_addr" : "ipv6_addr");
        blocklist.Flags.ShouldContain("interval", "a network key needs an interval set");
        blocklist.Flags.ShouldContain("timeout", "elements must be able to expire on their own");
        // Block lists grow large (whole feeds of networks): the set must not be capped anywhere near 65535 elements.
        blocklist.Size.ShouldNotBeNull($"set {blocklist.Name} has no explicit size").ShouldBeGreaterThan(65535);
    }

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task A_network_key_blocks_the_whole_range(IpFamily family)
    {
        await using var rig = await StartAsync();
        var range = NetnsPair.Range(family);
        var members = NetnsPair.RangeMembers(family);
        await Task.WhenAll(members.Select(m => rig.Net.ShouldConnectAsync(family, m, "before any block")));

        var add = await rig.Program.AddAsync(range);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, range);
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, range), range);
        await Task.WhenAll(members.Select(m => rig.Net.ShouldBeBlockedAsync(family, m, $"inside {range}")));
        await rig.Net.ShouldConnectAsync(family, NetnsPair.PeerAddress(family), $"outside {range}");

        var delete = await rig.Program.DeleteAsync(range);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        await Task.WhenAll(members.Select(m => rig.Net.ShouldConnectAsync(family, m, $"after deleting {range}")));
    }

    /// <summary>The sets of table inet riposte (none when the table does not exist yet).</summary>
    private static async Task<IReadOnlyList<NftSet>> SetsAsync(NetnsPair net)
    {
        var listing = await net.ServerRunAsync("nft", "-j", "list", "table", "inet", "riposte");
        if (!listing.Ok)
        {
            return listing.Stderr.Contains("No such file or directory", StringComparison.Ordinal)
                ? []
                : throw new InvalidOperationException(listing.ToString());
        }

        using var json = JsonDocument.Parse(listing.Stdout);
        var sets = new List<NftSet>();
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("set", out var set))
            {
                continue;
            }

            sets.Add(new NftSet(
                set.GetProperty("name").GetString()!,
                set.GetProperty("type").ToString(),
                set.TryGetProperty("flags", out var flags) ? [.. flags.EnumerateArray().Select(f => f.GetString()!)] : [],
                set.TryGetProperty("size", out var size) ? size.GetInt64() : null,
                set.TryGetProperty("elem", out var elements) ? [.. elements.EnumerateArray().Select(Element)] : []));
        }

        return sets;
    }

    /// <summary>
    /// An element as text: <c>"1.2.3.4"</c>, <c>{"prefix":{"addr","len"}}</c> or <c>{"range":[a,b]}</c>, possibly
    /// wrapped in <c>{"elem":{"val":...,"timeout":...}}</c> when it has its own lifetime.
    /// </summary>
    private static string Element(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString()!;
        }

        if (element.TryGetProperty("elem", out var wrapped))
        {
            return Element(wrapped.GetProperty("val"));
        }

        if (element.TryGetProperty("prefix", out var prefix))
        {
            return $"{prefix.GetProperty("addr").GetString()}/{prefix.GetProperty("len").GetInt32()}";
        }

        return element.TryGetProperty("range", out var range)
            ? $"{Element(range[0])}-{Element(range[1])}"
            : element.GetRawText();
    }

    private sealed record NftSet(string Name, string Type, IReadOnlyList<string> Flags, long? Size, IReadOnlyList<string> Elements);
}
