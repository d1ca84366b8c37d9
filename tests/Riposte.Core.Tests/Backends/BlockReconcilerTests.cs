namespace Riposte.Backends;

public sealed class BlockReconcilerTests
{
    [Fact]
    public async Task Recreates_the_set_and_readds_what_the_kernel_lost()
    {
        var backend = new MemoryBackend();
        await backend.EnsureReadyAsync(CancellationToken.None);
        await backend.ApplyAsync([BlockChange.Add("1.2.3.4"), BlockChange.Add("2001:db8::1")], CancellationToken.None);
        backend.Wipe();

        var report = await new BlockReconciler(backend).ReconcileAsync(
            [new DesiredBlock("1.2.3.4", TimeSpan.FromMinutes(5)), new DesiredBlock("2001:0db8::0001"), new DesiredBlock("10.0.0.0/8")], CancellationToken.None);

        report.Added.ShouldBe(["1.2.3.4", "10.0.0.0/8", "2001:db8::1"]);
        report.Removed.ShouldBeEmpty();
        backend.Ready.ShouldBeTrue();
        backend.Elements[BlockTarget.Parse("1.2.3.4")].ShouldBe(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Removes_what_is_no_longer_desired_unless_told_not_to()
    {
        var backend = new MemoryBackend();
        await backend.EnsureReadyAsync(CancellationToken.None);
        await backend.ApplyAsync([BlockChange.Add("1.1.1.1"), BlockChange.Add("2.2.2.2"), BlockChange.Add("2001:db8::/32")], CancellationToken.None);
        var reconciler = new BlockReconciler(backend);

        var kept = await reconciler.ReconcileAsync([new DesiredBlock("1.1.1.1")], CancellationToken.None, removeExtras: false);
        kept.InSync.ShouldBeTrue();

        var report = await reconciler.ReconcileAsync(["1.1.1.1/32"], CancellationToken.None);

        report.Removed.ShouldBe(["2.2.2.2", "2001:db8::/32"]);
        report.AddedCount.ShouldBe(0);
        (await backend.ListAsync(CancellationToken.None)).ShouldBe(["1.1.1.1"], ignoreOrder: true);
    }

    [Fact]
    public async Task Compares_canonical_forms_and_counts_covered_addresses_as_present()
    {
        var backend = new MemoryBackend();
        await backend.EnsureReadyAsync(CancellationToken.None);
        await backend.ApplyAsync([BlockChange.Add("10.0.0.0/24"), BlockChange.Add("2001:db8::1")], CancellationToken.None);

        // 10.0.0.5 cannot be an element next to 10.0.0.0/24 in an interval set; it is blocked all the same.
        var report = await new BlockReconciler(backend).ReconcileAsync(["10.0.0.0/24", "10.0.0.5", "2001:DB8:0::1/128", "not-an-ip"], CancellationToken.None);

        report.InSync.ShouldBeTrue();
        report.Invalid.ShouldBe(["not-an-ip"]);
        backend.ApplyCalls.ShouldBe(1);
    }

    [Fact]
    public async Task A_covering_element_that_is_not_desired_is_replaced_by_the_desired_address()
    {
        var backend = new MemoryBackend();
        await backend.EnsureReadyAsync(CancellationToken.None);
        await backend.ApplyAsync([BlockChange.Add("10.0.0.0/24")], CancellationToken.None);

        var report = await new BlockReconciler(backend).ReconcileAsync(["10.0.0.5"], CancellationToken.None);

        report.Removed.ShouldBe(["10.0.0.0/24"]);
        report.Added.ShouldBe(["10.0.0.5"]);
        (await backend.ListAsync(CancellationToken.None)).ShouldBe(["10.0.0.5"]);
    }

    [Fact]
    public async Task Duplicate_desired_entries_keep_the_longest_backstop()
    {
        var backend = new MemoryBackend();

        await new BlockReconciler(backend).ReconcileAsync(
            [new DesiredBlock("1.2.3.4", TimeSpan.FromMinutes(1)), new DesiredBlock("1.2.3.4/32", TimeSpan.FromMinutes(9)), new DesiredBlock("5.5.5.5", TimeSpan.FromMinutes(1)), new DesiredBlock("5.5.5.5")],
            CancellationToken.None);

        backend.Elements[BlockTarget.Parse("1.2.3.4")].ShouldBe(TimeSpan.FromMinutes(9));
        backend.Elements[BlockTarget.Parse("5.5.5.5")].ShouldBeNull();
    }
}
