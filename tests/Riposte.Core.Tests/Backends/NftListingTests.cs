using System.Text.Json;

namespace Riposte.Backends;

public sealed class NftListingTests
{
    // nft 1.0.6's own output (nft -j list table inet riposte), with every element shape it prints.
    private const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
         {"table": {"family": "inet", "name": "riposte", "handle": 1}},
         {"set": {"family": "inet", "name": "blocked4", "table": "riposte", "type": "ipv4_addr", "handle": 2, "size": 1048576, "flags": ["interval", "timeout"],
           "elem": [{"elem": {"val": "1.2.3.4", "timeout": 600, "expires": 598}}, {"prefix": {"addr": "10.0.0.0", "len": 8}},
                    {"range": ["8.8.8.1", "8.8.8.9"]}, "9.9.9.9",
                    {"elem": {"val": {"prefix": {"addr": "172.16.0.0", "len": 12}}, "timeout": 60, "expires": 1}}]}},
         {"set": {"family": "inet", "name": "blocked6", "table": "riposte", "type": "ipv6_addr", "handle": 3, "size": 1048576, "flags": "interval",
           "elem": ["2001:db8::1", {"prefix": {"addr": "2001:db8:1::", "len": 48}}, {"concat": ["weird", 1]}]}},
         {"set": {"family": "inet", "name": "other", "table": "elsewhere", "type": "ipv4_addr", "elem": ["5.5.5.5"]}},
         {"chain": {"family": "inet", "table": "riposte", "name": "input", "handle": 4, "type": "filter", "hook": "input", "prio": -10, "policy": "accept"}},
         {"rule": {"family": "inet", "table": "riposte", "chain": "input", "handle": 5, "expr": []}}]}
        """;

    [Fact]
    public void Parses_every_element_shape_with_timeouts()
    {
        var listing = NftListing.Parse(Listing);

        listing.Elements.Select(e => e.Target.Value).ShouldBe(
            ["1.2.3.4", "10.0.0.0/8", "8.8.8.1-8.8.8.9", "9.9.9.9", "172.16.0.0/12", "2001:db8::1", "2001:db8:1::/48"]);
        var first = listing.Elements.First();
        first.TimeoutSeconds.ShouldBe(600);
        first.ExpiresSeconds.ShouldBe(598);
        listing.Sets[NftLayout.Set4].Flags.ShouldBe(["interval", "timeout"]);
        listing.Sets[NftLayout.Set4].Size.ShouldBe(1048576);
        listing.Sets[NftLayout.Set6].Flags.ShouldBe(["interval"]);
        listing.Sets.ContainsKey("other").ShouldBeFalse();
        listing.Chains.ShouldBe(["input"]);
        listing.Unrecognised.ShouldHaveSingleItem().ShouldContain("concat");
    }

    [Fact]
    public void An_empty_set_has_no_elem_array()
    {
        var listing = NftListing.Parse("""{"nftables": [{"set": {"family": "inet", "name": "blocked4", "table": "riposte", "type": "ipv4_addr", "flags": ["interval", "timeout"]}}]}""");

        listing.Sets[NftLayout.Set4].Elements.ShouldBeEmpty();
        listing.Elements.ShouldBeEmpty();
    }

    [Fact]
    public void Refuses_what_is_not_nft_json()
    {
        Should.Throw<JsonException>(() => NftListing.Parse("""{"tables": []}"""));
        Should.Throw<JsonException>(() => NftListing.Parse("Error: something"));
    }
}
