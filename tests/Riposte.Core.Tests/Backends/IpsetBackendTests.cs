namespace Riposte.Backends;

/// <summary>The ipset backend against the real kernel, inside a network namespace of each test's own.</summary>
public sealed class IpsetBackendTests
{
    private static List<BlockChange> Mixed1000()
    {
        var changes = new List<BlockChange>();
        for (var i = 0; i < 700; i++)
        {
            changes.Add(BlockChange.Add($"198.18.{i >> 8}.{i & 255}", i % 3 == 0 ? TimeSpan.FromMinutes(10) : null));
        }

        for (var i = 0; i < 250; i++)
        {
            changes.Add(BlockChange.Add($"2001:db8:1::{i + 1:x}"));
        }

        for (var i = 0; i < 25; i++)
        {
            changes.Add(BlockChange.Add($"203.0.{i}.0/24"));
            changes.Add(BlockChange.Add($"2001:db8:2:{i:x}::/64", TimeSpan.FromDays(1)));
        }

        return changes;
    }

    private static IpsetBackend Backend(NetNs ns) => new(new IpsetOptions { NetworkNamespace = ns.Name });

    [Fact]
    public async Task Ensure_ready_creates_the_sets_and_one_rule_per_chain_once()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        var backend = Backend(ns);

        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);

        ns.Exec("ipset", "list", "-t", "riposte4").ShouldContain("maxelem 1000000");
        ns.Exec("ipset", "list", "-t", "riposte6").ShouldContain("family inet6");
        foreach (var (tool, set) in new[] { ("iptables", "riposte4"), ("ip6tables", "riposte6") })
        {
            ns.Exec(tool, "-S", "INPUT").Split('\n').Count(r => r.Contains($"--match-set {set} src -j DROP", StringComparison.Ordinal)).ShouldBe(1);
            ns.Exec(tool, "-S", "FORWARD").ShouldNotContain("--match-set");
        }
    }

    [Fact]
    public async Task Sets_and_rules_made_by_the_ipset_drop_program_are_used_as_they_are()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        // What ipset-drop (Riposte.Programs IpsetDrop) runs on its first add.
        ns.Exec("ipset", "create", "riposte4", "hash:net", "family", "inet", "timeout", "0", "maxelem", "1000000", "-exist");
        ns.Exec("ipset", "create", "riposte6", "hash:net", "family", "inet6", "timeout", "0", "maxelem", "1000000", "-exist");
        ns.Exec("iptables", "-w", "-I", "INPUT", "-m", "set", "--match-set", "riposte4", "src", "-j", "DROP");
        ns.Exec("ipset", "add", "riposte4", "9.9.9.9", "timeout", "600", "-exist");
        var backend = Backend(ns);

        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync([BlockChange.Add("1.2.3.4"), BlockChange.Remove("9.9.9.9")], TestContext.Current.CancellationToken);

        ns.Exec("iptables", "-S", "INPUT").Split('\n').Count(r => r.Contains("--match-set riposte4", StringComparison.Ordinal)).ShouldBe(1);
        ns.Exec("ipset", "create", "riposte4", "hash:net", "family", "inet", "timeout", "0", "maxelem", "1000000", "-exist");
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["1.2.3.4"]);
    }

    [Fact]
    public async Task A_batch_of_1000_is_one_restore_and_removes_of_missing_elements_succeed()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        var backend = Backend(ns);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);

        await backend.ApplyAsync(Mixed1000(), TestContext.Current.CancellationToken);

        backend.TransactionCount.ShouldBe(1);
        var listed = await backend.ListAsync(TestContext.Current.CancellationToken);
        listed.ShouldBe(Mixed1000().Select(c => c.Target.Value), ignoreOrder: true);
        ns.Exec("ipset", "list", "-o", "save", "riposte4").ShouldContain("add riposte4 198.18.0.0 timeout");

        var removes = Enumerable.Range(0, 100).Select(i => BlockChange.Remove($"198.18.0.{i}"))
            .Concat(Enumerable.Range(0, 20).Select(i => BlockChange.Remove($"192.0.2.{i}")))
            .Append(BlockChange.Remove("2001:db8:1::1"))
            .ToList();
        await backend.ApplyAsync(removes, TestContext.Current.CancellationToken);

        listed = await backend.ListAsync(TestContext.Current.CancellationToken);
        listed.Count.ShouldBe(1000 - 101);
        listed.ShouldNotContain("198.18.0.1");
        backend.TransactionCount.ShouldBe(2);
    }

    [Fact]
    public async Task An_address_inside_a_blocked_network_is_kept_alongside_it()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        var backend = Backend(ns);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);

        await backend.ApplyAsync([BlockChange.Add("10.9.0.0/24"), BlockChange.Add("10.9.0.5")], TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["10.9.0.0/24", "10.9.0.5"], ignoreOrder: true);
        await Should.ThrowAsync<ArgumentException>(backend.ApplyAsync([BlockChange.Add("1.2.3.1-1.2.3.9")], TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public async Task Reconciliation_after_a_flush_readds_and_removes_extras()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        var backend = Backend(ns);
        await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
        await backend.ApplyAsync(Mixed1000(), TestContext.Current.CancellationToken);
        ns.Exec("ipset", "flush", "riposte4");
        var desired = Mixed1000().Skip(100).Select(c => c.Target.Value).ToList();

        var report = await new BlockReconciler(backend).ReconcileAsync(desired, TestContext.Current.CancellationToken);

        report.AddedCount.ShouldBe(600 + 25); // the IPv4 addresses and networks the flush took
        report.RemovedCount.ShouldBe(0);
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(desired, ignoreOrder: true);

        var fewer = desired.Skip(300).ToList();
        var second = await new BlockReconciler(backend).ReconcileAsync(fewer, TestContext.Current.CancellationToken);
        second.RemovedCount.ShouldBe(300);
        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(fewer, ignoreOrder: true);
    }

    [Fact]
    public async Task Destroyed_sets_are_recreated_by_the_next_apply()
    {
        NetNs.RequireOrSkip("ipset", "iptables", "ip6tables");
        using var ns = NetNs.Create();
        var backend = Backend(ns);
        // No EnsureReady: the first apply meets no sets at all.

        await backend.ApplyAsync([BlockChange.Add("1.2.3.4"), BlockChange.Add("2001:db8::1")], TestContext.Current.CancellationToken);

        (await backend.ListAsync(TestContext.Current.CancellationToken)).ShouldBe(["1.2.3.4", "2001:db8::1"], ignoreOrder: true);
        ns.Exec("iptables", "-S", "INPUT").ShouldContain("--match-set riposte4 src -j DROP");
    }

    [Fact]
    public void The_restore_script_deletes_first_and_caps_timeouts()
    {
        var backend = new IpsetBackend();

        var script = backend.Script(BlockChange.Coalesce(
            [BlockChange.Add("1.2.3.4", TimeSpan.FromDays(100)), BlockChange.Remove("5.6.7.8"), BlockChange.Add("2001:db8::/32"), BlockChange.Add("9.9.9.9", TimeSpan.FromSeconds(59.5))]));

        script.ShouldBe("del riposte4 5.6.7.8\nadd riposte4 1.2.3.4 timeout 2147483\nadd riposte6 2001:db8::/32 timeout 0\nadd riposte4 9.9.9.9 timeout 60\n");
    }

    [Fact]
    public void The_save_output_is_parsed()
    {
        const string save = "create riposte4 hash:net family inet hashsize 1024 maxelem 1048576 timeout 0 bucketsize 12 initval 0x1\n" +
                            "add riposte4 10.0.0.0/8 timeout 0\nadd riposte4 1.2.3.4 timeout 599\nadd other 5.5.5.5\n";

        IpsetBackend.ParseSave(save, "riposte4").Select(t => t.Value).ShouldBe(["10.0.0.0/8", "1.2.3.4"]);
    }
}
