using Riposte.Backends.Netlink;

namespace Riposte.Backends;

public sealed class NftPlanTests
{
    private static NftListing Kernel(params string[] elements) => new(
        new Dictionary<string, NftSetListing>
        {
            [NftLayout.Set4] = new(NftLayout.Set4, ["interval", "timeout"], null, [.. elements.Select(BlockTarget.Parse).Where(t => !t.IsIPv6).Select(t => new NftElement(t, null, null))]),
            [NftLayout.Set6] = new(NftLayout.Set6, ["interval", "timeout"], null, [.. elements.Select(BlockTarget.Parse).Where(t => t.IsIPv6).Select(t => new NftElement(t, null, null))]),
        },
        ["input", "forward"],
        []);

    private static NftPlan Plan(NftListing? kernel, params BlockChange[] changes) =>
        NftPlan.Create(BlockChange.Coalesce(changes), kernel, BlockChange.MaxKernelTimeout);

    private static string[] Values(IEnumerable<NftWriteElement> elements) => [.. elements.Select(e => e.Target.Value)];

    [Fact]
    public void Without_a_listing_removes_are_kept_and_adds_sorted()
    {
        var plan = Plan(null, BlockChange.Add("9.9.9.9"), BlockChange.Remove("1.1.1.1"), BlockChange.Add("2001:db8::1"), BlockChange.Add("1.2.3.4", TimeSpan.FromSeconds(30)));

        Values(plan.Batch.Removes).ShouldBe(["1.1.1.1"]);
        Values(plan.Batch.Adds).ShouldBe(["1.2.3.4", "9.9.9.9", "2001:db8::1"]);
        plan.Batch.Adds[0].Timeout.ShouldBe(TimeSpan.FromSeconds(30));
        plan.Notes.ShouldBeEmpty();
    }

    [Fact]
    public void Overlapping_adds_in_one_batch_keep_the_widest()
    {
        var plan = Plan(null, BlockChange.Add("10.9.0.5"), BlockChange.Add("10.9.0.0/24"), BlockChange.Add("10.9.0.0/16"), BlockChange.Add("10.10.0.1"));

        Values(plan.Batch.Adds).ShouldBe(["10.9.0.0/16", "10.10.0.1"]);
        plan.Notes.Count.ShouldBe(2);
    }

    [Fact]
    public void With_a_listing_removes_of_absent_elements_are_dropped()
    {
        var plan = Plan(Kernel("1.1.1.1", "10.0.0.0/8"), BlockChange.Remove("1.1.1.1"), BlockChange.Remove("2.2.2.2"), BlockChange.Remove("10.1.1.1"));

        Values(plan.Batch.Removes).ShouldBe(["1.1.1.1"]);
        plan.Batch.Adds.ShouldBeEmpty();
    }

    [Fact]
    public void With_a_listing_adds_covered_by_the_kernel_are_dropped_and_wider_adds_replace_narrower_elements()
    {
        var plan = Plan(Kernel("10.8.0.0/16", "10.9.0.5", "10.9.0.77", "8.8.8.1-8.8.8.9", "2001:db8::5"),
            BlockChange.Add("10.8.3.3"),         // inside 10.8.0.0/16: already blocked
            BlockChange.Add("10.9.0.0/24"),      // replaces 10.9.0.5 and 10.9.0.77
            BlockChange.Add("8.8.8.8/29"),       // partly overlaps the range: refused
            BlockChange.Add("2001:db8::/64"),    // replaces 2001:db8::5
            BlockChange.Add("10.8.0.0/16"),      // exactly there: written again (timeout refresh)
            BlockChange.Add("7.7.7.7"));

        Values(plan.Batch.Removes).ShouldBe(["10.9.0.5", "10.9.0.77", "2001:db8::5"]);
        Values(plan.Batch.Adds).ShouldBe(["7.7.7.7", "10.8.0.0/16", "10.9.0.0/24", "2001:db8::/64"]);
        plan.Notes.Count.ShouldBe(5);
    }

    [Fact]
    public void A_remove_and_a_wider_add_in_one_batch_do_not_conflict()
    {
        var plan = Plan(Kernel("10.0.0.0/8"), BlockChange.Remove("10.0.0.0/8"), BlockChange.Add("10.1.2.3"));

        Values(plan.Batch.Removes).ShouldBe(["10.0.0.0/8"]);
        Values(plan.Batch.Adds).ShouldBe(["10.1.2.3"]);
    }

    [Fact]
    public void The_script_deletes_then_adds_with_timeouts()
    {
        var plan = Plan(null, BlockChange.Remove("1.1.1.1"), BlockChange.Add("2.2.2.2", TimeSpan.FromSeconds(600)), BlockChange.Add("2001:db8::/32"));

        NftScriptWriter.Script(plan.Batch).ShouldBe(
            "delete element inet riposte blocked4 { 1.1.1.1 }\n" +
            "add element inet riposte blocked4 { 2.2.2.2 timeout 600s }\n" +
            "add element inet riposte blocked6 { 2001:db8::/32 }\n");
    }

    [Fact]
    public void The_netlink_batch_encodes_intervals_as_nft_does()
    {
        var plan = Plan(null, BlockChange.Remove("9.9.9.9"), BlockChange.Add("1.2.3.4", TimeSpan.FromSeconds(10)), BlockChange.Add("240.0.0.0/4"));
        var acknowledged = new List<uint>();

        var bytes = NftNetlinkWriter.Build(plan.Batch, 100, acknowledged).ToArray();

        acknowledged.ShouldBe([101u, 102u]);
        var hex = Convert.ToHexString(bytes).ToLowerInvariant();
        // BATCH_BEGIN (type 16, seq 100, res_id = NFNL_SUBSYS_NFTABLES big-endian).
        hex.ShouldStartWith("14000000" + "1000" + "0100" + "64000000" + "00000000" + "0000000a");
        // DELSETELEM (0x0a0e, REQUEST|ACK, seq 101, NFPROTO_INET): table, set, then the start and the end element of
        // 9.9.9.9 exactly as nft 1.0.6 sends them (key 9.9.9.9; flags INTERVAL_END with key 9.9.9.10).
        hex.ShouldContain("0e0a" + "0500" + "65000000" + "00000000" + "01000000" +
            "0c000100" + "7269706f73746500" + "0d000200" + "626c6f636b65643400000000" +
            "2c000380" + "10000180" + "0c000180" + "08000100" + "09090909" +
            "18000180" + "08000300" + "00000001" + "0c000180" + "08000100" + "0909090a");
        // NEWSETELEM: 1.2.3.4 with a 10 000 ms timeout and its end 1.2.3.5, then 240.0.0.0/4, open-ended: no end
        // element, nft's "open interval" user data instead.
        hex.ShouldContain("0c000400" + "0000000000002710" + "0c000180" + "08000100" + "01020304");
        hex.ShouldContain("08000300" + "00000001" + "0c000180" + "08000100" + "01020305");
        hex.ShouldContain("0c000180" + "08000100" + "f0000000" + "0a000600" + "010401000000");
        // BATCH_END (type 17, seq 103).
        hex.ShouldEndWith("14000000" + "1100" + "0100" + "67000000" + "00000000" + "0000000a");
    }

    [Fact]
    public void Netlink_acks_and_errors_are_read_with_their_sequence()
    {
        // NLMSG_ERROR carrying -ENOENT for sequence 7, capped, with an extended-ack message.
        var datagram = new List<byte>();
        datagram.AddRange(BitConverter.GetBytes(16 + 4 + 16 + 8));
        datagram.AddRange(BitConverter.GetBytes((ushort)2));
        datagram.AddRange(BitConverter.GetBytes((ushort)(0x100 | 0x200)));
        datagram.AddRange(new byte[8]);
        datagram.AddRange(BitConverter.GetBytes(-2));
        datagram.AddRange(BitConverter.GetBytes(16));
        datagram.AddRange(new byte[4]);
        datagram.AddRange(BitConverter.GetBytes(7u));
        datagram.AddRange(new byte[4]);
        datagram.AddRange(BitConverter.GetBytes((ushort)8));
        datagram.AddRange(BitConverter.GetBytes((ushort)1));
        datagram.AddRange("bad\0"u8.ToArray());

        var acks = NftNetlinkWriter.ParseAcks(datagram.ToArray());

        acks.ShouldHaveSingleItem().ShouldBe((7u, -2, "bad"));
    }
}
