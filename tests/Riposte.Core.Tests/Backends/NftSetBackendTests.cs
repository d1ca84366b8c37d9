using System.Text.Json;

namespace Riposte.Backends;

/// <summary>The nft backend against the real kernel, inside a network namespace of each test's own.</summary>
public sealed class NftSetBackendTests
{
    public static TheoryData<NftWriteMode> Modes => [NftWriteMode.Netlink, NftWriteMode.Script];

    /// <summary>1000 changes: 700 IPv4 addresses, 250 IPv6 addresses, 25 IPv4 and 25 IPv6 networks, some with timeouts.</summary>
    private static List<BlockChange> Mixed1000()
    {
        var changes = new List<BlockChange>();
        for (var i = 0; i < 700; i++)
        {
            changes.Add(BlockChange.Add($"198.18.{i >> 8}.{i & 255}", i % 3 == 0 ? TimeSpan.FromMinutes(10) : null));
        }

        for (var i = 0; i < 250; i++)
        {
            changes.Add(BlockChange.Add($"2001:db8:1::{i + 1:x}", i % 2 == 0 ? TimeSpan.FromHours(1) : null));
        }

        for (var i = 0; i < 25; i++)
        {
            changes.Add(BlockChange.Add($"203.0.{i}.0/24"));
            changes.Add(BlockChange.Add($"2001:db8:2:{i:x}::/64", TimeSpan.FromDays(1)));
        }

        return changes;
    }

    private static NftSetBackend Backend(NetNs ns, NftWriteMode mode) => new(new NftSetOptions { NetworkNamespace = ns.Name, WriteMode = mode });

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_batch_of_1000_addresses_and_networks_is_one_transaction(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        var changes = Mixed1000();
        // Other spellings of the same blocks: still one element each.
        changes.Add(BlockChange.Add("198.18.0.1/32"));
        changes.Add(BlockChange.Add("2001:0DB8:0001:0000::0001"));

        await backend.ApplyAsync(changes, TestContext.Current.CancellationToken);

        backend.TransactionCount.ShouldBe(1);
        backend.EffectiveWriteMode.ShouldBe(mode);
        var listed = await backend.ListAsync(TestContext.Current.CancellationToken);
        listed.Count.ShouldBe(1000);
        listed.ShouldBe(Mixed1000().Select(c => c.Target.Value), ignoreOrder: true);
        var elements = await backend.ListElementsAsync(TestContext.Current.CancellationToken);
        elements.Single(e => e.Target.Value == "198.18.0.0").TimeoutSeconds.ShouldBe(600);
        elements.Single(e => e.Target.Value == "198.18.0.1").TimeoutSeconds.ShouldBeNull();
        elements.Single(e => e.Target.Value == "2001:db8:2:3::/64").TimeoutSeconds.ShouldBe(86400);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Removes_succeed_when_some_elements_are_already_gone(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync(Mixed1000(), TestContext.Current.CancellationToken);
        // One element disappears behind Riposte's back, as an expired kernel timeout or an operator would do it.
        ns.Exec("nft", "delete", "element", "inet", "riposte", "blocked4", "{ 198.18.0.5 }");

        var removes = new List<BlockChange>();
        removes.AddRange(Enumerable.Range(0, 100).Select(i => BlockChange.Remove($"198.18.0.{i}")));  // includes .5
        removes.AddRange(Enumerable.Range(0, 20).Select(i => BlockChange.Remove($"192.0.2.{i}")));    // never added
        removes.Add(BlockChange.Remove("203.0.1.7"));                                                   // only inside 203.0.1.0/24
        removes.Add(BlockChange.Remove("2001:db8:1::1"));
        removes.Add(BlockChange.Remove("2001:db8:2::/64"));
        await backend.ApplyAsync(removes, TestContext.Current.CancellationToken);

        var listed = await backend.ListAsync(TestContext.Current.CancellationToken);
        listed.Count.ShouldBe(1000 - 100 - 2);
        listed.ShouldNotContain("198.18.0.99");
        listed.ShouldContain("198.18.0.100");
        listed.ShouldContain("203.0.1.0/24");
        listed.ShouldNotContain("2001:db8:2::/64");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Removing_a_batch_of_which_the_kernel_already_dropped_many_leaves_the_set_empty(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        var adds = Enumerable.Range(0, 1000).Select(i => BlockChange.Add($"198.18.{i >> 8}.{i & 255}", TimeSpan.FromMinutes(5))).ToList();
        await backend.ApplyAsync(adds, TestContext.Current.CancellationToken);
        // What expired kernel timeouts do before Riposte's own deletes arrive: every third element is gone.
        ns.Try($"delete element inet riposte blocked4 {{ {string.Join(", ", adds.Where((_, i) => i % 3 == 0).Select(a => a.Target.Value))} }}\n", "nft", "-f", "-").Succeeded.ShouldBeTrue();

        await backend.ApplyAsync([.. adds.Select(a => new BlockChange(BlockAction.Remove, a.Target))], TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Removing_addresses_inside_a_blocked_network_leaves_the_network(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("10.9.0.0/24"), BlockChange.Add("2.2.2.2"), BlockChange.Add("2001:db8::/64")], TestContext.Current.CancellationToken);

        // 10.9.0.0 and 2001:db8:: are where the networks start, which a lookup of the address finds: still not elements.
        await backend.ApplyAsync(
            [BlockChange.Remove("10.9.0.7"), BlockChange.Remove("10.9.0.0"), BlockChange.Remove("1.1.1.1"), BlockChange.Remove("2.2.2.2"), BlockChange.Remove("2001:db8::"), BlockChange.Add("3.3.3.3")],
            TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["10.9.0.0/24", "2001:db8::/64", "3.3.3.3"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Removing_a_network_that_is_there_only_as_its_two_halves_leaves_the_halves(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("10.0.0.0/25"), BlockChange.Add("10.0.0.128/25"), BlockChange.Add("2001:db8::/65"), BlockChange.Add("2001:db8:0:0:8000::/65")], TestContext.Current.CancellationToken);

        await backend.ApplyAsync([BlockChange.Remove("10.0.0.0/24"), BlockChange.Remove("2001:db8::/64"), BlockChange.Remove("10.0.0.0/25")], TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["10.0.0.128/25", "2001:db8::/65", "2001:db8:0:0:8000::/65"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Overlapping_adds_never_fail_the_batch(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("10.9.0.5"), BlockChange.Add("10.8.0.0/16"), BlockChange.Add("2001:db8::5")], TestContext.Current.CancellationToken);

        await backend.ApplyAsync(
            [
                BlockChange.Add("10.8.3.3"),      // already blocked by 10.8.0.0/16
                BlockChange.Add("10.9.0.0/24"),   // takes the place of 10.9.0.5
                BlockChange.Add("10.9.0.7"),      // inside the /24 of the same batch
                BlockChange.Add("2001:db8::/64"), // takes the place of 2001:db8::5
                BlockChange.Add("7.7.7.7"),
            ],
            TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["10.8.0.0/16", "10.9.0.0/24", "7.7.7.7", "2001:db8::/64"], ignoreOrder: true);
    }

    [Fact]
    public async Task Kernel_timeouts_are_capped_at_ipset_limit()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);

        await backend.ApplyAsync([BlockChange.Add("1.2.3.4", TimeSpan.FromDays(365)), BlockChange.Add("1.2.3.5", TimeSpan.FromMilliseconds(1500))], TestContext.Current.CancellationToken);

        var elements = await backend.ListElementsAsync(TestContext.Current.CancellationToken);
        elements.Single(e => e.Target.Value == "1.2.3.4").TimeoutSeconds.ShouldBe(2_147_483);
        elements.Single(e => e.Target.Value == "1.2.3.5").TimeoutSeconds.ShouldBe(2);
    }

    public static TheoryData<NftWriteMode, bool?> RefreshModes => new()
    {
        { NftWriteMode.Netlink, true }, { NftWriteMode.Script, true }, { NftWriteMode.Netlink, null },
    };

    [Theory]
    [MemberData(nameof(RefreshModes))]
    public async Task Adding_again_resets_the_kernel_timeout(NftWriteMode mode, bool? replace)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = new NftSetBackend(new NftSetOptions { NetworkNamespace = ns.Name, WriteMode = mode, RefreshTimeoutsByReplace = replace });
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("1.2.3.4", TimeSpan.FromSeconds(30)), BlockChange.Add("2001:db8::1", TimeSpan.FromSeconds(30))], TestContext.Current.CancellationToken);

        await backend.ApplyAsync([BlockChange.Add("1.2.3.4", TimeSpan.FromHours(1)), BlockChange.Add("2001:db8::1", TimeSpan.FromHours(2)), BlockChange.Add("5.5.5.5", TimeSpan.FromHours(3))], TestContext.Current.CancellationToken);

        var elements = await backend.ListElementsAsync(TestContext.Current.CancellationToken);
        elements.Single(e => e.Target.Value == "1.2.3.4").TimeoutSeconds.ShouldBe(3600);
        elements.Single(e => e.Target.Value == "2001:db8::1").TimeoutSeconds.ShouldBe(7200);
        elements.Single(e => e.Target.Value == "5.5.5.5").TimeoutSeconds.ShouldBe(10800);
        backend.TransactionCount.ShouldBe(2);
    }

    /// <summary>The <c>nft-drop</c> program's setup transaction (Riposte.Programs NftDrop.SetupScript), verbatim.</summary>
    private const string ProgramSetup = """
        add table inet riposte
        add set inet riposte blocked4 { type ipv4_addr; flags interval, timeout; size 1000000; }
        add set inet riposte blocked6 { type ipv6_addr; flags interval, timeout; size 1000000; }
        add chain inet riposte input { type filter hook input priority -10; policy accept; }
        add chain inet riposte forward { type filter hook forward priority -10; policy accept; }
        flush chain inet riposte input
        flush chain inet riposte forward
        add rule inet riposte input ip saddr @blocked4 drop
        add rule inet riposte input ip6 saddr @blocked6 drop
        add rule inet riposte forward ip saddr @blocked4 drop
        add rule inet riposte forward ip6 saddr @blocked6 drop

        """;

    [Fact]
    public async Task The_backend_and_the_nft_drop_program_share_one_layout()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);
        // The program's table first, with an element it added (its add: element, then delete + add with the timeout).
        ns.Try(ProgramSetup + "add element inet riposte blocked4 { 9.9.9.9 }\ndelete element inet riposte blocked4 { 9.9.9.9 }\nadd element inet riposte blocked4 { 9.9.9.9 timeout 600s }\n", "nft", "-f", "-").Succeeded.ShouldBeTrue();
        string Table() => System.Text.RegularExpressions.Regex.Replace(ns.Exec("nft", "list", "table", "inet", "riposte"), " expires [0-9a-z]+", "");
        var before = Table();

        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        Table().ShouldBe(before);
        await backend.ApplyAsync([BlockChange.Add("1.2.3.4"), BlockChange.Add("2001:db8::/64"), BlockChange.Remove("9.9.9.9")], TestContext.Current.CancellationToken);

        // And the program's setup and delete work on what the backend made.
        ns.Try(ProgramSetup, "nft", "-f", "-").Succeeded.ShouldBeTrue();
        ns.Try("delete element inet riposte blocked4 { 1.2.3.4 }\n", "nft", "-f", "-").Succeeded.ShouldBeTrue();
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["2001:db8::/64"]);
    }

    [Fact]
    public async Task Ensure_ready_is_idempotent_and_restores_a_deleted_rule()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);

        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("1.2.3.4")], TestContext.Current.CancellationToken);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        ns.Exec("nft", "flush", "chain", "inet", "riposte", "forward");
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);

        using var rules = JsonDocument.Parse(ns.Exec("nft", "-j", "list", "table", "inet", "riposte"));
        var perChain = rules.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(i => i.TryGetProperty("rule", out _))
            .GroupBy(i => i.GetProperty("rule").GetProperty("chain").GetString())
            .ToDictionary(g => g.Key!, g => g.Count());
        perChain.ShouldBe(new Dictionary<string, int> { ["input"] = 2, ["forward"] = 2 });
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["1.2.3.4"]);
        ns.Exec("nft", "list", "set", "inet", "riposte", "blocked4").ShouldContain("size 1000000");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Reconciliation_after_a_flushed_ruleset_recreates_the_table_and_readds_everything(NftWriteMode mode)
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, mode);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        var desired = Mixed1000().Select(c => new DesiredBlock(c.Target.Value, TimeSpan.FromMinutes(30))).ToList();
        await backend.ApplyAsync(Mixed1000(), TestContext.Current.CancellationToken);

        ns.Exec("nft", "flush", "ruleset");
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        var report = await new BlockReconciler(backend).ReconcileAsync(desired, TestContext.Current.CancellationToken);

        report.AddedCount.ShouldBe(1000);
        report.RemovedCount.ShouldBe(0);
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(desired.Select(d => d.Target), ignoreOrder: true);
        ns.Exec("nft", "list", "chain", "inet", "riposte", "input").ShouldContain("ip saddr @blocked4 drop");
        (await new BlockReconciler(backend).ReconcileAsync(desired, TestContext.Current.CancellationToken)).InSync.ShouldBeTrue();
    }

    [Fact]
    public async Task An_apply_after_a_flushed_ruleset_recreates_the_table_by_itself()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        ns.Exec("nft", "flush", "ruleset");

        await backend.ApplyAsync([BlockChange.Add("1.2.3.4"), BlockChange.Remove("5.6.7.8")], TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["1.2.3.4"]);
    }

    [Fact]
    public async Task Reconciliation_removes_elements_no_longer_desired()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync(Mixed1000(), TestContext.Current.CancellationToken);
        var desired = Mixed1000().Take(600).Select(c => c.Target.Value).ToList();

        var report = await new BlockReconciler(backend).ReconcileAsync(desired, TestContext.Current.CancellationToken);

        report.RemovedCount.ShouldBe(400);
        report.AddedCount.ShouldBe(0);
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(desired, ignoreOrder: true);
    }

    [Fact]
    public async Task The_batcher_turns_500_concurrent_adds_into_a_few_transactions()
    {
        NetNs.RequireOrSkip("nft");
        using var ns = NetNs.Create();
        using var backend = Backend(ns, NftWriteMode.Netlink);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        var counting = new CountingBackend(backend);
        await using var batcher = new BlockBatcher(counting, TimeProvider.System);
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 500).Select(i => Task.Run(async () =>
        {
            start.Wait();
            await batcher.SubmitAsync(BlockChange.Add($"198.18.{i >> 8}.{i & 255}", TimeSpan.FromMinutes(10)), CancellationToken.None);
        })).ToArray();
        start.Set();
        await Task.WhenAll(callers);

        counting.Applies.ShouldBeLessThanOrEqualTo(3);
        backend.TransactionCount.ShouldBe(counting.Applies);
        (await backend.ListAsync(TestContext.Current.CancellationToken)).Count.ShouldBe(500);
    }
}
